using System.Globalization;

namespace StreamBench;

/// <summary>
/// A process and everything it started, read from <c>/proc</c>: CPU ticks and memory summed over
/// the tree, so that a target made of several processes (nginx's master and worker) is measured
/// whole, as the harness measures a target's process group.
/// </summary>
public static class ProcessTree
{
    /// <summary>Clock ticks per second of <c>/proc/PID/stat</c>'s times (USER_HZ: 100 on Linux).</summary>
    public const double TicksPerSecond = 100.0;

    /// <summary>The root and its living descendants.</summary>
    public static List<int> Pids(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                || Stat(pid) is not { } fields)
            {
                continue;
            }

            var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
            if (!children.TryGetValue(parent, out var list))
            {
                children[parent] = list = [];
            }

            list.Add(pid);
        }

        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            if (children.TryGetValue(tree[i], out var list))
            {
                tree.AddRange(list);
            }
        }

        return tree;
    }

    /// <summary>User + system CPU ticks of the tree.</summary>
    public static long Ticks(int root) => Pids(root).Sum(ProcessTicks);

    /// <summary>User + system CPU ticks of one process (its threads, not its children); 0 once it is gone.</summary>
    public static long ProcessTicks(int pid) => Stat(pid) is { } fields
        ? long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
        : 0;

    /// <summary>A <c>/proc/PID/status</c> field (VmRSS:, VmHWM:) summed over the tree, in kB.</summary>
    public static long StatusKb(int root, string field) => Pids(root).Sum(pid => GatewayProcess.ReadStatusKb(pid, field));

    /// <summary>The fields of <c>/proc/PID/stat</c> after the command name (state first); null once the process is gone.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
