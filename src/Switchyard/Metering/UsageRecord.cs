using Switchyard.Dialects.Canonical;

namespace Switchyard.Metering;

/// <summary>
/// One request as the ledger and the request log keep it. The request id is the ledger's key and
/// is made by the gateway for every request: a record written twice (a retried batch) is charged
/// once, and a client that repeats its own <c>X-Request-Id</c> is still charged for each request.
/// </summary>
public sealed record UsageRecord
{
    public required string RequestId { get; init; }

    /// <summary>The <c>X-Request-Id</c> the client sent, when it sent one.</summary>
    public string? ClientRequestId { get; init; }

    public required string KeyId { get; init; }

    /// <summary>The key's team when the request ran, charged with it; null for a key in no team.</summary>
    public string? TeamId { get; init; }

    public required string Model { get; init; }

    /// <summary>provider/upstream-model that served it, or null when no deployment did.</summary>
    public string? Deployment { get; init; }

    /// <summary>chat, responses, messages, gemini, completions, embeddings, images, audio.</summary>
    public required string Surface { get; init; }

    /// <summary>The status the client got; 499 when it went away before the answer ended.</summary>
    public required int Status { get; init; }

    public double LatencyMs { get; init; }

    /// <summary>Time to the first byte of the answer reaching the client.</summary>
    public double? TimeToFirstTokenMs { get; init; }

    public int Attempts { get; init; }

    /// <summary>Time waited for a slot at providers' maxConcurrency, over all attempts.</summary>
    public double? QueueMs { get; init; }

    /// <summary>Time waiting for upstreams' response headers, over all attempts.</summary>
    public double? UpstreamMs { get; init; }

    public Usage Usage { get; init; } = Usage.Empty;

    /// <summary>Credits charged; 0 for unpriced models and for failures that relayed nothing.</summary>
    public decimal Cost { get; init; }

    /// <summary>
    /// The part of <see cref="Cost"/> still held in the key's credit reservation, in the lease of
    /// <see cref="HeldBy"/> (PostgreSQL), moved to spent in the same transaction that writes this
    /// row; the rest of the cost goes to spent directly. Not stored in the ledger.
    /// </summary>
    public decimal HeldCharge { get; init; }

    /// <summary>The lease holder (a gateway process) whose slice holds <see cref="HeldCharge"/>.</summary>
    public Guid? HeldBy { get; init; }

    /// <summary>As <see cref="HeldCharge"/>, for the team's credits. Not stored in the ledger.</summary>
    public decimal TeamHeldCharge { get; init; }

    /// <summary>The lease holder whose slice of the team's credits holds <see cref="TeamHeldCharge"/>.</summary>
    public Guid? TeamHeldBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
