using Switchyard.Metering;
using Switchyard.Storage;

namespace Switchyard.Console.Models;

/// <summary>One key's page: the key, its usage per day and model, its latest requests, and the teams it may join.</summary>
public sealed record KeyModel(KeyRow Row, IReadOnlyList<UsageSummary> Usage, IReadOnlyList<UsageRecord> Recent, IReadOnlyList<string> Models,
    IReadOnlyList<TeamChoice> Teams, string? Message, string? Error)
{
    public TeamChoice? Team => Row.Key.TeamId is { } id ? Teams.FirstOrDefault(t => t.Id == id) ?? new TeamChoice(id, id) : null;
}
