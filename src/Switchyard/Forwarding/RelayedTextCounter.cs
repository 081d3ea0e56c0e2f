using System.Buffers;
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
internal sealed class RelayedTextCounter(ISseFrameHandler inner, IUsageTap tap, RelayedUsage relayed) : ISseFrameHandler, IDisposable
{
    private readonly PooledBufferWriter _data = PooledBufferWriter.RentOnFirstWrite(1024);
    private long _taken;

    public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        inner.OnFrame(frame, output);
        relayed.Reported = tap.Usage ?? relayed.Reported;
        relayed.Completed = tap.Completed;
        if (tap.Error is not null)
        {
            return;
        }

        if (tap is ITextCountingTap counting)
        {
            // The tap counted as it parsed the frame: take what it added.
            relayed.AddText(counting.TextCharacters - _taken);
            _taken = counting.TextCharacters;
            return;
        }

        if (SseFrameScanner.Data(frame, _data, out var data) > 0)
        {
            relayed.AddText(CountText(data));
        }
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
        inner.OnEnd(output);
        relayed.Reported = tap.Usage ?? relayed.Reported;
        relayed.Completed = tap.Completed;
    }

    public void OnFailure(GatewayError error, IBufferWriter<byte> output) => inner.OnFailure(error, output);

    /// <summary>Characters in the text-bearing string values of one event's JSON (<see cref="RelayedText.Count"/>).</summary>
    internal static long CountText(ReadOnlySpan<byte> json) => RelayedText.Count(json);

    public void Dispose() => _data.Dispose();
}
