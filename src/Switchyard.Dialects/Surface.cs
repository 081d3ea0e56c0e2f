namespace Switchyard.Dialects;

/// <summary>
/// A client-facing API family a model may be reached through (<c>endpoints</c> in a model's
/// configuration): its configuration name, the route named in "use … instead" messages, and the
/// kinds of model it serves. Surfaces are defined by the dialects that serve them.
/// </summary>
public sealed class Surface
{
    public required string Name { get; init; }

    /// <summary>The route a client should use, as named in error messages.</summary>
    public required string Route { get; init; }

    public required IReadOnlySet<ModelKind> Kinds { get; init; }

    /// <summary>This surface is the one a model of its kinds is best used through ("use … instead").</summary>
    public bool Preferred { get; init; }

    public bool Serves(ModelKind kind) => Kinds.Contains(kind);

    public override string ToString() => Name;
}
