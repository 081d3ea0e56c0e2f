namespace Switchyard.Configuration;

/// <summary>Resolves <c>env:NAME</c> string values (docs/configuration.md) against the environment.</summary>
internal static class EnvReferenceResolver
{
    public const string Prefix = "env:";

    /// <summary>The value, or the named variable's value; null when the variable is unset or empty.</summary>
    public static string? Resolve(string? value, Func<string, string?> environment)
    {
        if (value is null || !value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return value;
        }

        var resolved = environment(value[Prefix.Length..]);
        return string.IsNullOrEmpty(resolved) ? null : resolved;
    }

    public static bool IsReference(string? value) => value?.StartsWith(Prefix, StringComparison.Ordinal) == true;
}
