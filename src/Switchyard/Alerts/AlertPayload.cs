using System.Globalization;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Alerts;

/// <summary>The body of a delivery: the event object, or for Slack-compatible receivers an incoming-webhook <c>{"text"}</c> message.</summary>
internal static class AlertPayload
{
    public static byte[] Write(AlertEvent alert, string format)
    {
        using var buffer = new PooledBufferWriter(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (format == "slack")
            {
                // Slack reads <…> as links and mentions: the three characters it asks to be escaped are.
                var text = alert.Text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
                writer.WriteString("text"u8, "Switchyard: " + text);
            }
            else
            {
                writer.WriteString("id"u8, alert.Id);
                writer.WriteString("type"u8, alert.Type);
                writer.WriteString("createdAt"u8, alert.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                writer.WriteString("text"u8, alert.Text);
                writer.WriteStartObject("data"u8);
                foreach (var (name, value) in alert.Data)
                {
                    switch (value)
                    {
                        case decimal number:
                            writer.WriteNumber(name, number);
                            break;
                        case int number:
                            writer.WriteNumber(name, number);
                            break;
                        case double number:
                            writer.WriteNumber(name, number);
                            break;
                        default:
                            writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                            break;
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
