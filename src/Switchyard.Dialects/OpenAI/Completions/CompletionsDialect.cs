using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Completions;

/// <summary>
/// The legacy <c>POST /v1/completions</c> surface (no streaming, CONTRACT §3). The prompt becomes
/// one user message, so any chat model can answer it.
/// </summary>
public sealed class CompletionsDialect : ChatDialect
{
    public static CompletionsDialect Instance { get; } = new();

    public override Dialect Dialect => Dialect.OpenAICompletions;

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments)
    {
        CompletionRequestWire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body.Span, CompletionsJsonContext.Default.CompletionRequestWire);
        }
        catch (JsonException exception)
        {
            throw GatewayException.InvalidRequest(JsonErrors.Describe(exception), JsonErrors.Param(exception));
        }

        if (wire?.Model is not { Length: > 0 } model)
        {
            throw GatewayException.InvalidRequest("'model' is required.", "model");
        }

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

    public override async IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The surface refuses stream: true in ReadRequest, so no stream is ever written here.
        await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (item is ResponseFailed failed)
            {
                yield return SseFrame.FromData(JsonSerializer.SerializeToUtf8Bytes(failed.Error.Message, DialectsJsonContext.Default.String));
            }
        }
    }

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        JsonSerializer.Serialize(writer, new CompletionRequestWire
        {
            Model = upstreamModel,
            Prompt = JsonSerializer.SerializeToElement(string.Join("\n\n", request.Messages.Select(m => m.Text)), DialectsJsonContext.Default.String),
            MaxTokens = request.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            Seed = request.Seed,
            User = request.User,
        }, CompletionsJsonContext.Default.CompletionRequestWire);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        var wire = JsonSerializer.Deserialize(body, CompletionsJsonContext.Default.CompletionWire);
        var choice = wire?.Choices is { Count: > 0 } choices ? choices[0] : null;
        return new ChatResponse
        {
            Id = wire?.Id ?? string.Empty,
            Model = wire?.Model ?? string.Empty,
            Parts = [new TextPart(choice?.Text ?? string.Empty)],
            FinishReason = ChatCompletionsMapping.FinishReasonToCanonical(choice?.FinishReason),
            Usage = wire?.Usage is { } usage ? ChatCompletionsMapping.ToCanonical(usage) : Usage.Empty,
        };
    }

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        ChatCompletionsDialect.Instance.ReadStream(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);
}
