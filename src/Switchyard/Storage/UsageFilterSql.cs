namespace Switchyard.Storage;

/// <summary>
/// The WHERE clause of the ledger queries for a <see cref="UsageFilter"/>, the same in SQLite and
/// PostgreSQL; each store binds the parameters in its own types (@KeyId, @TeamId, @Model, @Status, @Surface, @RequestId, @Since, @Until).
/// </summary>
internal static class UsageFilterSql
{
    public static string Where(UsageFilter filter)
    {
        var clauses = new List<string>(8);
        if (filter.KeyId is not null)
        {
            clauses.Add("key_id = @KeyId");
        }

        if (filter.TeamId is not null)
        {
            clauses.Add("team_id = @TeamId");
        }

        if (filter.Model is not null)
        {
            clauses.Add("model = @Model");
        }

        if (filter.Status is not null)
        {
            clauses.Add("status = @Status");
        }

        if (filter.Surface is not null)
        {
            clauses.Add("surface = @Surface");
        }

        if (filter.RequestId is not null)
        {
            clauses.Add("request_id = @RequestId");
        }

        if (filter.Since is not null)
        {
            clauses.Add("created_at >= @Since");
        }

        if (filter.Until is not null)
        {
            clauses.Add("created_at < @Until");
        }

        return clauses.Count == 0 ? "" : "WHERE " + string.Join(" AND ", clauses);
    }

    /// <summary>The filter's values as the clauses bind them, its times in the store's own form (ISO 8601 text, or UTC).</summary>
    public static UsageFilterArgs Arguments(UsageFilter filter, Func<DateTimeOffset, object> time) => new()
    {
        KeyId = filter.KeyId,
        TeamId = filter.TeamId,
        Model = filter.Model,
        Status = filter.Status,
        Surface = filter.Surface,
        RequestId = filter.RequestId,
        Since = filter.Since is { } since ? time(since) : null,
        Until = filter.Until is { } until ? time(until) : null,
        Limit = filter.Limit,
        Offset = filter.Offset,
    };
}

/// <summary>A <see cref="UsageFilter"/>'s values, bound by name; only those the statement names are bound.</summary>
internal sealed class UsageFilterArgs
{
    public string? KeyId { get; init; }

    public string? TeamId { get; init; }

    public string? Model { get; init; }

    public int? Status { get; init; }

    public string? Surface { get; init; }

    public string? RequestId { get; init; }

    public object? Since { get; init; }

    public object? Until { get; init; }

    public int Limit { get; init; }

    public int Offset { get; init; }
}
