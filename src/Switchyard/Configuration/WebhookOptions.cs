namespace Switchyard.Configuration;

/// <summary>One receiver of alerts.</summary>
internal sealed class WebhookOptions
{
    /// <summary>Where to POST; may be <c>env:NAME</c> (a Slack webhook URL is itself a secret).</summary>
    public string Url { get; set; } = "";

    /// <summary>The events to send (see <c>Alerts.AlertEventNames</c>); empty means all.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Signs each delivery (HMAC-SHA256 of timestamp and body); usually <c>env:NAME</c>.</summary>
    public string? Secret { get; set; }

    /// <summary><c>json</c> (default: the event object) or <c>slack</c> (an incoming-webhook <c>{"text"}</c> message).</summary>
    public string Format { get; set; } = "json";

    public override string ToString() => $"webhook ({Format}, address and secret redacted)";
}
