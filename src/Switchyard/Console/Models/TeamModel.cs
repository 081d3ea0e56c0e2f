using Switchyard.Metering;
using Switchyard.Storage;

namespace Switchyard.Console.Models;

/// <summary>One team's page: the team, its keys, its usage per day and key, its latest requests.</summary>
public sealed record TeamModel(TeamRow Row, IReadOnlyList<KeyRow> Keys, IReadOnlyList<UsageSummary> Usage, IReadOnlyList<UsageRecord> Recent,
    IReadOnlyDictionary<string, string> KeyNames, string? Message, string? Error);
