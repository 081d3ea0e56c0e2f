using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Alerts;

/// <summary>
/// Signs a delivery so its receiver can tell it came from this gateway and was not replayed:
/// <c>Switchyard-Signature: v1=</c> + hex(HMAC-SHA256(secret, <c>{timestamp}.{body}</c>)), where the
/// timestamp is the <c>Switchyard-Timestamp</c> header (Unix seconds) and the body is the raw bytes.
/// </summary>
internal static class WebhookSignature
{
    public const string EventHeader = "Switchyard-Event";
    public const string DeliveryHeader = "Switchyard-Delivery";
    public const string TimestampHeader = "Switchyard-Timestamp";
    public const string SignatureHeader = "Switchyard-Signature";
    public const string Version = "v1=";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Version + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }

    /// <summary>What a receiver does: recompute, compare in constant time, and refuse old timestamps.</summary>
    public static bool Verify(string secret, string timestampHeader, string signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signatureHeader));
    }
}
