using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects;

/// <summary>
/// What the passthrough path (client dialect = upstream dialect) needs to know: the few top-level
/// edits a request gets, where an answer reports its model and usage, and the tap that reads a
/// stream's usage while its frames are relayed byte for byte (<see cref="IStreamPassthrough"/>).
/// </summary>
public interface IPassthrough
{
    /// <summary>Documented numeric ranges; values outside are clamped and reported.</summary>
    IReadOnlyList<ParameterRange> Ranges { get; }

    /// <summary>Streams must ask the upstream for usage (OpenAI's <c>stream_options.include_usage</c>).</summary>
    bool ForcesStreamUsage => false;

    /// <summary>The client's <c>metadata</c> is echoed on the answer.</summary>
    bool EchoesMetadata => false;

    /// <summary>The model is named in the body (false when it is in the URL).</summary>
    bool ModelInBody => true;

    /// <summary>The top-level property of an answer that reports the model.</summary>
    ReadOnlySpan<byte> ModelProperty => "model"u8;

    /// <summary>The top-level property of an answer that carries usage.</summary>
    ReadOnlySpan<byte> UsageProperty => "usage"u8;

    /// <summary>Reads the usage object of a non-streamed answer.</summary>
    Usage ReadUsage(ReadOnlySpan<byte> usageJson);

    /// <summary>
    /// The usage of a whole non-streamed answer: its usage object, and whatever else of the answer
    /// is billed (hosted web searches the dialect reports as output items).
    /// </summary>
    Usage ReadAnswerUsage(ReadOnlySpan<byte> answer, JsonTopLevel topLevel, ReadOnlySpan<byte> usageJson) => ReadUsage(usageJson);
}

/// <summary>A passthrough dialect that streams: its frames are relayed through a tap that reads their usage.</summary>
public interface IStreamPassthrough : IPassthrough
{
    IUsageTap CreateTap(TapOptions options);
}
