using Switchyard.Metering;
using Switchyard.Storage;

namespace Switchyard.Console.Models;

/// <summary>One key's page: the key, its usage per day and model, its latest requests.</summary>
public sealed record KeyModel(KeyRow Row, IReadOnlyList<UsageSummary> Usage, IReadOnlyList<UsageRecord> Recent, IReadOnlyList<string> Models, string? Message, string? Error);
