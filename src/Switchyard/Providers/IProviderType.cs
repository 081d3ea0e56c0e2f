using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Dialects;

namespace Switchyard.Providers;

/// <summary>
/// A kind of upstream (a provider's <c>type</c> in configuration): which of its settings it needs,
/// which dialect serves a model of each kind, and how its requests are addressed and signed.
/// Registered in <see cref="ProviderTypes"/>.
/// </summary>
internal interface IProviderType
{
    /// <summary>The <c>type</c> in configuration.</summary>
    string Name { get; }

    /// <summary>The <c>gen_ai.provider.name</c> of the OpenTelemetry conventions.</summary>
    string TelemetryName { get; }

    /// <summary>The dialect a model of this kind is called in (null: the type cannot serve it); <paramref name="api"/> is the model's <c>api</c> setting.</summary>
    Dialect? DialectFor(ModelKind kind, string? api);

    /// <summary>The dialect a deployment of <paramref name="upstreamModel"/> is called in, where the model's name decides (a cloud serving several vendors' models).</summary>
    Dialect? DialectFor(ModelKind kind, string? api, string upstreamModel) => DialectFor(kind, api);

    /// <summary>The type runs models in process (the echo model): it has no dialect and no HTTP client.</summary>
    bool InProcess => false;

    /// <summary>Whether it can serve models of this kind at all.</summary>
    bool Serves(ModelKind kind) => DialectFor(kind, null) is not null;

    /// <summary>Reports each problem with the settings only this type reads, by path.</summary>
    void Validate(ProviderOptions options, string path, Func<string, string?> environment, Action<string, string> problem);

    Provider Compile(ProviderOptions options, ProviderContext context);
}
