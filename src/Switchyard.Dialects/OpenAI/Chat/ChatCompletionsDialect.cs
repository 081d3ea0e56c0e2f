using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>
/// OpenAI Chat Completions (<c>POST /v1/chat/completions</c>), both sides, its passthrough rules,
/// and OpenAI's model listing (<c>GET /v1/models</c>).
/// </summary>
public sealed class ChatCompletionsDialect : ChatDialect, IStreamPassthrough, IModelListing
{
    public static ChatCompletionsDialect Instance { get; } = new();

    public static Surface ChatSurface { get; } = new()
    {
        Name = "chat",
        Route = "/v1/chat/completions",
        Kinds = new HashSet<ModelKind> { ModelKind.Chat },
        Preferred = true,
    };

    public override string Name => "openai-chat";

    public override Surface Surface => ChatSurface;

    public override IReadOnlyList<ClientRoute> Routes { get; } = OpenAIRoutes.Under(
        new("POST", "/chat/completions", RouteOperation.Generate),
        new("GET", "/models", RouteOperation.ListModels),
        new("GET", "/models/{**id}", RouteOperation.GetModel));

    public override MediaUrlReader MediaUrls => OpenAIMediaUrls.Instance;

    /// <summary>Fields of its own dialect the gateway does not know go back to a Chat Completions upstream.</summary>
    public override UpstreamAbilities Abilities { get; } = new() { ExtensionPrefix = "openai.chat.", WrittenExtensions = ["openai.chat."], PromptCacheKey = true };

    public override string Path(string upstreamModel, bool stream) => "/chat/completions";

    public override JsonTypeInfo RequestShape => ChatCompletionsJsonContext.Default.ChatCompletionRequestWire;

    public override IReadOnlyList<string> CountFields { get; } = ["max_tokens", "max_completion_tokens", "n", "top_logprobs"];

    public IReadOnlyList<ParameterRange> Ranges => ChatCompletionsParameters.Ranges;

    public bool ForcesStreamUsage => true;

    public bool EchoesMetadata => true;

    public Usage ReadUsage(ReadOnlySpan<byte> usageJson) => ChatCompletionsUsageTap.ReadUsage(usageJson);

    public IUsageTap CreateTap(TapOptions options) => new ChatCompletionsUsageTap(options.ClientModel, options.ClientAskedForUsageChunk, options.Price);

    public bool ListsAllSurfaces => true;

    public void WriteList(IEnumerable<ModelInfo> models, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("object"u8, "list"u8);
        writer.WriteStartArray("data"u8);
        foreach (var model in models)
        {
            WriteModel(writer, model);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public void WriteModel(ModelInfo model, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        WriteModel(writer, model);
    }

    /// <summary>A model the key may not use is as invisible as one that does not exist.</summary>
    public GatewayError NotFound(string id) =>
        new(GatewayErrorKind.ModelNotFound, $"The model '{id}' does not exist.") { Param = "model" };

    private static void WriteModel(Utf8JsonWriter writer, ModelInfo model)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, model.Id);
        writer.WriteString("object"u8, "model"u8);
        writer.WriteNumber("created"u8, model.Created);
        writer.WriteString("owned_by"u8, model.OwnedBy);
        writer.WriteEndObject();
    }

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments)
    {
        var wire = JsonWire.ReadClientBody(body.Span, ChatCompletionsJsonContext.Default.ChatCompletionRequestWire);
        adjustments.Strict = wire.StrictParams == true;
        return JsonErrors.ClientValues(() => ChatCompletionsMapping.ToCanonical(wire, adjustments));
    }

    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        ChatCompletionsResponseWriter.Write(writer, response);
    }

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        ChatCompletionsStreamWriter.WriteAsync(events, options, cancellationToken);

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, UpstreamTarget target, IBufferWriter<byte> output)
    {
        var wire = ChatCompletionsMapping.FromCanonical(request, target.Model);
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        JsonSerializer.Serialize(writer, wire, ChatCompletionsJsonContext.Default.ChatCompletionRequestWire);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body) =>
        JsonWire.ReadUpstreamAnswer(body, ChatCompletionsJsonContext.Default.ChatCompletionWire, ChatCompletionsMapping.ToCanonical);

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        ChatCompletionsStreamReader.ReadAsync(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);
}
