namespace Switchyard.Storage;

/// <summary>Filters of the admin usage and request-log queries (docs/admin-api.md).</summary>
internal sealed record UsageFilter
{
    public string? KeyId { get; init; }

    /// <summary>Rows charged to this team (whichever of its keys made them).</summary>
    public string? TeamId { get; init; }

    public string? Model { get; init; }

    public int? Status { get; init; }

    /// <summary>chat, responses, messages, gemini…</summary>
    public string? Surface { get; init; }

    public string? RequestId { get; init; }

    /// <summary>Rows to skip (newest first), for paging the request log.</summary>
    public int Offset { get; init; }

    public DateTimeOffset? Since { get; init; }

    public DateTimeOffset? Until { get; init; }

    public int Limit { get; init; } = 100;
}
