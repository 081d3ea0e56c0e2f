using System.Runtime.CompilerServices;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;
using Switchyard.Media;
using Switchyard.Metering;
using Switchyard.Pipeline;
using Switchyard.Providers.Echo;

namespace Switchyard.Forwarding;

/// <summary>
/// Serves a request through the neutral model: the client's codec read it, the upstream's codec
/// (or an in-process model) answers, and the client's codec writes the answer or the stream.
/// Each attempt works on its own copy of the neutral request, so nothing one deployment sets
/// (its output cap) reaches the next.
/// </summary>
internal sealed class TranslatingForwarder(EchoBackend echo, ImageFetcher images)
{
    public async Task<AttemptOutcome> ForwardAsync(GatewayRequest request, IClientCodec client, ModelEntry entry, Deployment deployment)
    {
        IChatBackend backend;
        IUpstreamCodec? codec = null;
        if (deployment.UpstreamDialect is null)
        {
            backend = echo;
        }
        else if (deployment.UpstreamDialect is IUpstreamCodec upstream)
        {
            codec = upstream;
            backend = new HttpChatBackend(upstream, request, HeaderPolicy.FromClient(request.Context.Request, deployment.Provider));
        }
        else
        {
            return AttemptOutcome.Failed(GatewayError.InvalidRequest(
                $"The model '{request.ModelId}' is served by a {deployment.Provider.Type.Name} upstream, which this surface cannot reach."));
        }

        var neutral = request.Neutral(client);

        // Upstreams that take images inline only get URLs fetched by the gateway, once per request.
        if (codec?.InlinesImages == true)
        {
            neutral = await request.InlinedAsync(client, images);
        }

        var attempt = neutral;
        var target = new UpstreamTarget(deployment.UpstreamModel) { DefaultMaxOutputTokens = entry.MaxOutputTokens ?? UpstreamTarget.DefaultOutputCap };

        // Tools the upstream cannot declare as the client did (namespaces, free-form, hosted) are
        // fitted to it, and calls mapped back.
        UpstreamAdapter? adapter = null;
        if (codec is not null)
        {
            try
            {
                adapter = UpstreamAdapter.For(attempt, codec.Abilities, deployment.Provider.Search);
            }
            catch (GatewayException exception)
            {
                return AttemptOutcome.Failed(exception.Error);
            }

            attempt = adapter.Request;
        }

        return request.Stream
            ? await StreamAsync(request, client, entry, deployment, target, backend, attempt, adapter)
            : await CompleteAsync(request, client, entry, deployment, target, backend, attempt, adapter);
    }

    private static async Task<AttemptOutcome> CompleteAsync(GatewayRequest gateway, IClientCodec client, ModelEntry entry, Deployment deployment, UpstreamTarget target, IChatBackend backend, ChatRequest request, UpstreamAdapter? adapter)
    {
        var result = await backend.CompleteAsync(request, deployment, target, gateway.Aborted);
        if (result.Response is not { } answer)
        {
            return AttemptOutcome.Failed(result.Error!);
        }

        var response = adapter?.Restore(answer) ?? answer;
        response.Model = gateway.ModelId!;
        response.Usage = CostCalculator.Priced(entry.Pricing, response.Usage);
        response.Metadata = request.Metadata;
        response.Echo = request.Echo;
        if (gateway.Turn is { } turn)
        {
            response.Id = turn.ResponseId;
        }

        using var buffer = new PooledBufferWriter();
        client.WriteResponse(response, buffer);
        if (gateway.Turn is { } captured)
        {
            captured.FinalResponse = buffer.WrittenSpan.ToArray();
        }

        // Known before the first byte is written: a client that leaves mid-body still pays for the answer.
        gateway.Relayed.Reported = response.Usage;
        gateway.Relayed.Completed = true;

        var http = gateway.Context.Response;
        ResponseStart.Json(http, gateway.Adjustments);
        http.ContentLength = buffer.WrittenCount;
        await http.Body.WriteAsync(buffer.WrittenMemory, gateway.Aborted);
        return AttemptOutcome.Served(response.Usage);
    }

