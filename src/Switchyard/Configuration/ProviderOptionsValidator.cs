using Switchyard.Providers;

namespace Switchyard.Configuration;

/// <summary>The <c>providers</c> section: unique names, known types (each type checks its own settings), addresses and limits.</summary>
internal static class ProviderOptionsValidator
{
    public static void Validate(ConfigurationCheck check)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var providers = check.Options.Providers;
        for (var i = 0; i < providers.Count; i++)
        {
            var provider = providers[i];
            var path = ConfigurationCheck.Path("providers", i);
            if (string.IsNullOrWhiteSpace(provider.Name))
            {
                check.Problem(path + ".name", "is required");
            }
            else if (!names.Add(provider.Name))
            {
                check.Problem(path + ".name", $"'{provider.Name}' is already the name of another provider");
            }

            if (ProviderTypes.Find(provider.Type) is not { } type)
            {
                check.Problem(path + ".type", $"'{provider.Type}' is not one of {ProviderTypes.Names}");
            }
            else
            {
                type.Validate(provider, path, check.Environment, check.Problem);
            }

            if (provider.BaseUrl is { Length: > 0 } baseUrl
                && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
            {
                check.Problem(path + ".baseUrl", $"'{baseUrl}' is not an absolute http(s) URL");
            }

            check.Reference(path + ".apiKey", provider.ApiKey);
            if (provider.TimeoutSeconds is { } timeout)
            {
                check.Wait(path + ".timeoutSeconds", timeout);
            }

            if (provider.Retries < 0)
            {
                check.Problem(path + ".retries", "must not be negative");
            }

            if (provider.MaxConcurrency is <= 0)
            {
                check.Problem(path + ".maxConcurrency", "must be positive");
            }
        }
    }
}
