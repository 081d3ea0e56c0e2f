namespace Switchyard.Hosting;

/// <summary>The configuration has problems; startup stops and each is reported with its path.</summary>
internal sealed class ConfigurationProblemsException : Exception
{
    public ConfigurationProblemsException(IReadOnlyList<string> problems)
        : base("The configuration has problems:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p))) =>
        Problems = problems;

    public ConfigurationProblemsException()
        : this([])
    {
    }

    public ConfigurationProblemsException(string message)
        : base(message) => Problems = [message];

    public ConfigurationProblemsException(string message, Exception innerException)
        : base(message, innerException) => Problems = [message];

    public IReadOnlyList<string> Problems { get; }
}
