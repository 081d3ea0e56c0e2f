namespace Switchyard.Dialects.Canonical;

/// <summary>An approximate location; every field is optional free text but <see cref="Country"/> (ISO 3166-1 alpha-2) and <see cref="Timezone"/> (IANA).</summary>
public sealed record UserLocation
{
    public string? City { get; init; }

    public string? Region { get; init; }

    public string? Country { get; init; }

    public string? Timezone { get; init; }
}
