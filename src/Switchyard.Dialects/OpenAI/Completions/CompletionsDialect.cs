using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Completions;

/// <summary>
/// The legacy <c>POST /v1/completions</c> surface (no streaming, docs/surfaces.md). The prompt becomes
/// one user message, so any chat model can answer it.
/// </summary>
public sealed class CompletionsDialect : ChatDialect
{
    public static CompletionsDialect Instance { get; } = new();

    public static Surface CompletionsSurface { get; } = new()
    {
        Name = "completions",
        Route = "/v1/completions",
        Kinds = new HashSet<ModelKind> { ModelKind.Chat },
    };

    public override string Name => "openai-completions";

    public override Surface Surface => CompletionsSurface;

    public override IReadOnlyList<ClientRoute> Routes { get; } = OpenAIRoutes.Under(
        new ClientRoute("POST", "/completions", RouteOperation.Generate) { OperationName = "text_completion" });

    public override UpstreamAbilities Abilities { get; } = new() { ExtensionPrefix = "openai.completions." };

    public override string Path(string upstreamModel, bool stream) => "/completions";

    public override JsonTypeInfo RequestShape => CompletionsJsonContext.Default.CompletionRequestWire;

    public override IReadOnlyList<string> CountFields { get; } = ["max_tokens", "n", "logprobs"];

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments)
    {
        var wire = JsonWire.ReadClientBody(body.Span, CompletionsJsonContext.Default.CompletionRequestWire);
        if (wire.Model is not { Length: > 0 } model)
        {
            throw GatewayException.InvalidRequest("'model' is required.", "model");
        }

        return JsonErrors.ClientValues(() => ToCanonical(wire, model, adjustments));
    }

    private static ChatRequest ToCanonical(CompletionRequestWire wire, string model, ParamAdjustments adjustments)
    {
        if (wire.Stream == true)
        {
            throw GatewayException.InvalidRequest("Streaming is not available on /v1/completions; use /v1/chat/completions.", "stream");
        }

        var prompt = wire.Prompt switch
        {
            { ValueKind: JsonValueKind.String } text => text.GetString()!,
            { ValueKind: JsonValueKind.Array } many when many.GetArrayLength() == 1 && many[0].ValueKind == JsonValueKind.String => many[0].GetString()!,
            { ValueKind: JsonValueKind.Array } => throw GatewayException.InvalidRequest("Only a single prompt string is supported.", "prompt"),
            _ => throw GatewayException.InvalidRequest("'prompt' must be a string.", "prompt"),
        };

        adjustments.Strict = wire.StrictParams == true;
        if (wire.N is > 1)
        {
            adjustments.Dropped("n", "one completion is returned per request");
        }

        var maxTokens = ChatCompletionsParameters.Clamp("max_tokens", wire.MaxTokens, adjustments);
        return new ChatRequest
        {
            Model = model,
            Messages = [ChatMessage.FromText(Role.User, prompt)],
            MaxOutputTokens = maxTokens is double max ? (int)max : null,
            Temperature = ChatCompletionsParameters.Clamp("temperature", wire.Temperature, adjustments),
            TopP = ChatCompletionsParameters.Clamp("top_p", wire.TopP, adjustments),
            PresencePenalty = ChatCompletionsParameters.Clamp("presence_penalty", wire.PresencePenalty, adjustments),
            FrequencyPenalty = ChatCompletionsParameters.Clamp("frequency_penalty", wire.FrequencyPenalty, adjustments),
            Seed = wire.Seed,
            StopSequences = wire.Stop switch
            {
                { ValueKind: JsonValueKind.String } one => [one.GetString()!],
                { ValueKind: JsonValueKind.Array } many => many.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList(),
                _ => null,
            },
            User = wire.User,
            Adjustments = adjustments,
        };
    }

    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("id"u8, response.Id.StartsWith("cmpl-", StringComparison.Ordinal) ? response.Id : "cmpl-" + response.Id);
        writer.WriteString("object"u8, "text_completion"u8);
        writer.WriteNumber("created"u8, response.Created.ToUnixTimeSeconds());
        writer.WriteString("model"u8, response.Model);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteString("text"u8, string.Concat(response.Parts.OfType<TextPart>().Select(p => p.Text)));
        writer.WriteNumber("index"u8, 0);
        writer.WriteNull("logprobs"u8);
        writer.WriteString("finish_reason"u8, response.FinishReason == FinishReason.Length ? "length" : "stop");
        writer.WriteEndObject();
        writer.WriteEndArray();
        ChatCompletionsResponseWriter.WriteUsage(writer, response.Usage);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Legacy completion chunks (<c>object: text_completion</c>) and <c>[DONE]</c>. The surface refuses
    /// <c>stream: true</c> (docs/surfaces.md), so this serves translated streams only.
    /// </summary>
    public override async IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = "cmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (item)
            {
                case TextDelta text:
                    yield return Chunk(id, created, options.Model, text.Text, null, null);
                    break;
                case ResponseCompleted done:
                    yield return Chunk(id, created, options.Model, string.Empty, done.FinishReason == FinishReason.Length ? "length" : "stop", done.Usage);
                    yield return SseFrame.FromData("[DONE]"u8.ToArray());
                    yield break;
                case ResponseFailed failed:
                    var writer = ScratchJson.Start();
                    writer.WriteStartObject();
                    OpenAIErrors.WriteErrorObject(writer, failed.Error);
                    writer.WriteEndObject();
                    yield return SseFrame.FromData(ScratchJson.Finish(writer));
                    yield break;
            }
        }
    }

    private static SseFrame Chunk(string id, long created, string model, string text, string? finishReason, Usage? usage)
    {
        var writer = ScratchJson.Start();
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, "text_completion"u8);
        writer.WriteNumber("created"u8, created);
        writer.WriteString("model"u8, model);
        writer.WriteStartArray("choices"u8);
        writer.WriteStartObject();
        writer.WriteString("text"u8, text);
        writer.WriteNumber("index"u8, 0);
        ChatCompletionsResponseWriter.EndChunkChoice(writer, finishReason, usage);
        writer.WriteEndObject();
        return SseFrame.FromData(ScratchJson.Finish(writer));
    }

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, UpstreamTarget target, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        JsonSerializer.Serialize(writer, new CompletionRequestWire
        {
            Model = target.Model,
            Prompt = JsonSerializer.SerializeToElement(string.Join("\n\n", request.Messages.Select(m => m.Text)), DialectsJsonContext.Default.String),
            MaxTokens = request.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            PresencePenalty = request.PresencePenalty,
            FrequencyPenalty = request.FrequencyPenalty,
            Seed = request.Seed,
            Stop = request.StopSequences is { Count: > 0 } stops ? JsonSerializer.SerializeToElement(stops, DialectsJsonContext.Default.ListString) : null,
            User = request.User,
        }, CompletionsJsonContext.Default.CompletionRequestWire);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body) =>
        JsonWire.ReadUpstreamAnswer(body, CompletionsJsonContext.Default.CompletionWire, static wire =>
        {
            var choice = wire.Choices is { Count: > 0 } choices ? choices[0] : null;
            return new ChatResponse
            {
                Id = wire.Id ?? string.Empty,
                Model = wire.Model ?? string.Empty,
                Parts = [new TextPart(choice?.Text ?? string.Empty)],
                FinishReason = ChatCompletionsMapping.FinishReasonToCanonical(choice?.FinishReason),
                Usage = wire.Usage is { } usage ? ChatCompletionsMapping.ToCanonical(usage) : Usage.Empty,
            };
        });

    /// <summary>Legacy completion chunks to neutral events: one text part, then the finish.</summary>
    public override async IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = false;
        string? finish = null;
        var usage = Usage.Empty;
        await foreach (var frame in frames.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (frame.IsDone)
            {
                break;
            }

            CompletionWire? chunk;
            try
            {
                chunk = JsonSerializer.Deserialize(frame.Data.Span, CompletionsJsonContext.Default.CompletionWire);
            }
            catch (JsonException)
            {
                chunk = null;
            }

            if (chunk is null)
            {
                yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream frame.") { Code = "upstream_error" });
                yield break;
            }

            if (!started)
            {
                started = true;
                yield return new ResponseStarted(chunk.Id ?? string.Empty, chunk.Model ?? string.Empty);
                yield return new PartStarted(0, PartKind.Text);
            }

            var choice = chunk.Choices is { Count: > 0 } choices ? choices[0] : null;
            if (choice?.Text is { Length: > 0 } text)
            {
                yield return new TextDelta(0, text);
            }

            finish = choice?.FinishReason ?? finish;
            if (chunk.Usage is { } wireUsage)
            {
                usage = ChatCompletionsMapping.ToCanonical(wireUsage);
            }
        }

        if (!started || finish is null)
        {
            yield return new ResponseFailed(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream closed the stream before it finished.") { Code = "upstream_error" });
            yield break;
        }

        yield return new PartCompleted(0);
        yield return new ResponseCompleted(ChatCompletionsMapping.FinishReasonToCanonical(finish), usage);
    }

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);
}
