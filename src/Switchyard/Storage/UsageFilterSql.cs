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
}
