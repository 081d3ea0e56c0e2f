namespace Switchyard.Providers.Vertex;

/// <summary>
/// Vertex AI paths (https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest): Gemini
/// under <c>publishers/google</c>, Anthropic under <c>publishers/anthropic</c>, whose bodies are
/// Anthropic Messages without <c>model</c> and with <see cref="AnthropicVersion"/>.
/// </summary>
internal static class VertexUrls
{
    /// <summary>The <c>anthropic_version</c> an Anthropic body on Vertex carries instead of a header.</summary>
    public const string AnthropicVersion = "vertex-2023-10-16";

    public static Uri GenerateContent(VertexOptions options, string model) => Model(options, "google", model, "generateContent");

    public static Uri StreamGenerateContent(VertexOptions options, string model) => Model(options, "google", model, "streamGenerateContent", "?alt=sse");

    public static Uri RawPredict(VertexOptions options, string model) => Model(options, "anthropic", model, "rawPredict");

    public static Uri StreamRawPredict(VertexOptions options, string model) => Model(options, "anthropic", model, "streamRawPredict");

    /// <summary>True for model ids Vertex serves under the Anthropic publisher (<c>claude-sonnet-4-5@20250929</c>).</summary>
    public static bool IsAnthropicModel(string model) => model.StartsWith("claude", StringComparison.OrdinalIgnoreCase);

    private static Uri Model(VertexOptions options, string publisher, string model, string method, string query = "") =>
        new($"{options.EndpointUrl}/v1/projects/{Uri.EscapeDataString(options.Project!)}/locations/{Uri.EscapeDataString(options.Location!)}"
            + $"/publishers/{publisher}/models/{Segment(model)}:{method}{query}");

    /// <summary>Escapes a model id for the path but keeps '@', which Vertex's own URLs show bare.</summary>
    private static string Segment(string model) => Uri.EscapeDataString(model).Replace("%40", "@", StringComparison.Ordinal);
}
