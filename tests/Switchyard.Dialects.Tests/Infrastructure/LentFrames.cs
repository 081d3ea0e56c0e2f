using System.Runtime.CompilerServices;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>
/// Upstream events as a codec gets them in the gateway (<see cref="StreamFraming.Sse"/>, whose
/// events' data is lent until the next event is asked for), made strict: when the next event is
/// asked for, or the body ends, the last event's bytes are overwritten. A codec that kept an
/// event's data past that point reads the poison, and its test fails.
/// </summary>
internal static class LentFrames
{
    public const byte Poison = 0xFF;

    public static async IAsyncEnumerable<SseFrame> ReadAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        byte[]? lent = null;
        await foreach (var frame in StreamFraming.Sse.ReadAsync(body, cancellationToken).ConfigureAwait(false))
        {
            if (lent is not null)
            {
                Array.Fill(lent, Poison);
            }

            lent = frame.Data.ToArray();
            yield return frame with { Data = lent };
        }

        if (lent is not null)
        {
            Array.Fill(lent, Poison);
        }
    }
}
