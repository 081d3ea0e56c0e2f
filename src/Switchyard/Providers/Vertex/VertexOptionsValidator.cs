using System.Text.RegularExpressions;

namespace Switchyard.Providers.Vertex;

/// <summary>Every problem of a <c>vertex</c> provider's settings, each with its path.</summary>
internal static partial class VertexOptionsValidator
{
    public static IReadOnlyList<string> Validate(VertexOptions options, string path)
    {
        var problems = new List<string>();
        CloudOptionChecks.Required(problems, path + ".project", options.Project, $"for type '{VertexOptions.Type}'");
        CloudOptionChecks.Required(problems, path + ".location", options.Location, $"for type '{VertexOptions.Type}'");
        if (options.Project is { Length: > 0 } project && !ProjectPattern().IsMatch(project))
        {
            problems.Add($"{path}.project: '{project}' is not a Google Cloud project id");
        }

        if (options.Location is { Length: > 0 } location && location != "global" && !LocationPattern().IsMatch(location))
        {
            problems.Add($"{path}.location: '{location}' is not a Vertex AI location such as us-central1 or global");
        }

        if (options.CredentialsFile is { Length: > 0 } file && !File.Exists(file))
        {
            problems.Add($"{path}.credentialsFile: '{file}' does not exist");
        }

        CloudOptionChecks.HttpUrl(problems, path + ".baseUrl", options.BaseUrl);
        return problems;
    }

    // Project ids: 6–30 lower-case letters, digits and hyphens, starting with a letter; older
    // domain-scoped ids carry a "domain:" prefix.
    [GeneratedRegex("^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")]
    private static partial Regex ProjectPattern();

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]+$")]
    private static partial Regex LocationPattern();
}
