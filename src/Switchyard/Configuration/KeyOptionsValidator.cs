using Switchyard.Auth;

namespace Switchyard.Configuration;

/// <summary>The <c>keys</c> section: secrets long enough and unique, names that make valid ids, allow-lists of models that exist, limits.</summary>
internal static class KeyOptionsValidator
{
    public static void Validate(ConfigurationCheck check)
    {
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var keys = check.Options.Keys;
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            var path = ConfigurationCheck.Path("keys", i);
            check.Reference(path + ".key", key.Key);
            var secret = check.Resolve(key.Key);
            if (string.IsNullOrWhiteSpace(key.Key))
            {
                check.Problem(path + ".key", "is required");
            }
            else if (secret is { Length: < 8 })
            {
                check.Problem(path + ".key", "must be at least 8 characters");
            }
            else if (secret is not null && !secrets.Add(secret))
            {
                check.Problem(path + ".key", "is the same as another key's");
            }

            if (string.IsNullOrWhiteSpace(key.Name))
            {
                check.Problem(path + ".name", "is required");
            }
            else if (!ConfiguredKeyIds.IsValidName(key.Name))
            {
                check.Problem(path + ".name", $"'{key.Name}' must be 1 to {ConfiguredKeyIds.MaxNameLength} letters, digits, '-', '_' or '.' (the key's id is cfg_ and its name)");
            }
            else if (!names.Add(key.Name))
            {
                check.Problem(path + ".name", $"'{key.Name}' is already the name of another key");
            }

            for (var m = 0; m < (key.AllowedModels?.Count ?? 0); m++)
            {
                if (!check.ModelIds.Contains(key.AllowedModels![m]))
                {
                    check.Problem(ConfigurationCheck.Path(path + ".allowedModels", m), $"'{key.AllowedModels[m]}' is not a model");
                }
            }

            if (key.Rpm is <= 0)
            {
                check.Problem(path + ".rpm", "must be positive");
            }

            if (key.Tpm is <= 0)
            {
                check.Problem(path + ".tpm", "must be positive");
            }

            if (key.MaxConcurrent is <= 0)
            {
                check.Problem(path + ".maxConcurrent", "must be positive");
            }

            if (key.Credits is < 0)
            {
                check.Problem(path + ".credits", "must not be negative");
            }
        }
    }
}
