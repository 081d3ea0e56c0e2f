namespace Switchyard.Dialects.Sse;

/// <summary>One server-sent event: its optional <c>event:</c> type and its <c>data</c> bytes (UTF-8, lines joined by LF).</summary>
public readonly record struct SseFrame(string? EventType, ReadOnlyMemory<byte> Data)
{
    public static SseFrame FromData(ReadOnlyMemory<byte> data) => new(null, data);

    /// <summary>True for OpenAI's <c>data: [DONE]</c> terminator.</summary>
    public bool IsDone => Data.Span.SequenceEqual("[DONE]"u8);
}
