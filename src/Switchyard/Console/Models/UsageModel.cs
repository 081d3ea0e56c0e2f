namespace Switchyard.Console.Models;

/// <summary>Usage grouped by day, model, key or team over the chosen range, with the filters that made it.</summary>
public sealed record UsageModel(string GroupBy, string Since, string Until, string? KeyId, string? TeamId, string? Model, IReadOnlyList<UsageRow> Rows,
    IReadOnlyList<KeyChoice> Keys, IReadOnlyList<TeamChoice> Teams, IReadOnlyList<string> Models);
