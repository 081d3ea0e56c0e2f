using System.Text.Json;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;
using Switchyard.Metering;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>
/// The fast path for a client whose dialect is the upstream's own: no neutral model and no
/// re-serialisation. The request's bytes go up with a few top-level edits (<see cref="PassthroughPlan"/>);
/// the answer's bytes come back with a few top-level edits (model id, cost, metadata) while the
/// dialect's tap reads the usage.
/// </summary>
internal static class PassthroughForwarder
{
    /// <summary>One attempt on one deployment of the request's own dialect.</summary>
    public static async Task<AttemptOutcome> ForwardAsync(GatewayRequest request, IPassthrough dialect, PassthroughPlan plan, ModelEntry entry, Deployment deployment)
    {
        var endpoint = (IUpstreamEndpoint)dialect;
        var context = request.Context;

        // 1. Body: the client's bytes, or a copy with the model (and the plan's edits) rewritten.
        using var rewritten = new PooledBufferWriter(request.Body.Length + 64);
        var body = plan.TryRewrite(request.Body.Span, request.TopLevel, request.ModelId!, deployment.UpstreamModel, rewritten)
            ? rewritten.WrittenMemory
            : request.Body;

        // 2. Send and wait for the upstream's headers.
        body = UpstreamClient.ForProvider(deployment, endpoint, body, out var edited);
        using var disposeEdited = edited;
        using var message = UpstreamClient.CreateRequest(deployment, endpoint, request.Stream, body, HeaderPolicy.FromClient(context.Request, deployment.Provider));
        request.Attempts++;
        var (call, error) = await UpstreamClient.SendAsync(deployment.Provider, message, body, context.RequestAborted);
        if (call is null)
        {
            return AttemptOutcome.Failed(error!);
        }

        using (call)
        {
            request.Upstream += call.HeadersElapsed;
            try
            {
                // 3. Upstream errors are rewritten into the caller's envelope: same family, but scrubbed.
                if (!call.Response.IsSuccessStatusCode)
                {
                    return AttemptOutcome.Failed(await UpstreamClient.ReadErrorAsync(call, endpoint, context.RequestAborted));
                }

                if (request.Stream && UpstreamClient.NotAStream(call) is { } notAStream)
                {
                    return AttemptOutcome.Failed(notAStream);
                }

                // 4. Answer: relayed with the few edits.
                return request.Stream && dialect is IStreamPassthrough streaming
                    ? await RelayStreamAsync(request, streaming, plan, entry, deployment, call)
                    : await RelayJsonAsync(request, dialect, plan, entry, call);
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
            {
                return AttemptOutcome.Failed(UpstreamClient.Timeout());
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                // An answer read from the response stream fails with an IOException (HttpIOException),
                // not the HttpRequestException that buffering it in HttpContent wrapped it in.
                return AttemptOutcome.Failed(UpstreamClient.ConnectionFailed());
            }
            catch (GatewayException exception)
            {
                // The answer was larger than the gateway reads (UpstreamClient.MaxAnswerBytes).
                return AttemptOutcome.Failed(exception.Error);
            }
        }
    }

    private static async Task<AttemptOutcome> RelayJsonAsync(GatewayRequest request, IPassthrough dialect, PassthroughPlan plan, ModelEntry entry, UpstreamCall call)
    {
        using var answerBuffer = await UpstreamClient.ReadBodyPooledAsync(call);
        using var output = new PooledBufferWriter(answerBuffer.WrittenCount + 128);
        var (usage, written) = EditAnswer(request, dialect, plan, entry, answerBuffer.WrittenMemory, output);
        if (written is null)
        {
            return AttemptOutcome.Failed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed response.") { Code = "upstream_error" });
        }

        // Known before the first byte is written: a client that leaves mid-body still pays for the answer.
        request.Relayed.Reported = usage;
        request.Relayed.Completed = usage is not null;

        var response = request.Context.Response;
        ResponseStart.Json(response, request.Adjustments);
        if (request.Turn is { } turn)
        {
            turn.FinalResponse = written.Value.ToArray();
        }

        response.ContentLength = written.Value.Length;
        await response.Body.WriteAsync(written.Value, request.Aborted);
        return AttemptOutcome.Served(usage);
    }

    /// <summary>
    /// The answer with its few top-level edits (into <paramref name="output"/> when there are any),
    /// and its usage; null when the answer is not a JSON object. Synchronous, so the top-level table
    /// and the editor, which the relay uses only here, are this thread's spares rather than new.
    /// </summary>
    private static (Usage? Usage, ReadOnlyMemory<byte>? Written) EditAnswer(
        GatewayRequest request, IPassthrough dialect, PassthroughPlan plan, ModelEntry entry, ReadOnlyMemory<byte> answerMemory, PooledBufferWriter output)
    {
        var answer = answerMemory.Span;
        var topLevel = t_spareTopLevel ?? new JsonTopLevel();
        var edits = t_spareEditor ?? new JsonTopLevelEditor();
        t_spareTopLevel = null;
        t_spareEditor = null;
        try
        {
            topLevel.Rescan(answer);
        }
        catch (GatewayException)
        {
            return (null, null);
        }

        Usage? usage = null;
        if (topLevel.TryGet(answer, dialect.UsageProperty, out var usageProperty) && usageProperty.ValueKind == JsonTokenType.StartObject)
        {
            var usageJson = answer[usageProperty.Value];
            usage = CostCalculator.Priced(entry.Pricing, dialect.ReadAnswerUsage(answer, topLevel, usageJson));
            if (usage.Cost is decimal cost)
            {
                edits.SetWithNumber(dialect.UsageProperty, usageJson, "cost"u8, cost);
            }
        }

        if (topLevel.TryGet(answer, dialect.ModelProperty, out _) && topLevel.GetString(answer, dialect.ModelProperty) != request.ModelId)
        {
            edits.SetString(dialect.ModelProperty, request.ModelId!);
        }

        if (plan.Metadata is { } metadata && !topLevel.TryGet(answer, "metadata"u8, out _))
        {
            edits.Set("metadata"u8, metadata);
        }

        var written = answerMemory;
        if (edits.HasEdits)
        {
            edits.WriteTo(answer, topLevel, output);
            written = output.WrittenMemory;
        }

        // Kept for the thread's next answer, unless an answer of very many properties grew the table.
        edits.Clear();
        t_spareTopLevel = topLevel.Count <= 64 ? topLevel : null;
        t_spareEditor = edits;
        return (usage, written);
    }

    [ThreadStatic]
    private static JsonTopLevel? t_spareTopLevel;

    [ThreadStatic]
    private static JsonTopLevelEditor? t_spareEditor;

    private static async Task<AttemptOutcome> RelayStreamAsync(GatewayRequest request, IStreamPassthrough dialect, PassthroughPlan plan, ModelEntry entry, Deployment deployment, UpstreamCall call)
    {
        var tap = dialect.CreateTap(new TapOptions
        {
            ClientModel = request.ModelId!,
            ClientAskedForUsageChunk = plan.ClientAskedForUsageChunk,
            Price = entry.Pricing is { } pricing ? usage => CostCalculator.Cost(pricing, usage) : null,
            OnFinalAnswer = request.Turn is { } turn ? answer => turn.FinalResponse = answer : null,
        });
        using var disposeTap = tap as IDisposable;
        using var counted = new RelayedTextCounter(tap, tap, request.Relayed);
        using var client = new ClientStream(request);
        var handler = client.Frame(counted);
        using var disposeHandler = handler == counted ? null : handler as IDisposable;
        var framing = deployment.UpstreamDialect is IUpstreamCodec codec ? codec.Framing : Dialects.Framing.StreamFraming.Sse;
        GatewayError? failure = null;
        var delivered = false;
        async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            // The upstream's last event is in these bytes: the key's slot is as good as free.
            var last = tap.Completed;
            if (last)
            {
                request.MarkFinishing();
            }

            await client.WriteAsync(bytes, cancellationToken);
            delivered = last && !request.JsonArray;
        }

        try
        {
            await using var body = await call.OpenBodyAsync();
            await SseRelay.RunAsync(body, framing, handler, WriteAsync, request.Aborted);
        }
        catch (OperationCanceledException) when (!request.Aborted.IsCancellationRequested)
        {
            failure = UpstreamClient.Timeout();
        }
        catch (OperationCanceledException) when (delivered)
        {
            // The client left once it had the whole answer, while the gateway waited for the upstream's own end.
        }
        catch (SseFrameTooLargeException tooLarge)
        {
            failure = UpstreamClient.FrameTooLarge(tooLarge);
        }
        catch (Exception exception) when (exception is IOException or HttpRequestException)
        {
            failure = UpstreamClient.ConnectionBroke();
        }

        request.Telemetry?.StreamEnded();
        failure ??= tap.Error;
        if (failure is null && !tap.Completed)
        {
            failure = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream closed the stream before it finished.") { Code = "upstream_error", AllowsFailover = true };
        }

        if (!client.Committed)
        {
            return AttemptOutcome.Failed(failure ?? new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent an empty stream.") { Code = "upstream_error", AllowsFailover = true });
        }

        // After commit an error ends the stream with the surface's own error frame, and nothing after it.
        if (failure is not null)
        {
            using var tail = new PooledBufferWriter(512);
            handler.OnFailure(failure, tail);
            await client.WriteAsync(tail.WrittenMemory, request.Aborted);
        }

        await client.CloseAsync(request.Aborted);
        return new AttemptOutcome(true, failure, tap.Usage);
    }
}
