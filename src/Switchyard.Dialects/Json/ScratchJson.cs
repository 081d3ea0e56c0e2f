using System.Buffers;
using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>
/// A thread's reusable writer for small JSON documents copied out as soon as they are written (a
/// stream event per token): one writer and buffer per thread instead of three objects per event.
/// Between <see cref="Start"/> and <see cref="Finish"/> nothing may await or start another document.
/// </summary>
internal static class ScratchJson
{
    // A thread keeps a buffer no larger than this; one grown by a large document is dropped.
    private const int KeepUpTo = 16 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The thread's writer, empty, with the gateway's writer options.</summary>
    public static Utf8JsonWriter Start()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        if (t_writer is { } writer)
        {
            writer.Reset(buffer);
            return writer;
        }

        return t_writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions);
    }

    /// <summary>The document written since <see cref="Start"/>, copied out.</summary>
    public static byte[] Finish(Utf8JsonWriter writer)
    {
        writer.Flush();
        var buffer = t_buffer!;
        var bytes = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity > KeepUpTo)
        {
            t_buffer = null;
            t_writer = null;
        }

        return bytes;
    }
}
