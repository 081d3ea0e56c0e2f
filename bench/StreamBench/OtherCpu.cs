using System.Diagnostics;
using System.Globalization;

namespace StreamBench;

/// <summary>
/// CPU used by processes other than this tool and the target (with its children) while a test
/// ran, in % of one core (the harness's "other CPU%"): the machine is shared, and a busy neighbour
/// disturbs the figures.
/// </summary>
public sealed class OtherCpu
{
    private readonly int _gatewayPid;
    private readonly long _machine;
    private readonly long _ours;
    private readonly long _started = Stopwatch.GetTimestamp();

    public OtherCpu(int gatewayPid)
    {
        _gatewayPid = gatewayPid;
        _machine = MachineBusyTicks();
        _ours = ProcessTree.ProcessTicks(Environment.ProcessId) + ProcessTree.Ticks(gatewayPid);
    }

    public double Percent
    {
        get
        {
            var machine = MachineBusyTicks() - _machine;
            var ours = ProcessTree.ProcessTicks(Environment.ProcessId) + ProcessTree.Ticks(_gatewayPid) - _ours;
            var seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
            return Math.Max(0, (machine - ours) / ProcessTree.TicksPerSecond / seconds * 100);
        }
    }

    private static long MachineBusyTicks()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7);
    }
}
