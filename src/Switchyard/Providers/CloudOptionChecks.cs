using Switchyard.Configuration;

namespace Switchyard.Providers;

/// <summary>The checks every cloud provider's options share, each reporting <c>path: problem</c>.</summary>
internal static class CloudOptionChecks
{
    /// <param name="problems">Where the problem is added.</param>
    /// <param name="path">The field's path.</param>
    /// <param name="value">The field's value.</param>
    /// <param name="when">Why it is required: <c>for type 'bedrock'</c>, <c>for auth kind 'entra'</c>.</param>
    public static void Required(List<string> problems, string path, string? value, string when)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add($"{path}: required {when}");
        }
    }

    /// <summary>An <c>env:NAME</c> value whose variable is unset.</summary>
    public static void Reference(List<string> problems, string path, string? value, Func<string, string?> environment)
    {
        if (EnvReferenceResolver.IsReference(value) && EnvReferenceResolver.Resolve(value, environment) is null)
        {
            problems.Add($"{path}: environment variable {value![EnvReferenceResolver.Prefix.Length..]} is not set");
        }
    }

    public static void HttpUrl(List<string> problems, string path, string? value)
    {
        if (value is { Length: > 0 } && (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
        {
            problems.Add($"{path}: '{value}' is not an absolute http(s) URL");
        }
    }

    /// <summary>A base URL without its trailing slash, so paths can be appended.</summary>
    public static string TrimBase(string url) => url.TrimEnd('/');
}
