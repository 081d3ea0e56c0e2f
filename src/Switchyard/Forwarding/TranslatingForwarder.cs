using System.Runtime.CompilerServices;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;
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
/// </summary>
public sealed class TranslatingForwarder(EchoBackend echo, ImageFetcher images)
{
    public async Task<AttemptOutcome> ForwardAsync(ChatExchange exchange, ModelEntry entry, Deployment deployment)
    {
        IChatBackend backend;
        if (deployment.UpstreamDialect is not { } dialect)
        {
            backend = echo;
        }
        else if (ChatCodecs.All.TryGetValue(dialect, out var codec))
        {
            backend = new HttpChatBackend(codec, exchange.Timings, HeaderPolicy.FromClient(exchange.Context.Request, deployment.Provider.Type));
        }
        else
        {
            return AttemptOutcome.Failed(GatewayError.InvalidRequest(
                $"The model '{exchange.ModelId}' is served by a {deployment.Provider.Type} upstream, which this surface cannot reach yet."));
        }

        var request = exchange.Request;
        request.DefaultMaxOutputTokens = entry.MaxOutputTokens ?? request.DefaultMaxOutputTokens;

        // Gemini takes images inline only; the gateway fetches URLs for it, once per request.
        if (deployment.UpstreamDialect == Dialect.GeminiGenerate && !exchange.ImagesInlined)
        {
            await ImageInliner.InlineAsync(request, images, exchange.Aborted);
            exchange.ImagesInlined = true;
        }

        // Tools the upstream cannot declare as the client did (namespaces, free-form, hosted) are fitted to it, and calls mapped back.
        var adapter = (UpstreamAdapter?)null;
        if (deployment.UpstreamDialect is { } upstreamDialect)
        {
            try
            {
                adapter = UpstreamAdapter.For(request, upstreamDialect, deployment.Provider.Search);
            }
            catch (GatewayException exception)
            {
                return AttemptOutcome.Failed(exception.Error);
            }

            request = adapter.Request;
        }

        return exchange.Stream
            ? await StreamAsync(exchange, entry, deployment, backend, request, adapter)
            : await CompleteAsync(exchange, entry, deployment, backend, request, adapter);
    }

    private static async Task<AttemptOutcome> CompleteAsync(ChatExchange exchange, ModelEntry entry, Deployment deployment, IChatBackend backend, ChatRequest request, UpstreamAdapter? adapter)
    {
        var result = await backend.CompleteAsync(request, deployment, exchange.Aborted);
        if (result.Response is not { } answer)
        {
            return AttemptOutcome.Failed(result.Error!);
        }

        var response = adapter?.Restore(answer) ?? answer;

        response.Model = exchange.ModelId;
        response.Usage = CostCalculator.Priced(entry.Pricing, response.Usage);
        response.Metadata = request.Metadata;
        response.Echo = request.Echo;
        if (exchange.Turn is { } turn)
        {
            response.Id = turn.ResponseId;
        }

        using var buffer = new PooledBufferWriter();
        exchange.Surface.WriteResponse(response, buffer);
        if (exchange.Turn is { } captured)
        {
            captured.FinalResponse = buffer.WrittenSpan.ToArray();
        }

        if (exchange.Relayed is { } relayed)
        {
            // Known before the first byte is written: a client that leaves mid-body still pays for the answer.
            relayed.Reported = response.Usage;
            relayed.Completed = true;
        }

        var http = exchange.Context.Response;
        ResponseStart.Json(http, exchange.Adjustments);
        http.ContentLength = buffer.WrittenCount;
        await http.Body.WriteAsync(buffer.WrittenMemory, exchange.Aborted);
        return AttemptOutcome.Served(response.Usage);
    }

    private static async Task<AttemptOutcome> StreamAsync(ChatExchange exchange, ModelEntry entry, Deployment deployment, IChatBackend backend, ChatRequest request, UpstreamAdapter? adapter)
    {
        var events = backend.StreamAsync(request, deployment, exchange.Aborted);
        var upstream = (adapter is null ? events : adapter.Restore(events, exchange.Aborted)).GetAsyncEnumerator(exchange.Aborted);
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

            var meter = new StreamMeter(entry.Pricing, exchange.Relayed);
            var options = new StreamWriteOptions
            {
                Model = exchange.ModelId,
                IncludeUsageChunk = request.StreamIncludeUsage,
                Metadata = request.Metadata,
                Echo = request.Echo,
                ResponseId = exchange.Turn?.ResponseId,
            };
            var http = exchange.Context.Response;
            var array = exchange.JsonArray ? new JsonArrayWriter() : null;
            exchange.Timings.Telemetry?.StreamStarted();
            if (array is null)
            {
                ResponseStart.EventStream(http, exchange.Adjustments);
            }
            else
            {
                ResponseStart.Json(http, exchange.Adjustments);
            }

            using var buffer = new PooledBufferWriter();
            var frames = exchange.Surface.WriteStream(meter.Apply(Concat(prefix, upstream)), options, exchange.Aborted);
            await foreach (var frame in frames)
            {
                if (exchange.Turn is { } turn && frame.EventType is "response.completed" or "response.incomplete")
                {
                    turn.FinalResponse = NestedResponse(frame.Data.Span);
                }

                if (array is null)
                {
                    SseStreams.Write(buffer, frame);
                }
                else
                {
                    array.WriteElement(buffer, frame.Data.Span);
                }

                await http.BodyWriter.WriteAsync(buffer.WrittenMemory, exchange.Aborted);
                buffer.Clear();
            }

            if (array is not null)
            {
                array.Close(buffer);
                await http.BodyWriter.WriteAsync(buffer.WrittenMemory, exchange.Aborted);
            }

            return new AttemptOutcome(true, meter.Failure, meter.Usage);
        }
        finally
        {
            exchange.Timings.Telemetry?.StreamEnded();
            await upstream.DisposeAsync();
        }
    }

    /// <summary>The <c>response</c> object inside a Responses terminal event.</summary>
    private static byte[]? NestedResponse(ReadOnlySpan<byte> data)
    {
        var topLevel = JsonTopLevel.Scan(data);
        return topLevel.TryGet(data, "response"u8, out var response) ? data[response.Value].ToArray() : null;
    }

    private static async IAsyncEnumerable<StreamEvent> Concat(List<StreamEvent> prefix, IAsyncEnumerator<StreamEvent> rest)
    {
        foreach (var item in prefix)
        {
            yield return item;
        }

        while (await rest.MoveNextAsync())
        {
            yield return rest.Current;
        }
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

        public async IAsyncEnumerable<StreamEvent> Apply(IAsyncEnumerable<StreamEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var item in events.WithCancellation(cancellationToken))
            {
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
