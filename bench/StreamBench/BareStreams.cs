using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace StreamBench;

/// <summary>
/// The open-streams test's upstream on bare sockets: the same timed, stamped chunks as
/// <see cref="FakeUpstream"/>'s <c>/timed/{frames}/{intervalMs}</c> route (a frame's text is
/// <c>t=TICKS;</c>, taken as it is sent; no more frames than the request's <c>max_tokens</c>), but
/// every frame of every stream sent by one thread from a queue ordered by due time. With Kestrel, a
/// <c>Task.Delay</c> and a string per frame and ~13 KB held per connection on each side, this
/// tool's own collections paused it 40–200 ms a second at 9,700 streams, as long as the target's
/// (bench/README.md, "Twenty-third pass"): the measuring end must be the lighter one.
/// </summary>
public sealed class BareUpstream : IAsyncDisposable
{
    private static readonly byte[] Head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray();

    // The same stream as FakeUpstream's, as HTTP chunks: the tail and the chunked body's end.
    private static readonly byte[] Tail =
        [.. Encoding.ASCII.GetBytes($"{FakeUpstream.Tail.Length:x}\r\n"), .. FakeUpstream.Tail, .. "\r\n0\r\n\r\n"u8];

    private readonly Socket _listener;
    private readonly PriorityQueue<TimedStream, long> _due = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _sender;
    private readonly Task _accepting;

    private BareUpstream(int port)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(4096);
        _sender = new Thread(SendDueFrames) { IsBackground = true, Name = "bare upstream frames" };
        _sender.Start();
        _accepting = AcceptAsync();
    }

    public static BareUpstream Start(int port) => new(port);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _accepting.ContinueWith(_ => { }, TaskScheduler.Default);
        _sender.Join();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            connection.NoDelay = true;
            _ = ServeAsync(connection);
        }
    }

    // One connection: requests one after another (the target pools its upstream connections),
    // each answered with a timed stream that the sending thread writes.
    private async Task ServeAsync(Socket connection)
    {
        using (connection)
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await BareHttp.ReadRequestAsync(connection, _stop.Token);
                if (request is not { } found)
                {
                    return;
                }

                var (path, frames) = found;

                if (!TryParseTimed(path, out var count, out var intervalMs))
                {
                    BareHttp.Send(connection, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"u8);
                    continue;
                }

                var stream = new TimedStream(connection, Math.Min(count, frames), intervalMs * Stopwatch.Frequency / 1000);
                if (!BareHttp.Send(connection, Head))
                {
                    return;
                }

                stream.Started = Stopwatch.GetTimestamp();
                Enqueue(stream);
                if (!await stream.Done.Task)
                {
                    return;
                }
            }
        }
    }

    private void Enqueue(TimedStream stream)
    {
        lock (_due)
        {
            _due.Enqueue(stream, stream.Started + ((stream.Sent + 1) * stream.IntervalTicks));
        }
    }

    // The one thread that writes every frame: wakes each millisecond, sends what is due. A frame's
    // stamp is taken as it is sent, so a late wake-up is not counted against the target.
    private void SendDueFrames()
    {
        var frame = new byte[512];
        while (!_stop.IsCancellationRequested)
        {
            TimedStream? stream = null;
            lock (_due)
            {
                if (_due.TryPeek(out var next, out var due) && due <= Stopwatch.GetTimestamp())
                {
                    stream = _due.Dequeue();
                }
            }

            if (stream is null)
            {
                Thread.Sleep(1);
                continue;
            }

            if (stream.Sent < stream.Frames)
            {
                stream.Sent++;
                if (!BareHttp.Send(stream.Connection, frame.AsSpan(0, WriteFrame(frame, Stopwatch.GetTimestamp()))))
                {
                    stream.Done.TrySetResult(false);
                    continue;
                }
            }

            if (stream.Sent < stream.Frames)
            {
                Enqueue(stream);
            }
            else
            {
                stream.Done.TrySetResult(BareHttp.Send(stream.Connection, Tail));
            }
        }
    }

    // A content chunk as one HTTP chunk: its size in hex, the SSE frame, CRLF.
    private static int WriteFrame(byte[] buffer, long ticks)
    {
        Span<byte> frame = stackalloc byte[400];
        var size = FakeUpstream.Chunk(frame, ticks);
        Utf8Formatter.TryFormat(size, buffer, out var at, new StandardFormat('x'));
        "\r\n"u8.CopyTo(buffer.AsSpan(at));
        frame[..size].CopyTo(buffer.AsSpan(at + 2));
        "\r\n"u8.CopyTo(buffer.AsSpan(at + 2 + size));
        return at + 2 + size + 2;
    }

    // /timed/{frames}/{intervalMs}/..., as FakeUpstream routes it.
    private static bool TryParseTimed(string path, out int frames, out int intervalMs)
    {
        frames = intervalMs = 0;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 && parts[0] == "timed" && int.TryParse(parts[1], out frames) && int.TryParse(parts[2], out intervalMs);
    }

    private sealed class TimedStream(Socket connection, int frames, long intervalTicks)
    {
        public Socket Connection { get; } = connection;

        public int Frames { get; } = frames;

        public long IntervalTicks { get; } = intervalTicks;

        public long Started { get; set; }

        public int Sent { get; set; }

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>
/// The open-streams test's client on a bare socket: one HTTP/1.1 request, then the chunked answer
/// read into one 1 KB buffer, its stamps found as <see cref="StreamClient"/> finds them, until the
/// chunked body's end.
/// </summary>
public static class BareClient
{
    /// <summary>The request's bytes, as <see cref="StreamClient.CreateRequest"/> would send them.</summary>
    public static byte[] Request(Route route, int port, bool twoFrames)
    {
        var (path, body) = StreamClient.Target(route, twoFrames);
        var auth = route == Route.Anthropic
            ? $"x-api-key: {GatewayProcess.ClientKey}\r\nanthropic-version: 2023-06-01\r\n"
            : $"Authorization: Bearer {GatewayProcess.ClientKey}\r\n";
        var head = $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
        return [.. Encoding.ASCII.GetBytes(head), .. body];
    }

    /// <summary>Sends <paramref name="request"/> and reads the stream to its end; returns the number of stamped frames seen.</summary>
    public static async Task<int> RunAsync(IPEndPoint target, byte[] request, Action<double> each)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target);
        for (var sent = 0; sent < request.Length;)
        {
            sent += await socket.SendAsync(request.AsMemory(sent));
        }

        // Pinned from the start: thousands of receives wait on these at once.
        var buffer = GC.AllocateUninitializedArray<byte>(1024, pinned: true);
        var clock = new FrameClock();
        var frames = 0;
        var first = true;
        ulong last7 = 0;
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory())) > 0)
        {
            var bytes = buffer.AsSpan(0, read);
            if (first)
            {
                first = false;
                if (!bytes.StartsWith("HTTP/1.1 200 "u8))
                {
                    throw new HttpRequestException(Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 300)]));
                }
            }

            clock.Scan(bytes, Stopwatch.GetTimestamp(), delay =>
            {
                frames++;
                each(delay);
            });
            foreach (var b in bytes)
            {
                last7 = ((last7 << 8) | b) & 0x00FF_FFFF_FFFF_FFFF;
            }

            // "\r\n0\r\n\r\n": the last chunk of a chunked body (no header line is a lone "0").
            if (last7 == 0x000D_0A30_0D0A_0D0A)
            {
                break;
            }
        }

        return frames;
    }
}