    private static async Task<AttemptOutcome> StreamAsync(GatewayRequest gateway, IClientCodec client, ModelEntry entry, Deployment deployment, UpstreamTarget target, IChatBackend backend, ChatRequest request, UpstreamAdapter? adapter)
    {
        var events = backend.StreamAsync(request, deployment, target, gateway.Aborted);
        var upstream = (adapter is null ? events : adapter.Restore(events, gateway.Aborted)).GetAsyncEnumerator(gateway.Aborted);
        try
        {
            // Hold events until the first content arrives: a failure before it is not yet the
            // client's business, and the pipeline may still try another deployment.
            var prefix = new List<StreamEvent>(4);
            while (await upstream.MoveNextAsync())
            {
                var current = upstream.Current;
                if (current is ResponseFailed failed)
                {
                    return AttemptOutcome.Failed(failed.Error);
                }

                prefix.Add(current);
                if (current is not ResponseStarted and not UsageUpdated)
                {
                    break;
                }
            }

            var meter = new StreamMeter(entry.Pricing, gateway.Relayed);
            var options = new StreamWriteOptions
            {
                Model = gateway.ModelId!,
                IncludeUsageChunk = request.StreamIncludeUsage,
                Metadata = request.Metadata,
                Echo = request.Echo,
                ResponseId = gateway.Turn?.ResponseId,
                OnFinalAnswer = gateway.Turn is { } turn ? answer => turn.FinalResponse = answer : null,
            };
            using var stream = new ClientStream(gateway);
            await using var frames = client.WriteStream(meter.Apply(prefix, upstream), options, gateway.Aborted).GetAsyncEnumerator(gateway.Aborted);
            while (true)
            {
                try
                {
                    if (!await NextAsync(frames, stream, gateway.Aborted))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException) when (gateway.Aborted.IsCancellationRequested && gateway.Relayed.Completed && stream.Flushed && !gateway.JsonArray)
                {
                    // The client left after the upstream's last event had gone out to it, while the
                    // gateway waited for the upstream's own end: the answer was delivered. (A failed
                    // flush of the last events leaves them unsent and is not caught here.)
                    break;
                }

                if (gateway.Relayed.Completed)
                {
                    // The upstream's last event is being written: the key's slot is as good as free.
                    gateway.MarkFinishing();
                }

                await stream.AddAsync(frames.Current, gateway.Aborted);
            }

            await stream.CloseAsync(gateway.Aborted);
            return new AttemptOutcome(true, meter.Failure, meter.Usage);
        }
        finally
        {
            gateway.Telemetry?.StreamEnded();
            await upstream.DisposeAsync();
        }
    }

    /// <summary>
    /// The next event to write. Events the upstream has already sent are gathered into one write
    /// (<see cref="ClientStream.AddAsync"/>); when the next one is not ready, what is gathered goes
    /// out while it is awaited. Should that write fail (the client left), the pending read is
    /// waited out — the request's cancellation ends it — so the enumerator is idle when disposed.
    /// Called for every upstream event: its state machine is pooled, not allocated each time the
    /// upstream's next event is not there yet.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> NextAsync(IAsyncEnumerator<SseFrame> frames, ClientStream stream, CancellationToken cancellationToken)
    {
        var next = frames.MoveNextAsync();
        if (next.IsCompleted)
        {
            return await next;
        }

        try
        {
            await stream.FlushAsync(cancellationToken);
        }
        catch
        {
            try
            {
                await next;
            }
            catch (Exception)
            {
                // The write's failure is the one reported.
            }

            throw;
        }

        return await next;
    }

    /// <summary>
    /// The metering stage: prices usage as it passes and keeps <see cref="RelayedUsage"/> current
    /// (the usage last seen, the text relayed), for charging what was relayed however the stream ends.
    /// </summary>
    private sealed class StreamMeter(Pricing? pricing, RelayedUsage? relayed)
    {
        private Usage? _usage;

        public Usage? Usage
        {
            get => _usage;
            private set
            {
                _usage = value;
                relayed?.Reported = value;
            }
        }

        public GatewayError? Failure { get; private set; }

        /// <summary>The events read ahead (<paramref name="prefix"/>), then the rest of the stream, metered as they pass.</summary>
        public async IAsyncEnumerable<StreamEvent> Apply(List<StreamEvent> prefix, IAsyncEnumerator<StreamEvent> rest)
        {
            var read = 0;
            while (read < prefix.Count || await rest.MoveNextAsync())
            {
                var item = read < prefix.Count ? prefix[read++] : rest.Current;
                switch (item)
                {
                    case ResponseStarted { Usage: { } startUsage } started:
                        Usage = CostCalculator.Priced(pricing, startUsage);
                        yield return started with { Usage = Usage };
                        break;
                    case UsageUpdated updated:
                        Usage = CostCalculator.Priced(pricing, updated.Usage);
                        yield return new UsageUpdated(Usage);
                        break;
                    case TextDelta text:
                        relayed?.AddText(text.Text.Length);
                        yield return text;
                        break;
                    case ReasoningDelta reasoning:
                        relayed?.AddText(reasoning.Text.Length);
                        yield return reasoning;
                        break;
                    case RefusalDelta refusal:
                        relayed?.AddText(refusal.Text.Length);
                        yield return refusal;
                        break;
                    case ToolArgumentsDelta arguments:
                        relayed?.AddText(arguments.Json.Length);
                        yield return arguments;
                        break;
                    case ResponseCompleted completed:
                        Usage = CostCalculator.Priced(pricing, completed.Usage);
                        relayed?.Completed = true;
                        yield return completed with { Usage = Usage };
                        break;
                    case ResponseFailed failed:
                        Failure = failed.Error;
                        yield return failed;
                        break;
                    default:
                        yield return item;
                        break;
                }
            }
        }
    }
}
