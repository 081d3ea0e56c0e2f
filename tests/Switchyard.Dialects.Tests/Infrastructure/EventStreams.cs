using System.Buffers;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>Runs bytes and events through the Chat Completions stream stages.</summary>
internal static class EventStreams
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static async Task<List<StreamEvent>> ReadChatAsync(Stream body) =>
        await ChatCompletionsDialect.Instance.ReadStream(LentFrames.ReadAsync(body, Token), Token).ToListAsync(Token);

    public static Task<List<StreamEvent>> ReadChatAsync(byte[] body) => ReadChatAsync(new MemoryStream(body));

    public static Task<List<StreamEvent>> ReadChatAsync(string body) => ReadChatAsync(System.Text.Encoding.UTF8.GetBytes(body));

    public static async Task<List<SseFrame>> WriteChatAsync(IEnumerable<StreamEvent> events, StreamWriteOptions options) =>
        await ChatCompletionsDialect.Instance.WriteStream(events.ToAsyncEnumerable(), options, Token).ToListAsync(Token);

    public static async Task<List<SseFrame>> FramesAsync(byte[] body) =>
        await SseStreams.ReadAsync(new MemoryStream(body), Token).ToListAsync(Token);

    /// <summary>
    /// The events of an SSE body read line by line, as a strict client would: every line must be
    /// blank or an <c>event:</c> or <c>data:</c> line (a stray line means an event's data was
    /// written across a line break); each event's data lines are joined by LF and parsed as JSON.
    /// </summary>
    public static List<(string? Type, JsonNode Data)> StrictEvents(byte[] body)
    {
        var events = new List<(string? Type, JsonNode Data)>();
        string? type = null;
        var data = new List<string>();
        foreach (var line in System.Text.Encoding.UTF8.GetString(body).ReplaceLineEndings("\n").Split('\n'))
        {
            if (line.Length == 0)
            {
                if (data.Count > 0)
                {
                    events.Add((type, JsonNode.Parse(string.Join('\n', data))!));
                }

                (type, data) = (null, []);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else
            {
                Assert.True(line.StartsWith("data: ", StringComparison.Ordinal), $"not an SSE field line: {line}");
                data.Add(line["data: ".Length..]);
            }
        }

        return events;
    }

    /// <summary>The frames as they would go over the wire.</summary>
    public static byte[] Serialize(IEnumerable<SseFrame> frames)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var frame in frames)
        {
            SseStreams.Write(buffer, frame);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static JsonNode Json(SseFrame frame) => JsonAssert.Parse(frame.Data.Span);
}