/// <summary>Just enough HTTP/1.1 for <see cref="BareUpstream"/>: a request's head and body, and blocking sends.</summary>
internal static class BareHttp
{
    /// <summary>Reads one request; null when the connection closed. Frames: the body's max_tokens or max_completion_tokens, else int.MaxValue.</summary>
    public static async Task<(string Path, int Frames)?> ReadRequestAsync(Socket connection, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(8192);
        try
        {
            var filled = 0;
            int headEnd;
            while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (filled == buffer.Length || !await ReceiveAsync())
                {
                    return null;
                }
            }

            var head = Encoding.ASCII.GetString(buffer, 0, headEnd);
            var lines = head.Split("\r\n");
            var path = lines[0].Split(' ') is [_, var target, ..] ? target : "";
            var length = 0;
            var chunked = false;
            foreach (var line in lines.AsSpan(1))
            {
                var colon = line.IndexOf(':');
                if (colon < 0)
                {
                    continue;
                }

                var name = line.AsSpan(0, colon).Trim();
                var value = line.AsSpan(colon + 1).Trim();
                if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase) && !int.TryParse(value, out length))
                {
                    return null;
                }
                else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
                }
            }

            // The body: its length, or (chunked) up to the last chunk. A body larger than the
            // buffer is not what this test's requests are.
            var bodyStart = headEnd + 4;
            while (chunked
                ? !buffer.AsSpan(bodyStart, filled - bodyStart).EndsWith("0\r\n\r\n"u8)
                : filled - bodyStart < length)
            {
                if (filled == buffer.Length || !await ReceiveAsync())
                {
                    return null;
                }
            }

            return (path, MaxTokens(buffer.AsSpan(bodyStart, filled - bodyStart)));

            async Task<bool> ReceiveAsync()
            {
                var read = await connection.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
                filled += read;
                return read > 0;
            }
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes all of <paramref name="bytes"/>; false when the peer has gone.</summary>
    public static bool Send(Socket connection, ReadOnlySpan<byte> bytes)
    {
        try
        {
            while (!bytes.IsEmpty)
            {
                bytes = bytes[connection.Send(bytes)..];
            }

            return true;
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    private static int MaxTokens(ReadOnlySpan<byte> body)
    {
        foreach (var name in (ReadOnlySpan<string>)["\"max_completion_tokens\":", "\"max_tokens\":"])
        {
            var at = body.IndexOf(Encoding.ASCII.GetBytes(name));
            if (at >= 0 && Utf8Parser.TryParse(body[(at + name.Length)..].TrimStart(" "u8), out int tokens, out _))
            {
                return tokens;
            }
        }

        return int.MaxValue;
    }
}
