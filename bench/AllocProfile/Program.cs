// What a loaded gateway allocates, per request: reads a trace of the runtime's allocation ticks
// (an event per ~100 KB allocated, with the type and the stack of the allocation that crossed it)
// and sums them by type, and by type and the first Switchyard frame on the stack.
//
//   dotnet tool install -g dotnet-trace        # once; NuGet serves it
//   dotnet-trace collect -p PID --providers Microsoft-Windows-DotNETRuntime:0x1:5 --duration 00:00:00:06 -o a.nettrace
//   dotnet run -c Release --project bench/AllocProfile -- a.nettrace REQUESTS [TOP]
//
// REQUESTS is how many requests the gateway served while the trace ran (req/s × seconds).
using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

if (args.Length < 2 || !double.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var requests) || requests <= 0)
{
    Console.Error.WriteLine("usage: AllocProfile TRACE.nettrace REQUESTS [TOP]");
    return 2;
}

var top = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40;
using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, double>(StringComparer.Ordinal);
var bySite = new Dictionary<string, double>(StringComparer.Ordinal);
double total = 0;
foreach (var data in log.Events)
{
    if (data is not GCAllocationTickTraceData tick)
    {
        continue;
    }

    double amount = tick.AllocationAmount64;
    total += amount;
    byType[tick.TypeName] = byType.GetValueOrDefault(tick.TypeName) + amount;
    var site = tick.TypeName;
    for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
    {
        if (frame.CodeAddress.FullMethodName is { } method && method.Contains("Switchyard", StringComparison.Ordinal))
        {
            site = $"{tick.TypeName} <- {method}";
            break;
        }
    }

    bySite[site] = bySite.GetValueOrDefault(site) + amount;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sampled: {total / requests:F0} bytes a request"));
Print("by type", byType);
Print("by type and first Switchyard frame", bySite);
return 0;

void Print(string title, Dictionary<string, double> sums)
{
    Console.WriteLine($"--- {title}");
    foreach (var (name, amount) in sums.OrderByDescending(entry => entry.Value).Take(top))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{amount / requests,8:F0} B  {(name.Length > 180 ? name[..180] : name)}"));
    }
}
