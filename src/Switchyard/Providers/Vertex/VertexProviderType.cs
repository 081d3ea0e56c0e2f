using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Forwarding;

namespace Switchyard.Providers.Vertex;

/// <summary>
/// Google Vertex AI (provider type <c>vertex</c>): Gemini models in Gemini's dialect and Anthropic's
/// Claude models in Anthropic's, under a project and location, with Google OAuth tokens.
/// </summary>
internal sealed class VertexProviderType : IProviderType
{
    public static VertexProviderType Instance { get; } = new();

    private static readonly Dialect Gemini = ProviderSettings.Dialect("gemini-generate");
    private static readonly Dialect Claude = ProviderSettings.Dialect("anthropic-messages");

    public string Name => VertexOptions.Type;

    /// <summary>The OpenTelemetry GenAI conventions' name for Vertex AI.</summary>
    public string TelemetryName => "gcp.vertex_ai";

    public Dialect? DialectFor(ModelKind kind, string? api) => kind == ModelKind.Chat ? Gemini : null;

    /// <summary>Claude models (<c>claude-sonnet-4-5@20250929</c>) are Anthropic's publisher's; the rest Google's.</summary>
    public Dialect? DialectFor(ModelKind kind, string? api, string upstreamModel) =>
        kind != ModelKind.Chat ? null : VertexUrls.IsAnthropicModel(upstreamModel) ? Claude : Gemini;

    public void Validate(ProviderOptions options, string path, Func<string, string?> environment, Action<string, string> problem) =>
        ProviderSettings.Report(VertexOptionsValidator.Validate(VertexOptions.Bind(ProviderSettings.Section(options)), path), problem);

    public Provider Compile(ProviderOptions options, ProviderContext context)
    {
        var environment = context.Environment;
        var vertex = VertexOptions.Bind(ProviderSettings.Section(options));
        return new Provider
        {
            Name = options.Name,
            Type = this,
            BaseUrl = vertex.EndpointUrl,
            Addressing = new VertexAddressing(vertex),
            Signer = VertexSigner.Create(vertex, context.Time),
            ForwardedHeaders = ["anthropic-beta"],
            Headers = options.Headers.ToDictionary(h => h.Key, h => EnvReferenceResolver.Resolve(h.Value, environment) ?? string.Empty),
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds ?? 600),
            Retries = options.Retries,
            MaxConcurrency = options.MaxConcurrency,
            Search = options.Search ?? false,
            Invoker = UpstreamHandlerFactory.Create(),
        };
    }

    /// <summary>Each publisher's methods under the project and location; an Anthropic body names its version, not its model.</summary>
    private sealed class VertexAddressing(VertexOptions vertex) : IUpstreamAddressing
    {
        public string Url(Provider provider, IUpstreamEndpoint dialect, string upstreamModel, bool stream) =>
            (ReferenceEquals(dialect, Claude)
                ? stream ? VertexUrls.StreamRawPredict(vertex, upstreamModel) : VertexUrls.RawPredict(vertex, upstreamModel)
                : stream ? VertexUrls.StreamGenerateContent(vertex, upstreamModel) : VertexUrls.GenerateContent(vertex, upstreamModel)).ToString();

        public JsonTopLevelEditor? BodyEdits(IUpstreamEndpoint dialect) => ReferenceEquals(dialect, Claude)
            ? new JsonTopLevelEditor().Remove("model"u8).SetString("anthropic_version"u8, VertexUrls.AnthropicVersion)
            : null;
    }
}
