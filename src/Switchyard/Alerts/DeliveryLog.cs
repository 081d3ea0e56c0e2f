using System.Collections.Concurrent;

namespace Switchyard.Alerts;

/// <summary>The latest deliveries of this process, newest first, for the console; older ones fall off.</summary>
internal sealed class DeliveryLog
{
    public const int Capacity = 200;

    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();

    public void Add(WebhookDelivery delivery)
    {
        _deliveries.Enqueue(delivery);
        while (_deliveries.Count > Capacity && _deliveries.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<WebhookDelivery> Latest() => _deliveries.Reverse().ToList();
}
