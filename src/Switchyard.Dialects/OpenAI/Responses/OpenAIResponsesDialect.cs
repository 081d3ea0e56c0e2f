using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>
/// OpenAI Responses (<c>POST /v1/responses</c>), both sides, its passthrough rules, its token
/// count (<c>/v1/responses/input_tokens</c>) and its stored conversations (<c>previous_response_id</c>).
/// </summary>
public sealed class OpenAIResponsesDialect : ChatDialect, IStreamPassthrough, ITokenCounting, IStoredConversation
{
    public static OpenAIResponsesDialect Instance { get; } = new();

    public static Surface ResponsesSurface { get; } = new()
    {
        Name = "responses",
        Route = "/v1/responses",
        Kinds = new HashSet<ModelKind> { ModelKind.Chat },
    };

    public override string Name => "openai-responses";

    public override Surface Surface => ResponsesSurface;

    public override IReadOnlyList<ClientRoute> Routes { get; } = OpenAIRoutes.Under(
        new("POST", "/responses", RouteOperation.Generate),
        new ClientRoute("POST", "/responses/input_tokens", RouteOperation.CountTokens) { OperationName = "count_tokens" },
        new("GET", "/responses/{id}", RouteOperation.GetStored),
        new("DELETE", "/responses/{id}", RouteOperation.DeleteStored));

    public override MediaUrlReader MediaUrls => OpenAIMediaUrls.Instance;

    /// <summary>Responses declares namespaces, free-form tools and cache-only web search as they are.</summary>
    public override UpstreamAbilities Abilities { get; } = new()
    {
        ExtensionPrefix = "openai.responses.",
        WrittenExtensions = ["openai.responses."],
        NamespacesAndFreeFormTools = true,
        CachedWebSearch = true,
        PromptCacheKey = true,
    };

    public override string Path(string upstreamModel, bool stream) => "/responses";

    public override JsonTypeInfo RequestShape => ResponsesJsonContext.Default.ResponsesRequestWire;

    public override IReadOnlyList<string> CountFields { get; } = ["max_output_tokens", "max_tool_calls", "top_logprobs"];

    public IReadOnlyList<ParameterRange> Ranges { get; } =
    [
        new("temperature", 0, 2),
        new("top_p", 0, 1),
        new("max_output_tokens", 1, int.MaxValue),
    ];

    public bool EchoesMetadata => true;

    public Usage ReadUsage(ReadOnlySpan<byte> usageJson) => ResponsesUsageTap.ReadUsage(usageJson);

    /// <summary>Hosted web searches are output items, billed per call, not part of usage.</summary>
    public Usage ReadAnswerUsage(ReadOnlySpan<byte> answer, JsonTopLevel topLevel, ReadOnlySpan<byte> usageJson) =>
        ReadUsage(usageJson) with { WebSearchCalls = ResponsesUsageTap.CountWebSearchCalls(answer, topLevel) };

    public IUsageTap CreateTap(TapOptions options) => new ResponsesUsageTap(options.ClientModel, options.Price) { OnFinalAnswer = options.OnFinalAnswer };

    public ChatRequest ReadCountRequest(ReadOnlyMemory<byte> body) => ReadRequest(body, new ParamAdjustments());

    public void WriteCount(long inputTokens, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("object"u8, "response.input_tokens"u8);
        writer.WriteNumber("input_tokens"u8, inputTokens);
        writer.WriteEndObject();
    }

    public string CountPath(string upstreamModel) => "/responses/input_tokens";

    public ConversationTurnRequest ReadTurn(ReadOnlySpan<byte> body, JsonTopLevel topLevel) => ResponsesConversation.ReadTurn(body, topLevel);

    public ReadOnlyMemory<byte> Continue(ReadOnlySpan<byte> body, JsonTopLevel topLevel, ReadOnlySpan<byte> allItems) =>
        ResponsesConversation.Continue(body, topLevel, allItems);

    public (string Id, byte[] OutputItems)? ReadAnswer(ReadOnlySpan<byte> answer) => ResponsesConversation.ReadAnswer(answer);

    public byte[] Join(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second) => ResponsesConversation.Join(first, second);

    public string NewAnswerId() => ResponseIds.New();

    public void WriteDeleted(string id, IBufferWriter<byte> output) => ResponsesConversation.WriteDeleted(id, output);

    public GatewayError NotFound(string id, bool continuing) => continuing
        ? new GatewayError(GatewayErrorKind.NotFound, $"Previous response with id '{id}' not found.") { Param = "previous_response_id" }
        : new GatewayError(GatewayErrorKind.NotFound, $"No response found with id '{id}'.") { Param = "response_id" };

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments)
    {
        var wire = JsonWire.ReadClientBody(body.Span, ResponsesJsonContext.Default.ResponsesRequestWire);
        adjustments.Strict = wire.StrictParams == true;
        var request = JsonErrors.ClientValues(() => ResponsesMapping.ToCanonical(wire, adjustments));
        request.Echo = ResponseObjectWriter.Echo(body.Span);
        return request;
    }

    /// <summary>The settings of a Responses request body that its response object repeats (see <see cref="ChatRequest.Echo"/>).</summary>
    public JsonElement? EchoOf(ReadOnlySpan<byte> body) => ResponseObjectWriter.Echo(body);

    /// <summary>Writes the response object; <see cref="ChatResponse.Id"/> is used as the response id.</summary>
    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        var (status, reason) = ResponseObjectWriter.Status(response.FinishReason);
        ResponseObjectWriter.Write(writer, response.Id, response.Model, response.Created.ToUnixTimeSeconds(), status,
            ResponseObjectWriter.Items(response), response.Usage, response.Metadata, reason, echo: response.Echo);
    }

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        ResponsesStreamWriter.WriteAsync(events, options, cancellationToken);

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => OpenAIErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, UpstreamTarget target, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        ResponsesRequestWriter.Write(writer, request, target.Model);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body) =>
        JsonWire.ReadUpstreamAnswer(body, ResponsesJsonContext.Default.ResponseObjectWire, ResponsesMapping.ToCanonical);

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        ResponsesStreamReader.ReadAsync(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => OpenAIErrors.Read(status, body);

    /// <summary>Parses only the input items of a request or a stored conversation (for previous_response_id).</summary>
    public static List<ChatMessage> ReadItems(ReadOnlySpan<byte> itemsJson)
    {
        var items = JsonSerializer.Deserialize(itemsJson, ResponsesJsonContext.Default.ListItemWire) ?? [];
        return ResponsesMapping.ItemsToCanonical(items);
    }
}
