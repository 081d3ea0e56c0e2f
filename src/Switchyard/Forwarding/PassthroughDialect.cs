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

    /// <summary>The in-stream error frame that ends a committed stream.</summary>
    public abstract void WriteErrorFrame(GatewayError error, IBufferWriter<byte> output);

    /// <summary>Written when the upstream finished its answer but omitted the dialect's terminator.</summary>
    public virtual ReadOnlyMemory<byte> Terminator => ReadOnlyMemory<byte>.Empty;

    public static PassthroughDialect? For(Dialect dialect) => dialect switch
    {
        Dialect.OpenAIChat => OpenAIPassthrough.Chat,
        Dialect.OpenAIEmbeddings => OpenAIPassthrough.Embeddings,
        Dialect.AnthropicMessages => AnthropicPassthrough.Instance,
        _ => null,
    };
}
