namespace Switchyard.Storage;

/// <summary>
/// A team: a name, and limits and credits that bind the sum of its keys' use, counted as a key's
/// are (docs/admin-api.md). Its id starts with <see cref="TeamIds.Prefix"/>.
/// </summary>
public sealed record TeamRecord
{
    public required string Id { get; init; }

    /// <summary>Unique among teams: single sign-on names a team by it.</summary>
    public required string Name { get; init; }

    public int? Rpm { get; init; }

    public int? Tpm { get; init; }

    public int? MaxConcurrent { get; init; }

    /// <summary>Credits granted to the team; null when its keys' spending together is not limited.</summary>
    public decimal? Credits { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public bool HasLimits => Rpm is not null || Tpm is not null || MaxConcurrent is not null || Credits is not null;

    public override string ToString() => $"{Id} ({Name})";
}
