using Switchyard.Alerts;

namespace Switchyard.Console.Models;

/// <summary>The configured webhooks (address shown as scheme and host only) and this process's latest deliveries.</summary>
public sealed record AlertsModel(IReadOnlyList<WebhookTarget> Webhooks, IReadOnlyList<WebhookDelivery> Deliveries);
