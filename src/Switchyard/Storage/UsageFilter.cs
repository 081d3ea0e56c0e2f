namespace Switchyard.Storage;

/// <summary>Filters of the admin usage and request-log queries (docs/admin-api.md).</summary>
internal sealed record UsageFilter
{
    public string? KeyId { get; init; }

    public string? Model { get; init; }

    public int? Status { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    public int Limit { get; init; } = 100;
}
