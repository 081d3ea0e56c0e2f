using System.Text.RegularExpressions;
using Switchyard.Configuration;

namespace Switchyard.Providers.Azure;

/// <summary>Every problem of an <c>azure</c> provider's settings, each with its path.</summary>
internal static partial class AzureOptionsValidator
{
    public static IReadOnlyList<string> Validate(AzureOptions options, string path, Func<string, string?> environment)
    {
        var problems = new List<string>();
        CloudOptionChecks.Required(problems, path + ".baseUrl", options.BaseUrl, $"for type '{AzureOptions.Type}'");
        CloudOptionChecks.HttpUrl(problems, path + ".baseUrl", options.BaseUrl);
        CloudOptionChecks.Reference(problems, path + ".apiKey", options.ApiKey, environment);
        if (options.ApiVersion is { Length: > 0 } version && version != AzureOptions.V1 && !VersionPattern().IsMatch(version))
        {
            problems.Add($"{path}.apiVersion: '{version}' is neither v1 nor a dated version such as 2024-10-21 or 2025-04-01-preview");
        }

        var hasKey = !string.IsNullOrWhiteSpace(options.ApiKey);
        if (hasKey && options.Auth is not null)
        {
            problems.Add($"{path}.auth: use either apiKey or auth, not both");
        }
        else if (!hasKey && options.Auth is null)
        {
            problems.Add($"{path}.apiKey: required for type 'azure' unless auth is set");
        }

        if (options.Auth is { } auth)
        {
            CheckAuth(problems, path + ".auth", auth, environment);
        }

        return problems;
    }

    private static void CheckAuth(List<string> problems, string path, AzureAuthOptions auth, Func<string, string?> environment)
    {
        if (!AzureAuthOptions.Kinds.Contains(auth.Kind))
        {
            problems.Add($"{path}.kind: '{auth.Kind}' is not one of {string.Join(", ", AzureAuthOptions.Kinds)}");
        }
        else if (auth.Kind == AzureAuthOptions.Entra)
        {
            CloudOptionChecks.Required(problems, path + ".tenantId", auth.TenantId, "for auth kind 'entra'");
            CloudOptionChecks.Required(problems, path + ".clientId", auth.ClientId, "for auth kind 'entra'");
            CloudOptionChecks.Required(problems, path + ".clientSecret", auth.ClientSecret, "for auth kind 'entra'");
        }
        else if (auth.Kind == AzureAuthOptions.WorkloadIdentity)
        {
            // The workload identity webhook injects these three; configuration may set them instead.
            Fallback(path + ".tenantId", auth.TenantId, "AZURE_TENANT_ID");
            Fallback(path + ".clientId", auth.ClientId, "AZURE_CLIENT_ID");
            Fallback(path + ".tokenFilePath", auth.TokenFilePath, "AZURE_FEDERATED_TOKEN_FILE");
        }

        CloudOptionChecks.Reference(problems, path + ".clientSecret", auth.ClientSecret, environment);
        CloudOptionChecks.Reference(problems, path + ".clientId", auth.ClientId, environment);
        CloudOptionChecks.Reference(problems, path + ".tenantId", auth.TenantId, environment);
        if (auth.AuthorityHost is { Length: > 0 } host && (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme != "https"))
        {
            problems.Add($"{path}.authorityHost: '{host}' is not an absolute https URL");
        }

        void Fallback(string fieldPath, string? value, string variable)
        {
            if (string.IsNullOrWhiteSpace(EnvReferenceResolver.Resolve(value, environment)) && string.IsNullOrEmpty(environment(variable)))
            {
                problems.Add($"{fieldPath}: required for auth kind 'workloadIdentity' (or set {variable})");
            }
        }
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?$")]
    private static partial Regex VersionPattern();
}
