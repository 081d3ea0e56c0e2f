using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Anthropic;

/// <summary>Anthropic Messages (<c>POST /v1/messages</c>), both sides, its passthrough rules and its token count.</summary>
public sealed class AnthropicMessagesDialect : ChatDialect, IStreamPassthrough, ITokenCounting
{
    public static AnthropicMessagesDialect Instance { get; } = new();

    public static Surface MessagesSurface { get; } = new()
    {
        Name = "messages",
        Route = "/v1/messages",
        Kinds = new HashSet<ModelKind> { ModelKind.Chat },
    };

    public override string Name => "anthropic-messages";

    public override Surface Surface => MessagesSurface;

    public override IReadOnlyList<ClientRoute> Routes { get; } =
    [
        new("POST", "/v1/messages", RouteOperation.Generate),
        new("POST", "/v1/messages/count_tokens", RouteOperation.CountTokens) { OperationName = "count_tokens" },
    ];

    public override MediaUrlReader MediaUrls => MessagesMediaUrls.Instance;

    public override UpstreamAbilities Abilities { get; } = new() { ExtensionPrefix = "anthropic.", WrittenExtensions = ["anthropic."] };

    public override string Path(string upstreamModel, bool stream) => "/v1/messages";

    public override JsonTypeInfo RequestShape => AnthropicJsonContext.Default.MessagesRequestWire;

    public override IReadOnlyList<string> CountFields { get; } = ["max_tokens", "top_k", "thinking.budget_tokens"];

    /// <summary>https://docs.anthropic.com/en/api/messages: temperature and top_p range over 0..1.</summary>
    public IReadOnlyList<ParameterRange> Ranges { get; } =
    [
        new("temperature", 0, 1),
        new("top_p", 0, 1),
        new("max_tokens", 1, int.MaxValue),
    ];

    public Usage ReadUsage(ReadOnlySpan<byte> usageJson) => MessagesUsageTap.ReadMessageUsage(usageJson);

    public IUsageTap CreateTap(TapOptions options) => new MessagesUsageTap(options.ClientModel, options.Price);

    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments) =>
        Read(body, adjustments, requireMaxTokens: true);

    public ChatRequest ReadCountRequest(ReadOnlyMemory<byte> body) => ReadCountTokensRequest(body);

    /// <summary>Parses a <c>count_tokens</c> body: a Messages request without <c>max_tokens</c>.</summary>
    public static ChatRequest ReadCountTokensRequest(ReadOnlyMemory<byte> body) =>
        Read(body, new ParamAdjustments(), requireMaxTokens: false);

    public string CountPath(string upstreamModel) => "/v1/messages/count_tokens";

    private static ChatRequest Read(ReadOnlyMemory<byte> body, ParamAdjustments adjustments, bool requireMaxTokens)
    {
        var wire = JsonWire.ReadClientBody(body.Span, AnthropicJsonContext.Default.MessagesRequestWire);
        adjustments.Strict = wire.StrictParams == true;
        return JsonErrors.ClientValues(() => MessagesMapping.ToCanonical(wire, adjustments, requireMaxTokens));
    }

    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        MessagesResponseWriter.Write(writer, response);
    }

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        MessagesStreamWriter.WriteAsync(events, options, cancellationToken);

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => AnthropicErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, UpstreamTarget target, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        MessagesRequestWriter.Write(writer, request, target);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body) =>
        JsonWire.ReadUpstreamAnswer(body, AnthropicJsonContext.Default.MessageResponseWire, MessagesMapping.ToCanonical);

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        MessagesStreamReader.ReadAsync(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => AnthropicErrors.Read(status, body);

    /// <summary>Writes the count_tokens answer, <c>{"input_tokens": n}</c>.</summary>
    public void WriteCount(long inputTokens, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteNumber("input_tokens"u8, inputTokens);
        writer.WriteEndObject();
    }
}
