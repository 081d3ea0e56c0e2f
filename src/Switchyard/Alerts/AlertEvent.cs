namespace Switchyard.Alerts;

/// <summary>One alert, as every webhook receives it (the Slack form keeps only <see cref="Text"/>).</summary>
public sealed record AlertEvent
{
    /// <summary><c>evt_</c> + 16 hex digits; a receiver can drop repeats by it.</summary>
    public required string Id { get; init; }

    /// <summary><c>key.credits</c>, <c>team.credits</c>, <c>key.revoked</c>, <c>deployment.benched</c> or <c>deployment.recovered</c>.</summary>
    public required string Type { get; init; }

    /// <summary>A sentence for people.</summary>
    public required string Text { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The event's facts, by name: strings or numbers.</summary>
    public required IReadOnlyList<KeyValuePair<string, object>> Data { get; init; }
}
