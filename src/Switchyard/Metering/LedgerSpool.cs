using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchyard.Diagnostics;

namespace Switchyard.Metering;

/// <summary>
/// A local, append-only file of ledger rows the store could not take in time (PostgreSQL down or
/// restarting, SQLite locked, a disk full): one JSON row a line, each batch flushed to disk
/// before it counts as written. <see cref="UsageWriter"/> replays it into the store once the
/// store answers, and at the next start; replaying is idempotent, because the store skips a
/// request id it already has, so a row is charged exactly once however often it is replayed.
///
/// A process holds its spool file exclusively (an advisory lock). Another process configured
/// with the same path takes the first free <c>path.1</c>, <c>path.2</c>…; at start a process
/// also replays any such file no running process holds (left by one that was killed).
/// </summary>
internal sealed class LedgerSpool : IDisposable
{
    /// <summary>How many processes may share one configured path.</summary>
    public const int MaxSiblings = 16;

    private const int ReadChunk = 1 << 20;

    private readonly FileStream _file;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ILogger _logger;

    // The rows before this offset are in the store; the file is emptied once all of it is.
    private long _replayed;
    private long _pendingRows;

    private LedgerSpool(FileStream file, ILogger logger)
    {
        _file = file;
        _logger = logger;
        Path = file.Name;
        DropTornTail();
        _pendingRows = CountRows();
    }

    public string Path { get; }

    /// <summary>Rows in the file not yet replayed into the store.</summary>
    public long PendingRows => Interlocked.Read(ref _pendingRows);

    public bool HasPending => PendingRows > 0;

    /// <summary>Opens this process's spool at <paramref name="path"/>, or at the first sibling no other process holds.</summary>
    public static LedgerSpool Open(string path, ILogger logger)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        for (var i = 0; i < MaxSiblings; i++)
        {
            if (TryOpenExclusive(Sibling(full, i)) is { } file)
            {
                return new LedgerSpool(file, logger);
            }
        }

        throw new IOException($"Every ledger spool file at {full} (and .1 to .{MaxSiblings - 1}) is held by another process.");
    }

    /// <summary>The spool files beside this one that no process holds: rows left by a process that was killed.</summary>
    public IReadOnlyList<LedgerSpool> OpenOrphans()
    {
        var orphans = new List<LedgerSpool>();
        var basePath = Sibling(Path, -1);
        for (var i = 0; i < MaxSiblings; i++)
        {
            var candidate = Sibling(basePath, i);
            if (candidate == Path || !File.Exists(candidate) || TryOpenExclusive(candidate) is not { } file)
            {
                continue;
            }

            var orphan = new LedgerSpool(file, _logger);
            if (orphan.HasPending)
            {
                orphans.Add(orphan);
            }
            else
            {
                orphan.Dispose();
                File.Delete(candidate);
            }
        }

        return orphans;
    }

    /// <summary>Appends the rows and flushes them to disk; only then do they count as written.</summary>
    public async Task AppendAsync(IReadOnlyList<UsageRecord> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(rows.Count * 512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            foreach (var row in rows)
            {
                JsonSerializer.Serialize(writer, row, LedgerSpoolJsonContext.Default.UsageRecord);
                writer.Flush();
                writer.Reset();
                buffer.Write("\n"u8);
            }
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            var end = _file.Length;
            _file.Seek(end, SeekOrigin.Begin);
            try
            {
                await _file.WriteAsync(buffer.WrittenMemory, cancellationToken);
                _file.Flush(flushToDisk: true);
            }
            catch
            {
                // A short write (a full disk) must not leave half a row for the next append to extend.
                _file.SetLength(end);
                throw;
            }

            Interlocked.Add(ref _pendingRows, rows.Count);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Reads up to <paramref name="max"/> rows not yet replayed; pass the returned mark to <see cref="ReplayedAsync"/> once they are in the store.</summary>
    public async Task<(List<UsageRecord> Rows, long Mark)> ReadAsync(int max, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var rows = new List<UsageRecord>();
            var position = _replayed;
            var buffer = ArrayPool<byte>.Shared.Rent(ReadChunk);
            try
            {
                while (rows.Count < max && position < _file.Length)
                {
                    _file.Seek(position, SeekOrigin.Begin);
                    var read = await _file.ReadAsync(buffer.AsMemory(0, ReadChunk), cancellationToken);
                    var data = buffer.AsSpan(0, read);
                    var consumed = 0;
                    int newline;
                    while (rows.Count < max && (newline = data[consumed..].IndexOf((byte)'\n')) >= 0)
                    {
                        if (Parse(data.Slice(consumed, newline)) is { } row)
                        {
                            rows.Add(row);
                        }

                        consumed += newline + 1;
                    }

                    if (consumed == 0)
                    {
                        // A line longer than a chunk is not a row this gateway wrote: skip it.
                        var end = data.IndexOf((byte)'\n');
                        consumed = end < 0 ? read : end + 1;
                        _logger.SpoolRowUnreadable(Path, position);
                    }

                    position += consumed;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return (rows, position);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The rows up to <paramref name="mark"/> are in the store; once all are, the file is emptied.</summary>
    public async Task ReplayedAsync(int rows, long mark, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            _replayed = mark;
            Interlocked.Add(ref _pendingRows, -rows);
            if (_replayed >= _file.Length)
            {
                _file.SetLength(0);
                _file.Flush(flushToDisk: true);
                _replayed = 0;
                Interlocked.Exchange(ref _pendingRows, 0);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Closes and deletes the file (an orphan, once replayed).</summary>
    public void Delete()
    {
        Dispose();
        File.Delete(Path);
    }

    public void Dispose()
    {
        _file.Dispose();
        _lock.Dispose();
    }

    private UsageRecord? Parse(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(line, LedgerSpoolJsonContext.Default.UsageRecord);
        }
        catch (JsonException)
        {
            _logger.SpoolRowUnreadable(Path, _replayed);
            return null;
        }
    }

    /// <summary>A process killed mid-write leaves part of a row after the last newline: it was never counted as written.</summary>
    private void DropTornTail()
    {
        var length = _file.Length;
        if (length == 0)
        {
            return;
        }

        Span<byte> last = stackalloc byte[1];
        var end = length;
        while (end > 0)
        {
            _file.Seek(end - 1, SeekOrigin.Begin);
            _file.ReadExactly(last);
            if (last[0] == (byte)'\n')
            {
                break;
            }

            end--;
        }

        if (end != length)
        {
            _file.SetLength(end);
            _file.Flush(flushToDisk: true);
        }
    }

    private long CountRows()
    {
        long rows = 0;
        _file.Seek(0, SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = _file.Read(buffer, 0, buffer.Length)) > 0)
            {
                rows += buffer.AsSpan(0, read).Count((byte)'\n');
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return rows;
    }

    private static FileStream? TryOpenExclusive(string path)
    {
        try
        {
            // FileShare.None is an exclusive advisory lock on Unix: a second holder, in this process or another, is refused.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    /// <summary>The i-th path of a spool: the path itself for 0, <c>path.i</c> after; -1 strips a suffix.</summary>
    private static string Sibling(string path, int index)
    {
        if (index == -1)
        {
            var dot = path.LastIndexOf('.');
            return dot > 0 && int.TryParse(path.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and < MaxSiblings
                ? path[..dot]
                : path;
        }

        return index == 0 ? path : string.Create(CultureInfo.InvariantCulture, $"{path}.{index}");
    }
}
