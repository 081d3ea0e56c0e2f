using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StreamBench;

/// <summary>
/// An OpenAI chat upstream in this process, so its clock is the client's:
///  - <c>POST /plain/v1/chat/completions</c> reads the whole request and answers a small chat.completion;
///  - <c>POST /timed/{frames}/{intervalMs}/v1/chat/completions</c> streams <c>frames</c> content chunks,
///    one every <c>intervalMs</c> (the first one interval after the request), then a finish chunk, a
///    usage chunk and <c>[DONE]</c>; fewer when the request's <c>max_tokens</c> or
///    <c>max_completion_tokens</c> is smaller (a frame is a token). Each content chunk's text is <c>t=TICKS;</c>, the
///    <see cref="Stopwatch"/> timestamp at which it was written and flushed: the client reads it back
///    from whatever dialect the gateway turned the chunk into (<see cref="FrameClock"/>).
/// </summary>
public static class FakeUpstream
{
    private static readonly byte[] Plain = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-streambench","object":"chat.completion","created":1732243200,"model":"gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":1,"total_tokens":11}}""");

    /// <summary>A stream's finish chunk, usage chunk and <c>[DONE]</c> (BareUpstream sends the same).</summary>
    internal static readonly byte[] Tail = Encoding.UTF8.GetBytes(
        "data: {\"id\":\"chatcmpl-streambench\",\"object\":\"chat.completion.chunk\",\"created\":1732243200,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: {\"id\":\"chatcmpl-streambench\",\"object\":\"chat.completion.chunk\",\"created\":1732243200,\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}\n\n"
        + "data: [DONE]\n\n");

    /// <summary>Request body bytes read so far (the size test checks that the bodies arrived whole).</summary>
    private static long _bodyBytes;

    public static long BodyBytes => Interlocked.Read(ref _bodyBytes);

    public static async Task<WebApplication> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.AddServerHeader = false;
        });
        var app = builder.Build();
        app.MapPost("/plain/v1/chat/completions", async context =>
        {
            await DrainAsync(context.Request);
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Plain.Length;
            await context.Response.Body.WriteAsync(Plain, context.RequestAborted);
        });
        app.MapPost("/timed/{frames:int}/{intervalMs:int}/v1/chat/completions", async (HttpContext context, int frames, int intervalMs) =>
        {
            frames = Math.Min(frames, await DrainAsync(context.Request, readLimit: true));
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            await response.StartAsync(context.RequestAborted);
            var started = Stopwatch.GetTimestamp();
            var frame = new byte[512];
            try
            {
                for (var k = 1; k <= frames; k++)
                {
                    var due = started + (long)(k * intervalMs * (Stopwatch.Frequency / 1000.0));
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, context.RequestAborted);
                    }

                    var length = Chunk(frame, Stopwatch.GetTimestamp());
                    await response.Body.WriteAsync(frame.AsMemory(0, length), context.RequestAborted);
                    await response.Body.FlushAsync(context.RequestAborted);
                }

                await response.Body.WriteAsync(Tail, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client (the gateway) went away.
            }
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>A content chunk's SSE frame, its text <c>t=TICKS;</c>, into <paramref name="buffer"/>; its length (BareUpstream sends the same).</summary>
    internal static int Chunk(Span<byte> buffer, long ticks)
    {
        var start = "data: {\"id\":\"chatcmpl-streambench\",\"object\":\"chat.completion.chunk\",\"created\":1732243200,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"t="u8;
        var end = ";\"},\"finish_reason\":null}]}\n\n"u8;
        start.CopyTo(buffer);
        Utf8Formatter.TryFormat(ticks, buffer[start.Length..], out var digits);
        end.CopyTo(buffer[(start.Length + digits)..]);
        return start.Length + digits + end.Length;
    }

    /// <summary>Reads the whole body; with <paramref name="readLimit"/>, returns its token limit (<see cref="int.MaxValue"/> when it has none).</summary>
    private static async Task<int> DrainAsync(HttpRequest request, bool readLimit = false)
    {
        var buffer = new byte[64 * 1024];
        var filled = 0;
        var whole = readLimit;
        int read;
        while ((read = await request.Body.ReadAsync(buffer.AsMemory(filled))) > 0)
        {
            Interlocked.Add(ref _bodyBytes, read);
            // The small stream requests are kept whole to read their limit; a large body is only counted.
            whole &= filled + read < buffer.Length;
            filled = whole ? filled + read : 0;
        }

        if (!whole || filled == 0)
        {
            return int.MaxValue;
        }

        using var body = System.Text.Json.JsonDocument.Parse(buffer.AsMemory(0, filled));
        foreach (var name in (ReadOnlySpan<string>)["max_completion_tokens", "max_tokens"])
        {
            if (body.RootElement.TryGetProperty(name, out var limit) && limit.TryGetInt32(out var tokens))
            {
                return tokens;
            }
        }

        return int.MaxValue;
    }
}
