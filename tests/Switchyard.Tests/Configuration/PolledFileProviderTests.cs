using Switchyard.Configuration;

namespace Switchyard.Tests.Configuration;

/// <summary>The configuration file's watch: it sees the file change however it is saved, and nothing else in its folder.</summary>
public sealed class PolledFileProviderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("switchyard-watch-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string PathOf(string name) => Path.Combine(_folder, name);

    private static async Task<bool> FiresWithinAsync(Microsoft.Extensions.Primitives.IChangeToken token, TimeSpan within)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = token.RegisterChangeCallback(_ => fired.TrySetResult(), null);
        return await Task.WhenAny(fired.Task, Task.Delay(within, Ct)) == fired.Task;
    }

    [Fact]
    public async Task Writes_to_other_files_in_the_folder_are_not_a_change()
    {
        await File.WriteAllTextAsync(PathOf("switchyard.json"), "{}", Ct);
        using var files = new PolledFileProvider(_folder);
        var token = files.Watch("switchyard.json");

        var quiet = FiresWithinAsync(token, PolledFileProvider.Interval * 4);
        await using (var wal = new FileStream(PathOf("switchyard.db-wal"), FileMode.Create))
        {
            for (var i = 0; i < 200; i++)
            {
                await wal.WriteAsync(new byte[4096], Ct);
                await wal.FlushAsync(Ct);
                await Task.Delay(5, Ct);
            }
        }

        Assert.False(await quiet);
        Assert.False(token.HasChanged);
    }

    [Fact]
    public async Task A_file_written_in_place_is_a_change()
    {
        await File.WriteAllTextAsync(PathOf("switchyard.json"), "{}", Ct);
        using var files = new PolledFileProvider(_folder);
        var token = files.Watch("/switchyard.json");

        var fires = FiresWithinAsync(token, TimeSpan.FromSeconds(5));
        await File.WriteAllTextAsync(PathOf("switchyard.json"), """{"a":1}""", Ct);

        Assert.True(await fires);
        Assert.True(token.HasChanged);
    }

    [Fact]
    public async Task A_file_replaced_by_a_rename_as_editors_save_is_a_change()
    {
        await File.WriteAllTextAsync(PathOf("switchyard.json"), """{"a":1}""", Ct);
        using var files = new PolledFileProvider(_folder);
        var token = files.Watch("switchyard.json");

        var fires = FiresWithinAsync(token, TimeSpan.FromSeconds(5));
        await Task.Delay(20, Ct); // a later write time, as any real save has
        await File.WriteAllTextAsync(PathOf(".switchyard.json.swp"), """{"a":2}""", Ct);
        File.Move(PathOf(".switchyard.json.swp"), PathOf("switchyard.json"), overwrite: true);

        Assert.True(await fires);
    }

    [Fact]
    public async Task A_removed_file_is_a_change_and_a_disposed_watch_stops_looking()
    {
        await File.WriteAllTextAsync(PathOf("switchyard.json"), "{}", Ct);
        var files = new PolledFileProvider(_folder);
        var removed = files.Watch("switchyard.json");
        var fires = FiresWithinAsync(removed, TimeSpan.FromSeconds(5));
        File.Delete(PathOf("switchyard.json"));
        Assert.True(await fires);

        var afterDispose = files.Watch("switchyard.json");
        files.Dispose();
        await File.WriteAllTextAsync(PathOf("switchyard.json"), "{}", Ct);
        Assert.False(await FiresWithinAsync(afterDispose, PolledFileProvider.Interval * 3));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
