namespace Switchyard.Configuration;

/// <summary>A key declared in the configuration file; loaded at start and held only as a hash.</summary>
internal sealed class KeyOptions
{
    public string Key { get; set; } = "";

    public string Name { get; set; } = "";

    public List<string>? AllowedModels { get; set; }

    public int? Rpm { get; set; }

    public int? Tpm { get; set; }

    public int? MaxConcurrent { get; set; }

    public decimal? Credits { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public override string ToString() => $"{Name} (key redacted)";
}
