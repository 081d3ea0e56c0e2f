namespace Switchyard.Diagnostics;

/// <summary>
/// What kind of request the pipeline is serving, for telemetry: the client surface it came in on
/// and its <c>gen_ai.operation.name</c> (the convention's values where one fits). One instance per
/// route, made when routes are mapped, so every label value is an interned string.
/// </summary>
internal sealed class GatewayOperation(string surfaceName, string name)
{
    /// <summary>The surface as configured in <c>endpoints</c> (<c>chat</c>, <c>messages</c>, …).</summary>
    public string SurfaceName { get; } = string.Intern(surfaceName);

    /// <summary>The <c>gen_ai.operation.name</c>.</summary>
    public string Name { get; } = string.Intern(name);

    public override string ToString() => $"{SurfaceName} {Name}";
}
