namespace Switchyard.Console.Models;

/// <summary>Usage grouped by day, model or key over the chosen range, with the filters that made it.</summary>
public sealed record UsageModel(string GroupBy, string Since, string Until, string? KeyId, string? Model, IReadOnlyList<UsageRow> Rows,
    IReadOnlyList<KeyChoice> Keys, IReadOnlyList<string> Models);
