namespace Switchyard.Agents.FakeModel;

/// <summary>What an agent run printed (stdout and stderr together) and how it exited.</summary>
internal sealed record CellOutput(string Text, int ExitCode)
{
    public static CellOutput Read(string path, int exitCode) => new(File.Exists(path) ? File.ReadAllText(path) : "", exitCode);

    /// <summary>The exit code and the last meaningful line the agent printed, for a failure reason.</summary>
    public string Describe()
    {
        var lines = Text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var telling = lines.LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? lines.LastOrDefault() ?? "(no output)";
        return $"agent exit {ExitCode}: {CellCheck.Shorten(telling)}";
    }
}
