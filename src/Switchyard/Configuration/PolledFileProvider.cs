using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Primitives;

namespace Switchyard.Configuration;

/// <summary>
/// The configuration file's folder, with changes found by looking at the file's size and time
/// twice a second rather than by an inotify watch. A watch is on the whole folder, and the SQLite
/// database usually sits beside the file: every write to its <c>-wal</c> woke the watcher, which
/// then looked the file up — thousands of times a second under load, on the gateway's own core.
/// </summary>
internal sealed class PolledFileProvider(string directory) : IFileProvider, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    private readonly PhysicalFileProvider _files = new(directory, ExclusionFilters.None);
    private FileChange? _pending;

    public IFileInfo GetFileInfo(string subpath) => _files.GetFileInfo(subpath);

    public IDirectoryContents GetDirectoryContents(string subpath) => _files.GetDirectoryContents(subpath);

    /// <summary>A token that fires once the file named by <paramref name="filter"/> changes (written, replaced, created or removed).</summary>
    public IChangeToken Watch(string filter)
    {
        var change = new FileChange(Path.Combine(directory, filter.TrimStart('/', '\\')));
        Interlocked.Exchange(ref _pending, change)?.Dispose();
        return change;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _pending, null)?.Dispose();
        _files.Dispose();
    }

    private sealed class FileChange : IChangeToken, IDisposable
    {
        private readonly string _path;
        private readonly (bool Exists, long Length, DateTime Written) _seen;
        private readonly CancellationTokenSource _changed = new();
        private readonly ITimer _timer;

        public FileChange(string path)
        {
            _path = path;
            _seen = Look(path);
            _timer = TimeProvider.System.CreateTimer(_ => Check(), null, Interval, Interval);
        }

        public bool HasChanged => _changed.IsCancellationRequested;

        public bool ActiveChangeCallbacks => true;

        public IDisposable RegisterChangeCallback(Action<object?> callback, object? state) =>
            _changed.Token.UnsafeRegister(callback, state);

        public void Dispose()
        {
            _timer.Dispose();
        }

        private static (bool, long, DateTime) Look(string path)
        {
            var file = new FileInfo(path);
            return file.Exists ? (true, file.Length, file.LastWriteTimeUtc) : (false, 0, default);
        }

        private void Check()
        {
            if (HasChanged || Look(_path) == _seen)
            {
                return;
            }

            _timer.Dispose();
            _changed.Cancel();
        }
    }
}
