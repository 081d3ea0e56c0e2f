using System.Diagnostics;

namespace StreamBench;

/// <summary>
/// Finds the upstream's <c>t=TICKS;</c> stamps in a byte stream of any dialect, across reads, and
/// reports each one's delay: now minus the moment the upstream wrote it (one process, one clock).
/// </summary>
public sealed class FrameClock
{
    private int _state;
    private long _value;
    private int _digits;

    /// <summary>Scans one read; calls <paramref name="onFrame"/> with the delay in ms of each stamp completed in it.</summary>
    public void Scan(ReadOnlySpan<byte> bytes, long now, Action<double> onFrame)
    {
        foreach (var b in bytes)
        {
            switch (_state)
            {
                case 0:
                    _state = b == (byte)'t' ? 1 : 0;
                    break;
                case 1:
                    _state = b == (byte)'=' ? 2 : b == (byte)'t' ? 1 : 0;
                    _value = 0;
                    _digits = 0;
                    break;
                default:
                    if (b is >= (byte)'0' and <= (byte)'9')
                    {
                        _value = (_value * 10) + (b - '0');
                        _digits++;
                    }
                    else
                    {
                        if (b == (byte)';' && _digits >= 6)
                        {
                            onFrame((now - _value) * 1000.0 / Stopwatch.Frequency);
                        }

                        _state = b == (byte)'t' ? 1 : 0;
                    }

                    break;
            }
        }
    }
}
