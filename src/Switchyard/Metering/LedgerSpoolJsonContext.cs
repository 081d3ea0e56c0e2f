using System.Text.Json.Serialization;

namespace Switchyard.Metering;

/// <summary>Ledger rows as the spool file keeps them: one compact JSON object a line.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(UsageRecord))]
internal sealed partial class LedgerSpoolJsonContext : JsonSerializerContext;
