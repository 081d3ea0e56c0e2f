namespace Switchyard.Providers.Azure;

/// <summary>
/// Azure OpenAI paths. Dated versions address a deployment in the path with <c>?api-version=</c>
/// (https://learn.microsoft.com/azure/ai-foundry/openai/reference); the v1 API takes OpenAI's own
/// paths under <c>/openai/v1</c> with the deployment as the body's <c>model</c>. A base URL pasted
/// with <c>/openai</c> or <c>/openai/v1</c> at its end is accepted as the resource's.
/// </summary>
internal static class AzureUrls
{
    public static Uri ChatCompletions(AzureOptions options, string deployment) => Deployment(options, deployment, "chat/completions");

    public static Uri Embeddings(AzureOptions options, string deployment) => Deployment(options, deployment, "embeddings");

    /// <summary>The Responses API names its deployment in the body on both API generations.</summary>
    public static Uri Responses(AzureOptions options) =>
        options.UsesV1Api ? new($"{Resource(options)}/openai/v1/responses") : new($"{Resource(options)}/openai/responses?api-version={Uri.EscapeDataString(options.ApiVersion!)}");

    /// <summary>The resource's origin and path prefix, without <c>/openai</c> or <c>/openai/v1</c>.</summary>
    public static string Resource(AzureOptions options)
    {
        var url = CloudOptionChecks.TrimBase(options.BaseUrl ?? throw new InvalidOperationException("An azure provider without baseUrl passed validation."));
        foreach (var suffix in (string[])["/openai/v1", "/openai"])
        {
            if (url.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return url[..^suffix.Length];
            }
        }

        return url;
    }

    private static Uri Deployment(AzureOptions options, string deployment, string operation) =>
        options.UsesV1Api
            ? new($"{Resource(options)}/openai/v1/{operation}")
            : new($"{Resource(options)}/openai/deployments/{Uri.EscapeDataString(deployment)}/{operation}?api-version={Uri.EscapeDataString(options.ApiVersion!)}");
}
