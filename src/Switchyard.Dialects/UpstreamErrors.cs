using System.Globalization;
using System.Text.RegularExpressions;

namespace Switchyard.Dialects;

/// <summary>What every dialect does with an upstream's error status, and how its message is made safe to pass on.</summary>
public static partial class UpstreamErrors
{
    /// <summary>The gateway error for an upstream status, carrying the upstream's (scrubbed) message.</summary>
    public static GatewayError FromStatus(int status, string? upstreamMessage)
    {
        var message = Scrub(upstreamMessage);
        var (kind, failover, fallback) = status switch
        {
            400 => (GatewayErrorKind.InvalidRequest, false, "The upstream rejected the request."),
            404 => (GatewayErrorKind.NotFound, false, "The upstream does not know this resource."),
            413 => (GatewayErrorKind.PayloadTooLarge, false, "The request is too large for the upstream."),
            422 => (GatewayErrorKind.Unprocessable, false, "The upstream could not process the request."),
            429 => (GatewayErrorKind.RateLimited, true, "The upstream is rate limiting requests."),
            // The upstream refusing the gateway's own credentials is the operator's problem, not the caller's.
            401 or 403 => (GatewayErrorKind.UpstreamFailed, false, "The upstream refused the gateway's credentials."),
            408 or >= 500 => (GatewayErrorKind.UpstreamFailed, true, "The upstream failed."),
            _ => (GatewayErrorKind.InvalidRequest, false, "The upstream rejected the request."),
        };

        var text = status is 401 or 403 || string.IsNullOrWhiteSpace(message)
            ? fallback
            : string.Create(CultureInfo.InvariantCulture, $"{message}");
        return new GatewayError(kind, text)
        {
            UpstreamStatus = status,
            AllowsFailover = failover,
            Code = kind == GatewayErrorKind.UpstreamFailed ? "upstream_error" : null,
        };
    }

    /// <summary>Removes what looks like credentials, URLs and IP addresses from an upstream message.</summary>
    public static string Scrub(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return string.Empty;
        }

        var scrubbed = UrlPattern().Replace(message, "[address]");
        scrubbed = IpPattern().Replace(scrubbed, "[address]");
        scrubbed = KeyPattern().Replace(scrubbed, "[redacted]");
        return scrubbed.Length > 2000 ? scrubbed[..2000] : scrubbed;
    }

    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://[^\s""'<>]+", RegexOptions.IgnoreCase)]
    private static partial Regex UrlPattern();

    // A bracketed IPv6 literal has at least two colons; requiring them keeps JSON paths such as
    // "messages[1].content", which upstreams quote in their errors, intact.
    [GeneratedRegex(@"\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b|\[[0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*\](?::\d+)?", RegexOptions.IgnoreCase)]
    private static partial Regex IpPattern();

    // Provider key shapes (sk-…, sk-ant-…, AIza…) and any long opaque token.
    [GeneratedRegex(@"\b(?:sk-[A-Za-z0-9_\-*]{6,}|AIza[0-9A-Za-z_\-]{10,}|[A-Za-z0-9_\-]{32,})")]
    private static partial Regex KeyPattern();
}
