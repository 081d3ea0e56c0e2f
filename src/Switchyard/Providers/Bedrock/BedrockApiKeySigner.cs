using System.Net.Http.Headers;

namespace Switchyard.Providers.Bedrock;

/// <summary>A Bedrock API key (https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys.html) sent as a bearer token instead of a SigV4 signature.</summary>
internal sealed class BedrockApiKeySigner(string apiKey) : IUpstreamSigner
{
    public ValueTask SignAsync(HttpRequestMessage request, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return ValueTask.CompletedTask;
    }

    public override string ToString() => "BedrockApiKeySigner(key redacted)";
}
