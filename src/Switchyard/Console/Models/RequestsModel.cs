using Switchyard.Metering;

namespace Switchyard.Console.Models;

/// <summary>A page of the request log, newest first, with its filters and the names of the keys it shows.</summary>
public sealed record RequestsModel(RequestFilter Filter, IReadOnlyList<UsageRecord> Rows, bool HasMore, IReadOnlyDictionary<string, string> KeyNames,
    IReadOnlyList<KeyChoice> Keys, IReadOnlyList<TeamChoice> Teams, IReadOnlyList<string> Models);
