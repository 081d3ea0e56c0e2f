using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Dialects.Canonical;
using Switchyard.Limits;

namespace Switchyard.Metering;

/// <summary>
/// One model request from admission to settlement: who asked, for which model on which surface,
/// what it reserved, which deployment served it and what it relayed.
/// </summary>
public sealed class MeteredRequest
{
    public required Caller Caller { get; init; }

    public required ModelEntry Model { get; init; }

    public required string ModelId { get; init; }

    public required Surface Surface { get; init; }

    public required bool Stream { get; init; }

    public required Reservation Reservation { get; init; }

    /// <summary>The key's hold on its limits; null for a key without limits or credits.</summary>
    public KeyLease? Lease { get; init; }

    public RelayedUsage Relayed { get; } = new();

    /// <summary>The deployment whose answer reached the client (or the last one tried).</summary>
    public Deployment? Deployment { get; private set; }

    /// <summary>An answer reached the client: from here on the request is charged.</summary>
    public bool Committed { get; private set; }

    /// <summary>Committed, or a successful answer had started when the request ended some other way (the client left mid-stream).</summary>
    public bool Charged(Microsoft.AspNetCore.Http.HttpResponse response) => Committed || (response.HasStarted && response.StatusCode < 400);

    /// <summary>Records the deployment about to be tried, so a request whose client leaves mid-attempt still names it.</summary>
    public void Attempting(Deployment deployment) => Deployment = deployment;

    /// <summary>Records an attempt's outcome; the forwarders keep <see cref="Relayed"/> current themselves.</summary>
    public void Attempted(Deployment deployment, bool committed, Usage? usage)
    {
        Deployment = deployment;
        if (!committed)
        {
            return;
        }

        Committed = true;
        if (usage is not null && (Relayed.Reported is null || !Stream))
        {
            Relayed.Reported = usage;
            Relayed.Completed = !Stream || Relayed.Completed;
        }
    }
}
