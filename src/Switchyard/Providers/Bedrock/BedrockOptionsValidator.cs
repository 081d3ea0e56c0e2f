using System.Text.RegularExpressions;

namespace Switchyard.Providers.Bedrock;

/// <summary>Every problem of a <c>bedrock</c> provider's settings, each with its path (<c>providers[2].region: required for type 'bedrock'</c>).</summary>
internal static partial class BedrockOptionsValidator
{
    public static IReadOnlyList<string> Validate(BedrockOptions options, string path, Func<string, string?> environment)
    {
        var problems = new List<string>();
        CloudOptionChecks.Required(problems, path + ".region", options.Region, $"for type '{BedrockOptions.Type}'");
        if (options.Region is { Length: > 0 } region && !RegionPattern().IsMatch(region))
        {
            problems.Add($"{path}.region: '{region}' is not an AWS region such as us-east-1");
        }

        var hasKeyId = !string.IsNullOrWhiteSpace(options.AccessKeyId);
        var hasSecret = !string.IsNullOrWhiteSpace(options.SecretAccessKey);
        if (hasKeyId && !hasSecret)
        {
            problems.Add($"{path}.secretAccessKey: required with accessKeyId");
        }
        else if (hasSecret && !hasKeyId)
        {
            problems.Add($"{path}.accessKeyId: required with secretAccessKey");
        }

        if (!string.IsNullOrWhiteSpace(options.SessionToken) && !hasKeyId)
        {
            problems.Add($"{path}.sessionToken: needs accessKeyId and secretAccessKey");
        }

        if (!string.IsNullOrWhiteSpace(options.ApiKey) && (hasKeyId || hasSecret))
        {
            problems.Add($"{path}.apiKey: use either apiKey or accessKeyId/secretAccessKey, not both");
        }

        CloudOptionChecks.Reference(problems, path + ".accessKeyId", options.AccessKeyId, environment);
        CloudOptionChecks.Reference(problems, path + ".secretAccessKey", options.SecretAccessKey, environment);
        CloudOptionChecks.Reference(problems, path + ".sessionToken", options.SessionToken, environment);
        CloudOptionChecks.Reference(problems, path + ".apiKey", options.ApiKey, environment);
        CloudOptionChecks.HttpUrl(problems, path + ".baseUrl", options.BaseUrl);
        return problems;
    }

    // us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5, cn-northwest-1, eusc-de-east-1
    [GeneratedRegex("^[a-z]{2,4}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();
}
