using System.Diagnostics;
using System.Net.Http.Headers;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Forwarding;

/// <summary>Builds and sends upstream requests, turning transport failures into gateway errors.</summary>
internal static class UpstreamClient
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>A POST of <paramref name="body"/> in <paramref name="dialect"/>, to where the deployment's provider takes it.</summary>
    public static HttpRequestMessage CreateRequest(Deployment deployment, IUpstreamEndpoint dialect, bool stream, ReadOnlyMemory<byte> body, IEnumerable<KeyValuePair<string, string>>? passedHeaders = null) =>
        CreateRequest(deployment, new Uri(deployment.Provider.Addressing.Url(deployment.Provider, dialect, deployment.UpstreamModel, stream)), body, passedHeaders);

    /// <summary>
    /// The body as the deployment's provider needs it in <paramref name="dialect"/> (a cloud may move
    /// the model into the path): the original when it needs nothing, else a copy in
    /// <paramref name="owner"/>, which the caller disposes once the request is sent.
    /// </summary>
    public static ReadOnlyMemory<byte> ForProvider(Deployment deployment, IUpstreamEndpoint dialect, ReadOnlyMemory<byte> body, out PooledBufferWriter? owner)
    {
        owner = null;
        if (deployment.Provider.Addressing.BodyEdits(dialect) is not { } edits)
        {
            return body;
        }

        owner = new PooledBufferWriter(body.Length + 64);
        edits.WriteTo(body.Span, JsonTopLevel.Scan(body.Span), owner);
        return owner.WrittenMemory;
    }

    /// <summary>A POST to the provider's base URL + <paramref name="path"/> (a vendor's own API).</summary>
    public static HttpRequestMessage CreateRequest(Deployment deployment, string path, ReadOnlyMemory<byte> body, IEnumerable<KeyValuePair<string, string>>? passedHeaders = null) =>
        CreateRequest(deployment, new Uri(deployment.Provider.BaseUrl + path), body, passedHeaders);

    /// <summary>
    /// A POST of <paramref name="body"/> to <paramref name="url"/>, with the
    /// client headers its API understands, its default headers, and its configured headers (which win).
    /// Credentials are added when it is sent (<see cref="SendAsync"/>).
    /// </summary>
    private static HttpRequestMessage CreateRequest(Deployment deployment, Uri url, ReadOnlyMemory<byte> body, IEnumerable<KeyValuePair<string, string>>? passedHeaders)
    {
        var provider = deployment.Provider;
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ReadOnlyMemoryContent(body),
            Version = System.Net.HttpVersion.Version11,
        };
        request.Content.Headers.ContentType = Json;
        foreach (var (name, value) in passedHeaders ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        foreach (var (name, value) in provider.DefaultHeaders)
        {
            if (!request.Headers.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        ApplyConfiguredHeaders(request, provider);
        Diagnostics.SwitchyardActivity.InjectTraceContext(request);
        return request;
    }

    /// <summary>The provider's configured headers replace any of the same name.</summary>
    public static void ApplyConfiguredHeaders(HttpRequestMessage request, Provider provider)
    {
        foreach (var (name, value) in provider.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    /// <summary>
    /// Signs the request with the provider's credentials, sends it and waits for the response
    /// headers within the provider's timeout; the body is read later through the returned call.
    /// <paramref name="body"/> is what was put in the request, or null when it streams.
    /// </summary>
    public static async Task<(UpstreamCall? Call, GatewayError? Error)> SendAsync(Provider provider, HttpRequestMessage request, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(provider.Timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (provider.Signer is { } signer)
            {
                await signer.SignAsync(request, body, timeout.Token);
            }

            var response = await provider.Invoker!.SendAsync(request, timeout.Token);
            return (new UpstreamCall(response, timeout, provider.Timeout, Stopwatch.GetElapsedTime(started), cancellationToken), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            timeout.Dispose();
            return (null, Timeout());
        }
        catch (HttpRequestException)
        {
            timeout.Dispose();
            return (null, new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream could not be reached.") { Code = "upstream_error", AllowsFailover = true });
        }
        catch (UpstreamCredentialsException exception)
        {
            // The provider's identity service failed us, not the client: another deployment may do.
            timeout.Dispose();
            return (null, new GatewayError(GatewayErrorKind.UpstreamFailed, exception.Message) { Code = "upstream_error", AllowsFailover = true });
        }
    }

    public static GatewayError Timeout() =>
        new(GatewayErrorKind.UpstreamTimeout, "The upstream did not answer in time.") { AllowsFailover = true };

    /// <summary>The upstream sent a stream event past the gateway's limit (<see cref="SseRelay.MaxFrameBytes"/>).</summary>
    public static GatewayError FrameTooLarge(SseFrameTooLargeException tooLarge) =>
        new(GatewayErrorKind.UpstreamFailed, tooLarge.Message) { Code = "upstream_error" };

    public static GatewayError ConnectionBroke() =>
        new(GatewayErrorKind.UpstreamFailed, "The upstream connection broke mid-stream.") { Code = "upstream_error", AllowsFailover = true };

    /// <summary>
    /// A streaming request answered with one JSON body (an upstream that ignored <c>stream</c>), or
    /// null. Every upstream framing (SSE, AWS event-stream) has a media type of its own, so a JSON one
    /// is a failure before anything reaches the client, and a fallback may answer instead of a body
    /// that is neither the stream nor the error the client expects.
    /// </summary>
    public static GatewayError? NotAStream(UpstreamCall call)
    {
        var mediaType = call.Response.Content.Headers.ContentType?.MediaType;
        return mediaType is not null
            && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            ? new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream answered a streaming request with a JSON body instead of a stream.") { Code = "upstream_error", AllowsFailover = true }
            : null;
    }

    public static GatewayError ConnectionFailed() =>
        new(GatewayErrorKind.UpstreamFailed, "The upstream connection failed.") { Code = "upstream_error", AllowsFailover = true };

    /// <summary>
    /// The largest whole answer the gateway reads from an upstream (a JSON answer, an error, an image
    /// or a transcription): past it, an upstream that announces or sends more cannot make the gateway
    /// hold more. Streams are bounded per event instead (<see cref="SseRelay.MaxFrameBytes"/>).
    /// </summary>
    public const int MaxAnswerBytes = 64 << 20;

    public static GatewayError AnswerTooLarge() =>
        new(GatewayErrorKind.UpstreamFailed, $"The upstream's answer is larger than the gateway's limit ({MaxAnswerBytes >> 20} MiB).") { Code = "upstream_error" };

    /// <summary>
    /// Reads a whole upstream body, such as an error or a non-streamed answer, of at most
    /// <see cref="MaxAnswerBytes"/>. Fails with a <see cref="GatewayException"/> (a 502) when the body
    /// is larger or the connection breaks before its end.
    /// </summary>
    public static async Task<byte[]> ReadBodyAsync(UpstreamCall call)
    {
        try
        {
            using var answer = await ReadBodyPooledAsync(call);
            return answer.WrittenSpan.ToArray();
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            throw new GatewayException(ConnectionFailed());
        }
    }

    /// <summary>
    /// <see cref="ReadBodyAsync"/> into a pooled buffer the caller disposes once the bytes are
    /// written on: sized by the answer's <c>Content-Length</c> where it has one, so an answer is read
    /// without the copy and the array per request that buffering it in <see cref="HttpContent"/> costs.
    /// A broken connection fails with the transport's exception (an <see cref="IOException"/>).
    /// </summary>
    public static async Task<PooledBufferWriter> ReadBodyPooledAsync(UpstreamCall call)
    {
        call.Touch();
        var length = call.Response.Content.Headers.ContentLength;
        if (length > MaxAnswerBytes)
        {
            throw new GatewayException(AnswerTooLarge());
        }

        var answer = new PooledBufferWriter(length is > 0 and <= MaxPresizedAnswer ? (int)length.Value : 4096);
        try
        {
            var stream = await call.Response.Content.ReadAsStreamAsync(call.Token);
            await using (stream)
            {
                // With a length, the read that reaches it is the last: no read past the end to learn of it.
                while (answer.WrittenCount != length)
                {
                    var read = await stream.ReadAsync(answer.GetMemory(), call.Token);
                    if (read == 0)
                    {
                        break;
                    }

                    answer.Advance(read);
                    if (answer.WrittenCount > MaxAnswerBytes)
                    {
                        throw new GatewayException(AnswerTooLarge());
                    }
                }
            }

            return answer;
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    // A larger answer grows its buffer as it arrives rather than renting its announced size at once.
    private const int MaxPresizedAnswer = 1 << 20;

    /// <summary>An upstream's error answer, read in its dialect, with its Retry-After.</summary>
    public static async Task<GatewayError> ReadErrorAsync(UpstreamCall call, IUpstreamEndpoint dialect, CancellationToken cancellationToken)
    {
        var status = (int)call.Response.StatusCode;
        try
        {
            var response = call.Response;
            string? Header(string name) =>
                response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;
            return dialect.ReadError(status, Header, await ReadBodyAsync(call)) with { RetryAfter = RetryAfter.From(call.Response) };
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException or GatewayException && !cancellationToken.IsCancellationRequested)
        {
            // An error body that broke off or was too large: the status alone says what it can.
            return UpstreamErrors.FromStatus(status, null) with { RetryAfter = RetryAfter.From(call.Response) };
        }
    }
}
