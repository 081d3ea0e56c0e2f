namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Signs each Bedrock request with SigV4 for its own host, so a <c>baseUrl</c> override (VPC
/// endpoint, proxy) is signed for where the request actually goes. Sets <c>x-amz-date</c>,
/// <c>x-amz-content-sha256</c> and, for temporary credentials, <c>x-amz-security-token</c>, and
/// signs them with <c>host</c> and <c>content-type</c>.
/// </summary>
internal sealed class SigV4Signer(AwsCredentialSource credentials, string region, TimeProvider time, string service = SigV4Signer.BedrockService) : IUpstreamSigner, IDisposable
{
    public const string BedrockService = "bedrock";

    public async ValueTask SignAsync(HttpRequestMessage request, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("An upstream request has no URI.");
        var current = await credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        var at = time.GetUtcNow();
        // A body that streams (never Bedrock's today) cannot be hashed up front.
        var payloadHash = body is { } whole ? SigV4.PayloadHash(whole.Span) : "UNSIGNED-PAYLOAD";

        var headers = request.Headers;
        headers.Remove("x-amz-date");
        headers.Remove("x-amz-security-token");
        headers.Remove("x-amz-content-sha256");
        headers.Authorization = null;
        headers.TryAddWithoutValidation("x-amz-date", SigV4.AmzDate(at));
        headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        if (current.UseToken)
        {
            headers.TryAddWithoutValidation("x-amz-security-token", current.Token);
        }

        var signed = new List<KeyValuePair<string, string>> { KeyValuePair.Create("host", Host(uri)) };
        foreach (var header in headers.NonValidated)
        {
            if (header.Key.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase))
            {
                signed.Add(KeyValuePair.Create(header.Key, string.Join(',', header.Value)));
            }
        }

        if (request.Content?.Headers.ContentType is { } contentType)
        {
            signed.Add(KeyValuePair.Create("content-type", contentType.ToString()));
        }

        var signature = SigV4.Sign(
            request.Method.Method,
            uri.AbsolutePath,
            uri.Query,
            signed,
            payloadHash,
            new SigV4Scope(current.AccessKey, current.SecretKey, region, service, at));
        headers.TryAddWithoutValidation("Authorization", signature.Authorization);
    }

    /// <summary>The Host header HttpClient will send: the port only when it is not the scheme's default.</summary>
    public static string Host(Uri uri) => uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";

    public void Dispose() => credentials.Dispose();
}
