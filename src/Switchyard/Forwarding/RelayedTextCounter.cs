using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;
using Switchyard.Metering;

namespace Switchyard.Forwarding;

/// <summary>
/// A passthrough stage that keeps <see cref="RelayedUsage"/> current: the tap's latest usage, and
/// the characters of text each relayed frame carries (OpenAI <c>content</c>/<c>arguments</c>,
/// Anthropic <c>text</c>/<c>thinking</c>/<c>partial_json</c>, Gemini <c>text</c>, Responses
/// <c>delta</c>). Frames that repeat text already sent (Responses <c>*.done</c> and
/// <c>response.completed</c>) are not counted again.
/// </summary>
public sealed class RelayedTextCounter(ISseFrameHandler inner, IUsageTap tap, RelayedUsage relayed) : ISseFrameHandler, IDisposable
{
    private readonly PooledBufferWriter _data = new(1024);

    public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        inner.OnFrame(frame, output);
        relayed.Reported = tap.Usage ?? relayed.Reported;
        relayed.Completed = tap.Completed;
        if (tap.Error is not null)
        {
            return;
        }

        _data.Clear();
        if (SseFrameScanner.ReadData(frame, _data) > 0)
        {
            relayed.AddText(CountText(_data.WrittenSpan));
        }
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
        inner.OnEnd(output);
        relayed.Reported = tap.Usage ?? relayed.Reported;
        relayed.Completed = tap.Completed;
    }

    /// <summary>Characters in the text-bearing string values of one event's JSON.</summary>
    internal static long CountText(ReadOnlySpan<byte> json)
    {
        if (json.Length == 0 || json[0] != (byte)'{')
        {
            return 0;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        long characters = 0;
        var counting = false;
        var repeat = false;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        counting = IsTextProperty(ref reader);
                        if (reader.CurrentDepth == 1 && reader.ValueTextEquals("type"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                        {
                            repeat = RepeatsText(reader.ValueSpan);
                            counting = false;
                        }

                        break;
                    case JsonTokenType.String when counting:
                        characters += Utf8Characters(reader.ValueSpan);
                        counting = false;
                        break;
                    default:
                        counting = false;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // A malformed frame is the tap's to report; it carries no countable text.
        }

        return repeat ? 0 : characters;
    }

    private static bool IsTextProperty(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("reasoning_content"u8)
        || reader.ValueTextEquals("reasoning"u8) || reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("partial_json"u8)
        || reader.ValueTextEquals("thinking"u8) || reader.ValueTextEquals("refusal"u8) || reader.ValueTextEquals("delta"u8);

    private static bool RepeatsText(ReadOnlySpan<byte> type) =>
        type.EndsWith(".done"u8) || type.SequenceEqual("response.completed"u8) || type.SequenceEqual("response.incomplete"u8)
        || type.SequenceEqual("response.failed"u8);

    private static long Utf8Characters(ReadOnlySpan<byte> utf8)
    {
        long count = 0;
        foreach (var b in utf8)
        {
            if ((b & 0xC0) != 0x80)
            {
                count++;
            }
        }

        return count;
    }

    public void Dispose() => _data.Dispose();
}
