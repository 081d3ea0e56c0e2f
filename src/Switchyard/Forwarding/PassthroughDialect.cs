using System.Buffers;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Forwarding;

/// <summary>
/// What the passthrough path needs to know about one dialect: its parameter ranges, the edits its
/// requests need, how to tap its streams for usage, and how it reports errors.
/// </summary>
public abstract class PassthroughDialect
{
    public abstract Dialect Dialect { get; }

    /// <summary>Documented numeric ranges; values outside are clamped and reported (CONTRACT §4).</summary>
    public abstract IReadOnlyList<(string Name, double Min, double Max)> Ranges { get; }

    /// <summary>Streams must ask the upstream for usage (OpenAI's <c>stream_options.include_usage</c>).</summary>
    public virtual bool ForcesStreamUsage => false;

    /// <summary>The client's <c>metadata</c> is echoed on the answer (OpenAI surfaces, CONTRACT §4).</summary>
    public virtual bool EchoesMetadata => false;

    public abstract IUsageTap CreateTap(string clientModel, bool clientAskedForUsageChunk, Func<Usage, decimal?>? price);

    public abstract GatewayError ReadError(int status, byte[] body);

    /// <summary>Reads the top-level <c>usage</c> object of a non-streamed answer.</summary>
    public abstract Usage ReadUsage(ReadOnlySpan<byte> usageJson);

    /// <summary>The model is named in the body (false for Gemini, whose model is in the URL).</summary>
    public virtual bool ModelInBody => true;

    /// <summary>The top-level property of an answer that reports the model.</summary>
    public virtual ReadOnlySpan<byte> ModelProperty => "model"u8;

    /// <summary>The top-level property of an answer that carries usage.</summary>
    public virtual ReadOnlySpan<byte> UsageProperty => "usage"u8;

    /// <summary>The error object a committed stream ends with, as JSON (the data of the error frame).</summary>
    public abstract void WriteErrorJson(GatewayError error, IBufferWriter<byte> output);

    /// <summary>The in-stream error frame that ends a committed stream.</summary>
    public virtual void WriteErrorFrame(GatewayError error, IBufferWriter<byte> output)
    {
        using var json = new Dialects.Json.PooledBufferWriter(512);
        WriteErrorJson(error, json);
        Dialects.Sse.SseStreams.Write(output, new Dialects.Sse.SseFrame(ErrorEventType, json.WrittenMemory));
    }

    /// <summary>The SSE event type of the error frame, where the dialect names its events.</summary>
    protected virtual string? ErrorEventType => null;

    /// <summary>Written when the upstream finished its answer but omitted the dialect's terminator.</summary>
    public virtual ReadOnlyMemory<byte> Terminator => ReadOnlyMemory<byte>.Empty;

    public static PassthroughDialect? For(Dialect dialect) => dialect switch
    {
        Dialect.OpenAIChat => OpenAIPassthrough.Chat,
        Dialect.OpenAIEmbeddings => OpenAIPassthrough.Embeddings,
        Dialect.AnthropicMessages => AnthropicPassthrough.Instance,
        Dialect.GeminiGenerate => GeminiPassthrough.Instance,
        Dialect.OpenAIResponses => ResponsesPassthrough.Instance,
        _ => null,
    };
}
