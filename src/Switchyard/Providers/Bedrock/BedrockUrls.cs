namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Bedrock runtime paths (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_Operations_Amazon_Bedrock_Runtime.html).
/// The model id is one path label: a base model id's ':' and an inference-profile ARN's ':' and
/// '/' travel percent-encoded, and <see cref="SigV4"/> signs them encoded once more.
/// </summary>
internal static class BedrockUrls
{
    /// <summary>The <c>anthropic_version</c> an Anthropic Messages body sent to <see cref="Invoke"/> carries (it has no <c>model</c>; the path names it).</summary>
    public const string AnthropicVersion = "bedrock-2023-05-31";

    public static Uri Converse(string endpoint, string modelId) => Model(endpoint, modelId, "converse");

    public static Uri ConverseStream(string endpoint, string modelId) => Model(endpoint, modelId, "converse-stream");

    /// <summary>A model's own wire format (Anthropic Messages with <c>anthropic_version: bedrock-2023-05-31</c>).</summary>
    public static Uri Invoke(string endpoint, string modelId) => Model(endpoint, modelId, "invoke");

    public static Uri InvokeWithResponseStream(string endpoint, string modelId) => Model(endpoint, modelId, "invoke-with-response-stream");

    private static Uri Model(string endpoint, string modelId, string operation) =>
        new($"{CloudOptionChecks.TrimBase(endpoint)}/model/{Uri.EscapeDataString(modelId)}/{operation}");
}
