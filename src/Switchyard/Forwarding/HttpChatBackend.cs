using System.Runtime.CompilerServices;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>An HTTP upstream reached through its dialect's codec (the translating path).</summary>
public sealed class HttpChatBackend(ChatDialect codec, RequestTimings timings, IEnumerable<KeyValuePair<string, string>> passedHeaders) : IChatBackend
{
    public async Task<BackendResult> CompleteAsync(ChatRequest request, Deployment deployment, CancellationToken cancellationToken)
    {
        var (call, error) = await SendAsync(request, deployment, stream: false, cancellationToken);
        if (call is null)
        {
            return error!;
        }

        using (call)
        {
            try
            {
                var body = await UpstreamClient.ReadBodyAsync(call);
                if (!call.Response.IsSuccessStatusCode)
                {
                    return ReadError(call, body);
                }

                return codec.ReadResponse(body);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return UpstreamClient.Timeout();
            }
            catch (HttpRequestException)
            {
                return new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream connection failed.") { Code = "upstream_error", AllowsFailover = true };
            }
            catch (GatewayException exception)
            {
                return exception.Error;
            }
        }
    }

    public async IAsyncEnumerable<StreamEvent> StreamAsync(ChatRequest request, Deployment deployment, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (call, error) = await SendAsync(request, deployment, stream: true, cancellationToken);
        if (call is null)
        {
            yield return new ResponseFailed(error!);
            yield break;
        }

        using (call)
        {
            if (!call.Response.IsSuccessStatusCode)
            {
                var failure = await ReadFailureAsync(call, cancellationToken);
                yield return new ResponseFailed(failure);
                yield break;
            }

            var body = await call.OpenBodyAsync();
            await using var events = codec.ReadStream(SseStreams.ReadAsync(body, cancellationToken), cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                // A C# iterator cannot yield inside try/catch, so each step is guarded here.
                StreamEvent? next;
                GatewayError? failed = null;
                try
                {
                    next = await events.MoveNextAsync() ? events.Current : null;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    next = null;
                    failed = UpstreamClient.Timeout();
                }
                catch (IOException)
                {
                    next = null;
                    failed = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream connection broke mid-stream.") { Code = "upstream_error", AllowsFailover = true };
                }
                catch (HttpRequestException)
                {
                    next = null;
                    failed = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream connection broke mid-stream.") { Code = "upstream_error", AllowsFailover = true };
                }

                if (failed is not null)
                {
                    yield return new ResponseFailed(failed);
                    yield break;
                }

                if (next is null)
                {
                    yield break;
                }

                yield return next;
            }
        }
    }

    private async Task<(UpstreamCall? Call, GatewayError? Error)> SendAsync(ChatRequest request, Deployment deployment, bool stream, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter();
        codec.WriteRequest(request, deployment.UpstreamModel, body);
        using var message = UpstreamClient.CreateRequest(deployment, codec.Dialect, stream, body.WrittenMemory, passedHeaders);
        timings.Attempts++;
        var result = await UpstreamClient.SendAsync(deployment.Provider, message, cancellationToken);
        if (result.Call is { } call)
        {
            timings.Upstream += call.HeadersElapsed;
        }

        return result;
    }

    private async Task<GatewayError> ReadFailureAsync(UpstreamCall call, CancellationToken cancellationToken)
    {
        try
        {
            return ReadError(call, await UpstreamClient.ReadBodyAsync(call));
        }
        catch (Exception exception) when (exception is OperationCanceledException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return UpstreamErrors.FromStatus((int)call.Response.StatusCode, null);
        }
    }

    private GatewayError ReadError(UpstreamCall call, byte[] body) =>
        codec.ReadError((int)call.Response.StatusCode, body) with { RetryAfter = RetryAfter.From(call.Response) };
}
