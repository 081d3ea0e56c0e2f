namespace Switchyard.Storage;

/// <summary>A stored API key: its hash and metadata, never the secret itself.</summary>
public sealed record KeyRecord
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>The first 8 characters of the secret, to tell keys apart.</summary>
    public required string Prefix { get; init; }

    public required string Hash { get; init; }

    public IReadOnlyList<string>? AllowedModels { get; init; }

    public int? Rpm { get; init; }

    public int? Tpm { get; init; }

    public int? MaxConcurrent { get; init; }

    public decimal? Credits { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>The team the key belongs to, whose limits and credits bind it too; null for none.</summary>
    public string? TeamId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public override string ToString() => $"{Id} ({Name}, {Prefix}…)";
}
