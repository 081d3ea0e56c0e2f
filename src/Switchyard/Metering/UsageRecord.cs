using Switchyard.Dialects.Canonical;

namespace Switchyard.Metering;

/// <summary>
/// One request as the ledger and the request log keep it. The request id is the ledger's key: a
/// record written twice (a retried batch) is charged once.
/// </summary>
public sealed record UsageRecord
{
    public required string RequestId { get; init; }

    public required string KeyId { get; init; }

    public required string Model { get; init; }

    /// <summary>provider/upstream-model that served it, or null when no deployment did.</summary>
    public string? Deployment { get; init; }

    /// <summary>chat, responses, messages, gemini, completions, embeddings, images, audio.</summary>
    public required string Surface { get; init; }

    public required int Status { get; init; }

    public double LatencyMs { get; init; }

    /// <summary>Time to the first byte of the answer reaching the client.</summary>
    public double? TimeToFirstTokenMs { get; init; }

    public int Attempts { get; init; }

    public Usage Usage { get; init; } = Usage.Empty;

    /// <summary>Credits charged; 0 for unpriced models and for failures that relayed nothing.</summary>
    public decimal Cost { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
