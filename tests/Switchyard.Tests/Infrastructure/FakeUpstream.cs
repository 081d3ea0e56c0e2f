using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// A scripted upstream provider on a real Kestrel server on loopback. Each request is recorded
/// and answered by the next queued script, or by the default script when the queue is empty.
/// </summary>
public sealed class FakeUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, RecordedRequest, Task>> _scripts = new();
    private int _inFlight;

    private FakeUpstream(WebApplication app) => _app = app;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Answers requests when no script is queued.</summary>
    public Func<HttpContext, RecordedRequest, Task> Default { get; set; } = (context, _) =>
    {
        context.Response.StatusCode = 500;
        return context.Response.WriteAsync("{\"error\":{\"message\":\"no script queued\"}}");
    };

    /// <summary>When set, handles every request itself with the body unread (for uploads watched as they arrive); nothing is recorded.</summary>
    public Func<HttpContext, Task>? Raw { get; set; }

    /// <summary>The most requests seen in flight at once.</summary>
    public int MaxInFlight { get; private set; }

    /// <summary>Requests whose client went away before the script finished.</summary>
    public int Cancelled { get; private set; }

    public string BaseUrl { get; private set; } = "";

    public RecordedRequest LastRequest => Requests.Last();

    public static async Task<FakeUpstream> StartAsync()
    {
        // Not the working directory: ZeroConfigTests moves it to a folder it later deletes.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        // Uploads larger than Kestrel's 30 MB default pass through the gateway in some tests.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new FakeUpstream(app);
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        upstream.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return upstream;
    }

    public void Enqueue(Func<HttpContext, RecordedRequest, Task> script) => _scripts.Enqueue(script);

    public void EnqueueJson(string json, int status = 200, IDictionary<string, string>? headers = null) =>
        Enqueue((context, _) => WriteJsonAsync(context, json, status, headers));

    public void EnqueueSse(IEnumerable<string> frames, TimeSpan? delay = null) =>
        Enqueue((context, _) => WriteSseAsync(context, frames, delay));

    public static async Task WriteJsonAsync(HttpContext context, string json, int status = 200, IDictionary<string, string>? headers = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(json);
    }

    /// <summary>Writes each frame's text followed by a blank line (a frame is given as "data: {...}" or "event: x\ndata: {...}").</summary>
    public static async Task WriteSseAsync(HttpContext context, IEnumerable<string> frames, TimeSpan? delay = null)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        await WriteFramesAsync(context, frames, delay);
    }

    /// <summary>
    /// Writes <paramref name="firstFrame"/>, then an event that never ends: letters until
    /// <paramref name="bytes"/> have gone or the gateway hangs up (which is not an error here).
    /// </summary>
    public static async Task WriteUnendingEventAsync(HttpContext context, string firstFrame, long bytes)
    {
        await WriteSseAsync(context, [firstFrame]);
        await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"", context.RequestAborted);
        var letters = new byte[1024 * 1024];
        letters.AsSpan().Fill((byte)'a');
        try
        {
            for (long sent = 0; sent < bytes; sent += letters.Length)
            {
                await context.Response.Body.WriteAsync(letters, context.RequestAborted);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            // The gateway hung up.
        }
    }

    /// <summary>Writes more frames to a stream already started by <see cref="WriteSseAsync"/>.</summary>
    public static async Task WriteFramesAsync(HttpContext context, IEnumerable<string> frames, TimeSpan? delay = null)
    {
        foreach (var frame in frames)
        {
            await context.Response.WriteAsync(frame + "\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            if (delay is { } pause)
            {
                await Task.Delay(pause, context.RequestAborted);
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (Raw is { } raw)
        {
            await raw(context);
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "", headers, body.ToArray());
        Requests.Enqueue(recorded);
        var inFlight = Interlocked.Increment(ref _inFlight);
        lock (_scripts)
        {
            MaxInFlight = Math.Max(MaxInFlight, inFlight);
        }

        try
        {
            var script = _scripts.TryDequeue(out var next) ? next : Default;
            await script(context, recorded);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            lock (_scripts)
            {
                Cancelled++;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public override string ToString() => $"FakeUpstream({BaseUrl}, {Requests.Count} requests)";

    /// <summary>A body as UTF-8 bytes, for comparisons.</summary>
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
