using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Dialects;
using Switchyard.Forwarding;

namespace Switchyard.Providers.Azure;

/// <summary>
/// Azure OpenAI and Azure AI Foundry (provider type <c>azure</c>): OpenAI's dialects under a
/// resource's deployments, with an <c>api-key</c> or a Microsoft Entra ID token.
/// </summary>
internal sealed class AzureProviderType : IProviderType
{
    public static AzureProviderType Instance { get; } = new();

    private static readonly NativeApi OpenAI = DialectRegistry.FindApi("openai")!;

    public string Name => AzureOptions.Type;

    /// <summary>The OpenTelemetry GenAI conventions' name for Azure OpenAI.</summary>
    public string TelemetryName => "azure.ai.openai";

    /// <summary>Chat (Chat Completions, or Responses with <c>"api": "responses"</c>) and embeddings.</summary>
    public Dialect? DialectFor(ModelKind kind, string? api) =>
        kind is ModelKind.Chat or ModelKind.Embedding ? OpenAI.DialectFor(kind, api) : null;

    public void Validate(ProviderOptions options, string path, Func<string, string?> environment, Action<string, string> problem) =>
        ProviderSettings.Report(AzureOptionsValidator.Validate(AzureOptions.Bind(ProviderSettings.Section(options)), path, environment), problem);

    public Provider Compile(ProviderOptions options, ProviderContext context)
    {
        var environment = context.Environment;
        var azure = AzureOptions.Bind(ProviderSettings.Section(options));
        return new Provider
        {
            Name = options.Name,
            Type = this,
            BaseUrl = AzureUrls.Resource(azure),
            Addressing = new AzureAddressing(azure),
            Signer = AzureCredentials.CreateSigner(azure, environment, context.Time, Transport(context)),
            Headers = options.Headers.ToDictionary(h => h.Key, h => EnvReferenceResolver.Resolve(h.Value, environment) ?? string.Empty),
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds ?? 600),
            Retries = options.Retries,
            MaxConcurrency = options.MaxConcurrency,
            Search = options.Search ?? false,
            Invoker = UpstreamHandlerFactory.Create(),
        };
    }

    private static Action<global::Azure.Identity.TokenCredentialOptions>? Transport(ProviderContext context) =>
        context.IdentityHandler is { } handler ? options => options.Transport = new global::Azure.Core.Pipeline.HttpClientTransport(handler()) : null;

    /// <summary>
    /// The v1 API takes OpenAI's own paths under <c>/openai/v1</c> (the body's model names the
    /// deployment); a dated version puts the deployment in the path, except for Responses.
    /// </summary>
    private sealed class AzureAddressing(AzureOptions azure) : IUpstreamAddressing
    {
        public string Url(Provider provider, IUpstreamEndpoint dialect, string upstreamModel, bool stream)
        {
            var path = dialect.Path(upstreamModel, stream);
            var resource = AzureUrls.Resource(azure);
            if (azure.UsesV1Api)
            {
                return $"{resource}/openai/v1{path}";
            }

            var version = "api-version=" + Uri.EscapeDataString(azure.ApiVersion!);
            return path == "/responses"
                ? $"{resource}/openai/responses?{version}"
                : $"{resource}/openai/deployments/{Uri.EscapeDataString(upstreamModel)}{path}?{version}";
        }
    }
}
