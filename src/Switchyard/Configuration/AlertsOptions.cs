namespace Switchyard.Configuration;

/// <summary>Alerts sent as webhooks (issue #16).</summary>
internal sealed class AlertsOptions
{
    public List<WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>Tries per delivery, the first included; waits between them double from 0.5 s.</summary>
    public int MaxAttempts { get; set; } = 6;
}
