using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// Gemini <c>generateContent</c> / <c>streamGenerateContent</c>, both sides, with its passthrough
/// rules, <c>:countTokens</c> and the <c>/v1beta/models</c> listing. The model travels in the URL,
/// not the body.
/// </summary>
public sealed class GeminiGenerateDialect : ChatDialect, IStreamPassthrough, ITokenCounting, IModelListing
{
    public static GeminiGenerateDialect Instance { get; } = new();

    /// <summary>The Gemini surface serves chat and embedding models (<see cref="GeminiEmbedDialect"/>).</summary>
    public static Surface GeminiSurface { get; } = new()
    {
        Name = "gemini",
        Route = "/v1beta/models/{model}:generateContent",
        Kinds = new HashSet<ModelKind> { ModelKind.Chat, ModelKind.Embedding },
    };

    public override string Name => "gemini-generate";

    public override Surface Surface => GeminiSurface;

    /// <summary>The method follows the model after a colon (<c>gemini-2.5-flash:streamGenerateContent</c>).</summary>
    public override IReadOnlyList<ClientRoute> Routes { get; } =
    [
        new("GET", "/v1beta/models", RouteOperation.ListModels) { AllowsQueryKey = true },
        new("GET", "/v1beta/models/{**id}", RouteOperation.GetModel) { AllowsQueryKey = true },
        new("POST", "/v1beta/models/{model}:generateContent", RouteOperation.Generate) { OperationName = "generate_content", Stream = false, AllowsQueryKey = true },
        new("POST", "/v1beta/models/{model}:streamGenerateContent", RouteOperation.Generate)
        {
            OperationName = "generate_content",
            Stream = true,
            JsonArrayUnlessAltSse = true,
            AllowsQueryKey = true,
        },
        new("POST", "/v1beta/models/{model}:countTokens", RouteOperation.CountTokens) { OperationName = "count_tokens", AllowsQueryKey = true },
        new("POST", "/v1beta/models/{**id}", RouteOperation.Unknown) { AllowsQueryKey = true },
    ];

    public override MediaUrlReader MediaUrls => GenerateContentMediaUrls.Instance;

    public override string Path(string upstreamModel, bool stream) =>
        $"/v1beta/models/{Uri.EscapeDataString(upstreamModel)}:{(stream ? "streamGenerateContent?alt=sse" : "generateContent")}";

    public override JsonTypeInfo RequestShape => GeminiJsonContext.Default.GenerateContentRequestWire;

    public override IReadOnlyList<string> CountFields { get; } =
    [
        "generationConfig.maxOutputTokens", "generationConfig.candidateCount", "generationConfig.topK",
        "generation_config.max_output_tokens", "generation_config.candidate_count", "generation_config.top_k",
    ];

    /// <summary>Gemini takes images inline only; the gateway fetches URLs for it.</summary>
    public override bool InlinesImages => true;

    /// <summary>Gemini writes back its own safety settings from a client of its dialect.</summary>
    public override UpstreamAbilities Abilities { get; } = new() { ExtensionPrefix = "gemini.", WrittenExtensions = ["gemini."] };

    /// <summary>Gemini's sampling parameters sit inside generationConfig; the upstream validates them itself.</summary>
    public IReadOnlyList<ParameterRange> Ranges => [];

    public bool ModelInBody => false;

    public ReadOnlySpan<byte> ModelProperty => "modelVersion"u8;

    public ReadOnlySpan<byte> UsageProperty => "usageMetadata"u8;

    public Usage ReadUsage(ReadOnlySpan<byte> usageJson) => GenerateContentUsageTap.ReadUsage(usageJson);

    public IUsageTap CreateTap(TapOptions options) => new GenerateContentUsageTap(options.ClientModel, options.Price);

    /// <summary>The body is <c>{contents}</c> or <c>{generateContentRequest: {...}}</c>; both parse as a request.</summary>
    public ChatRequest ReadCountRequest(ReadOnlyMemory<byte> body)
    {
        var topLevel = JsonTopLevel.Scan(body.Span);
        var inner = topLevel.TryGet(body.Span, "generateContentRequest"u8, out var wrapped) ? body[wrapped.Value] : body;
        return ReadRequest(inner, new ParamAdjustments());
    }

    public void WriteCount(long inputTokens, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteNumber("totalTokens"u8, inputTokens);
        writer.WriteEndObject();
    }

    public string CountPath(string upstreamModel) => $"/v1beta/models/{Uri.EscapeDataString(upstreamModel)}:countTokens";

    public string ModelId(string path) => path.StartsWith("models/", StringComparison.Ordinal) ? path[7..] : path;

    public void WriteList(IEnumerable<ModelInfo> models, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartArray("models"u8);
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

    public GatewayError NotFound(string id) => new(GatewayErrorKind.ModelNotFound, $"models/{id} is not found.");

    /// <summary>A Gemini <c>Model</c> resource (https://ai.google.dev/api/models#Model).</summary>
    private static void WriteModel(Utf8JsonWriter writer, ModelInfo model)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, "models/" + model.Id);
        writer.WriteString("baseModelId"u8, model.Id);
        writer.WriteString("version"u8, "001"u8);
        writer.WriteString("displayName"u8, model.Id);
        if (model.ContextWindow is int window)
        {
            writer.WriteNumber("inputTokenLimit"u8, window);
        }

        if (model.MaxOutputTokens is int output)
        {
            writer.WriteNumber("outputTokenLimit"u8, output);
        }

        writer.WriteStartArray("supportedGenerationMethods"u8);
        if (model.Kind == ModelKind.Embedding)
        {
            writer.WriteStringValue("embedContent"u8);
            writer.WriteStringValue("batchEmbedContents"u8);
        }
        else
        {
            writer.WriteStringValue("generateContent"u8);
            writer.WriteStringValue("streamGenerateContent"u8);
            writer.WriteStringValue("countTokens"u8);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Parses a client body; <see cref="ChatRequest.Model"/> is empty until the caller sets it from the path.</summary>
    public override ChatRequest ReadRequest(ReadOnlyMemory<byte> body, ParamAdjustments adjustments)
    {
        var wire = JsonWire.ReadClientBody(body.Span, GeminiJsonContext.Default.GenerateContentRequestWire);
        adjustments.Strict = wire.StrictParams == true;
        return JsonErrors.ClientValues(() => GenerateContentMapping.ToCanonical(wire, adjustments));
    }

    public override void WriteResponse(ChatResponse response, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        GenerateContentResponseWriter.Write(writer, response);
    }

    public override IAsyncEnumerable<SseFrame> WriteStream(IAsyncEnumerable<StreamEvent> events, StreamWriteOptions options, CancellationToken cancellationToken) =>
        GenerateContentStreamWriter.WriteAsync(events, options, cancellationToken);

    public override void WriteError(GatewayError error, IBufferWriter<byte> output) => GeminiErrors.Write(error, output);

    public override void WriteRequest(ChatRequest request, UpstreamTarget target, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        GenerateContentRequestWriter.Write(writer, request, target.Model);
    }

    public override ChatResponse ReadResponse(ReadOnlySpan<byte> body) =>
        JsonWire.ReadUpstreamAnswer(body, GeminiJsonContext.Default.GenerateContentResponseWire, GenerateContentMapping.ToCanonical);

    public override IAsyncEnumerable<StreamEvent> ReadStream(IAsyncEnumerable<SseFrame> frames, CancellationToken cancellationToken) =>
        GenerateContentStreamReader.ReadAsync(frames, cancellationToken);

    public override GatewayError ReadError(int status, ReadOnlySpan<byte> body) => GeminiErrors.Read(status, body);
}
