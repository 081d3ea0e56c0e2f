// What the Chat Completions stream tap costs per relayed stream: the harness's 20-chunk answer
// (bench/bodies/chat_completion_stream.sse, upstream model renamed to the client's on every
// chunk, usage read from the last) cut into frames and passed through a fresh tap, as the
// passthrough relay does once per stream. Prints CPU time and bytes allocated per stream.
using System.Diagnostics;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Chat;

var bodyPath = args.Length > 0 ? args[0] : Path.Combine(FindBench(), "bodies", "chat_completion_stream.sse");
var body = File.ReadAllBytes(bodyPath);
using var output = new PooledBufferWriter(16 * 1024);

Relay(20_000); // warm-up: tier-1 code before measuring
for (var round = 0; round < 5; round++)
{
    const int streams = 50_000;
    var allocated = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    Relay(streams);
    clock.Stop();
    var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / streams;
    Console.WriteLine($"{clock.Elapsed.TotalMicroseconds / streams:F2} µs and {bytes} B per stream ({body.Length} bytes in, {output.WrittenCount} out)");
}

void Relay(int streams)
{
    for (var i = 0; i < streams; i++)
    {
        using var tap = new ChatCompletionsUsageTap("gpt-4o-mini", clientAskedForUsageChunk: true, price: null);
        output.Clear();
        var consumed = StreamFraming.Sse.Split(body, tap, output);
        if (consumed != body.Length)
        {
            throw new InvalidOperationException("the body must end with a whole frame");
        }

        tap.OnEnd(output);
    }
}

static string FindBench()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "bench", "bodies", "chat_completion_stream.sse")))
        {
            return Path.Combine(dir.FullName, "bench");
        }
    }

    throw new InvalidOperationException("run from inside the repository, or pass the SSE body's path");
}
