namespace Switchyard.Alerts;

/// <summary>One alert on its way to one webhook, as the console's Alerts page shows it; updated as tries are made.</summary>
public sealed class WebhookDelivery
{
    private readonly Lock _gate = new();

    public required string Id { get; init; }

    public required AlertEvent Event { get; init; }

    public required WebhookTarget Target { get; init; }

    public int Attempts { get; private set; }

    /// <summary>The last try's HTTP status, or null when it got none.</summary>
    public int? LastStatus { get; private set; }

    /// <summary>Why the last try failed, in a few words; null after a success.</summary>
    public string? LastError { get; private set; }

    public DeliveryState State { get; private set; } = DeliveryState.Pending;

    public DateTimeOffset? CompletedAt { get; private set; }

    public (int Attempts, int? Status, string? Error, DeliveryState State, DateTimeOffset? CompletedAt) Snapshot()
    {
        lock (_gate)
        {
            return (Attempts, LastStatus, LastError, State, CompletedAt);
        }
    }

    internal void Tried(int? status, string? error, DeliveryState state, DateTimeOffset now)
    {
        lock (_gate)
        {
            Attempts++;
            LastStatus = status;
            LastError = error;
            State = state;
            CompletedAt = state == DeliveryState.Pending ? null : now;
        }
    }
}
