namespace Switchyard.Dialects;

/// <summary>
/// A vendor's own API reached with an API key (OpenAI and every OpenAI-compatible server,
/// Anthropic, Gemini): the provider <c>type</c> that names it in configuration, how a key is sent,
/// which client headers it understands, and which of its dialects serves a model of each kind.
/// </summary>
public abstract class NativeApi
{
    /// <summary>The provider <c>type</c> in configuration.</summary>
    public abstract string Name { get; }

    public abstract string DefaultBaseUrl { get; }

    /// <summary>A configured provider must name its base URL (the API runs anywhere); the text says what it looks like.</summary>
    public virtual string? BaseUrlRequired => null;

    /// <summary>The <c>gen_ai.provider.name</c> of the OpenTelemetry conventions.</summary>
    public abstract string TelemetryName { get; }

    /// <summary>The header the provider's key goes in, and what precedes the key there.</summary>
    public abstract (string Header, string Prefix) KeyHeader { get; }

    /// <summary>Client headers of this API's own protocol that reach its upstreams (and no other's).</summary>
    public virtual IReadOnlyList<string> ForwardedHeaders => [];

    /// <summary>Headers every request carries unless the client sent them; a provider may set each in configuration.</summary>
    public virtual IReadOnlyList<DefaultHeader> DefaultHeaders => [];

    /// <summary>Every dialect of this API, for the registry.</summary>
    public abstract IReadOnlyList<Dialect> Dialects { get; }

    /// <summary>The dialect a model of this kind is called in; <paramref name="api"/> is the model's <c>api</c> setting.</summary>
    public abstract Dialect? DialectFor(ModelKind kind, string? api);

    /// <summary>Whether the provider has native search unless its configuration says otherwise.</summary>
    public virtual bool SearchByDefault(string baseUrl) => false;

    /// <summary>
    /// The environment variables of the vendor's own SDKs that hold its key (and base URL): with no
    /// configuration file, a provider is made for each key set.
    /// </summary>
    public virtual (string Key, string? BaseUrl)? Environment => null;

    /// <summary>How to list the provider's models on a zero-configuration start, where the API can.</summary>
    public virtual IModelDiscovery? Discovery => null;

    public override string ToString() => Name;
}

/// <summary>A header sent unless the client sent it; <see cref="ConfigKey"/> names the provider setting that overrides its value.</summary>
public sealed record DefaultHeader(string Name, string Value, string? ConfigKey = null);
