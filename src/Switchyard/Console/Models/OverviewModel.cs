using Switchyard.Storage;

namespace Switchyard.Console.Models;

/// <summary>The overview: the chosen range bucketed for the charts, its totals, the top models and keys, and what is benched now.</summary>
public sealed record OverviewModel(
    string Range,
    bool Hourly,
    IReadOnlyList<TimelinePoint> Timeline,
    DateTimeOffset Since,
    DateTimeOffset Until,
    IReadOnlyList<RankedRow> TopModels,
    IReadOnlyList<RankedRow> TopKeys,
    IReadOnlyList<BenchedDeployment> Benched);
