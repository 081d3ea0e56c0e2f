// Every collection in a trace of a running gateway: when it started, its generation and
// reason, what it promoted, and how long the process was stopped for it (from the suspension's
// start to the restart's end), then the pauses' median and maximum.
//
//   dotnet tool install -g dotnet-trace        # once; NuGet serves it
//   dotnet-trace collect -p PID --providers Microsoft-Windows-DotNETRuntime:0x1:4 --duration 00:00:00:06 -o g.nettrace
//   dotnet run -c Release --project bench/GcEvents -- g.nettrace
//
// For the JIT build (BENCH_BUILD=jit): the NativeAOT build has no diagnostics port to trace.
using System.Globalization;
using Microsoft.Diagnostics.Tracing;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: GcEvents TRACE.nettrace");
    return 2;
}

using var source = new EventPipeEventSource(args[0]);
var pauses = new List<double>();
double suspendedAt = 0;
source.Clr.GCSuspendEEStart += e => suspendedAt = e.TimeStampRelativeMSec;
source.Clr.GCStart += e => Print($"{e.TimeStampRelativeMSec,9:0.0} ms  gen{e.Depth} {e.Type} ({e.Reason})");
source.Clr.GCHeapStats += e => Print(
    $"             promoted {e.TotalPromotedSize0 / 1024} KB from gen0, {e.TotalPromotedSize1 / 1024} KB from gen1; gen2 {e.GenerationSize2 / 1048576} MB");
source.Clr.GCRestartEEStop += e =>
{
    var pause = e.TimeStampRelativeMSec - suspendedAt;
    pauses.Add(pause);
    Print($"             paused {pause:0.0} ms");
};
source.Process();
pauses.Sort();
if (pauses.Count == 0)
{
    Print($"no collections");
}
else
{
    Print($"{pauses.Count} pauses: median {pauses[pauses.Count / 2]:0.0} ms, max {pauses[^1]:0.0} ms, {pauses.Sum():0} ms in all");
}
return 0;

static void Print(FormattableString line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));
