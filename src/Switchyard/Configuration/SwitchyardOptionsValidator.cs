namespace Switchyard.Configuration;

/// <summary>
/// Checks a whole configuration, section by section, and reports every problem at once, each with
/// its path (<c>models[3].provider: 'gem2' is not a provider</c>). <c>serve</c>, a reload and
/// <c>config check</c> run this same code; a configuration with any problem is not used.
/// </summary>
internal static class SwitchyardOptionsValidator
{
    private static readonly Action<ConfigurationCheck>[] Sections =
    [
        ServerOptionsValidator.Validate,
        ObservabilityOptionsValidator.Validate,
        ConsoleOptionsValidator.Validate,
        ProviderOptionsValidator.Validate,
        ModelOptionsValidator.Validate,
        KeyOptionsValidator.Validate,
    ];

    public static IReadOnlyList<string> Validate(SwitchyardOptions options, Func<string, string?> environment)
    {
        var check = new ConfigurationCheck(options, environment);
        foreach (var section in Sections)
        {
            section(check);
        }

        return check.Problems;
    }
}
