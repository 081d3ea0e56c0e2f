using System.Runtime.CompilerServices;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>An HTTP upstream reached through its dialect's codec (the translating path).</summary>
internal sealed class HttpChatBackend(IUpstreamCodec codec, GatewayRequest gateway, IEnumerable<KeyValuePair<string, string>> passedHeaders) : IChatBackend
{
    public async Task<BackendResult> CompleteAsync(ChatRequest request, Deployment deployment, UpstreamTarget target, CancellationToken cancellationToken)
    {
        var (call, error) = await SendAsync(request, deployment, target, stream: false, cancellationToken);
        if (call is null)
        {
            return error!;
        }

        using (call)
        {
            try
            {
                if (!call.Response.IsSuccessStatusCode)
                {
                    return await UpstreamClient.ReadErrorAsync(call, codec, cancellationToken);
                }

                return codec.ReadResponse(await UpstreamClient.ReadBodyAsync(call));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return UpstreamClient.Timeout();
            }
            catch (HttpRequestException)
            {
                return UpstreamClient.ConnectionFailed();
            }
            catch (GatewayException exception)
            {
                return exception.Error;
            }
        }
    }

    public async IAsyncEnumerable<StreamEvent> StreamAsync(ChatRequest request, Deployment deployment, UpstreamTarget target, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (call, error) = await SendAsync(request, deployment, target, stream: true, cancellationToken);
        if (call is null)
        {
            yield return new ResponseFailed(error!);
            yield break;
        }

        using (call)
        {
            if (!call.Response.IsSuccessStatusCode)
            {
                yield return new ResponseFailed(await UpstreamClient.ReadErrorAsync(call, codec, cancellationToken));
                yield break;
            }

            if (UpstreamClient.NotAStream(call) is { } notAStream)
            {
                yield return new ResponseFailed(notAStream);
                yield break;
            }

            var body = await call.OpenBodyAsync();
            await using var events = codec.ReadStream(codec.Framing.ReadAsync(body, cancellationToken), cancellationToken).GetAsyncEnumerator(cancellationToken);
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
                catch (Dialects.Sse.SseFrameTooLargeException tooLarge)
                {
                    next = null;
                    failed = UpstreamClient.FrameTooLarge(tooLarge);
                }
                catch (Exception exception) when (exception is IOException or HttpRequestException)
                {
                    next = null;
                    failed = UpstreamClient.ConnectionBroke();
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

    private async Task<(UpstreamCall? Call, GatewayError? Error)> SendAsync(ChatRequest request, Deployment deployment, UpstreamTarget target, bool stream, CancellationToken cancellationToken)
    {
        using var body = new PooledBufferWriter();
        codec.WriteRequest(request, target, body);
        var sent = UpstreamClient.ForProvider(deployment, codec, body.WrittenMemory, out var edited);
        using var disposeEdited = edited;
        using var message = UpstreamClient.CreateRequest(deployment, codec, stream, sent, passedHeaders);
        gateway.Attempts++;
        var result = await UpstreamClient.SendAsync(deployment.Provider, message, sent, cancellationToken);
        if (result.Call is { } call)
        {
            gateway.Upstream += call.HeadersElapsed;
        }

        return result;
    }
}
