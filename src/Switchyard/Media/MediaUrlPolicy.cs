using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Switchyard.Configuration;

namespace Switchyard.Media;

/// <summary>Resolves a host name to every address it has (the default is the system resolver).</summary>
internal delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

/// <summary>
/// Judges a media URL by the <see cref="AddressPolicy"/>: its host, literal or resolved (every
/// address it resolves to), must be public unless it is in <c>media.allowHosts</c>. The URL is read
/// strictly — no user information, backslashes, percent-encoded or whitespace in the authority —
/// so the gateway judges the host that any other URL parser (a Python upstream's included) would
/// connect to. Refusals of a name never say what it resolved to, or whether it resolved at all.
/// </summary>
internal sealed class MediaUrlPolicy
{
    private static readonly IdnMapping Idn = new();

    // Characters URL parsers disagree on (a backslash is a slash to some, part of the user info to others).
    private static readonly System.Buffers.SearchValues<char> Ambiguous = System.Buffers.SearchValues.Create("\\ \t\r\n");

    private readonly HashSet<string> _allowHosts;
    private readonly HostResolver _resolve;

    public MediaUrlPolicy(MediaOptions options, HostResolver? resolve = null)
    {
        _allowHosts = new HashSet<string>(options.AllowHosts, StringComparer.OrdinalIgnoreCase);
        _resolve = resolve ?? ((host, cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken));
    }

    public bool Allows(string host) => _allowHosts.Contains(host);

    /// <summary>Null when an upstream may be given this URL to fetch; otherwise why not.</summary>
    public async ValueTask<string?> RefusalAsync(string url, CancellationToken cancellationToken)
    {
        if (Host(url) is not { } host)
        {
            return "it is not a plain absolute http or https URL";
        }

        if (_allowHosts.Contains(host))
        {
            return null;
        }

        var (_, refusal) = await ResolveAsync(host, cancellationToken);
        return refusal;
    }

    /// <summary>
    /// The addresses of <paramref name="host"/> and, when any of them is not public, why the host is
    /// refused. A literal address is named in the refusal (the client wrote it); a name is not
    /// described beyond that it is not public, so a refusal is no oracle for the internal network.
    /// </summary>
    public async ValueTask<(IPAddress[] Addresses, string? Refusal)> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return ([literal], AddressPolicy.Refusal(literal) is { } reason ? $"its host '{host}' is {reason}" : null);
        }

        var notPublic = $"its host '{host}' does not resolve to public addresses only";
        IPAddress[] addresses;
        try
        {
            addresses = await _resolve(host, cancellationToken);
        }
        catch (SocketException)
        {
            return ([], notPublic);
        }
        catch (ArgumentException)
        {
            return ([], notPublic);
        }

        return addresses.Length == 0 || addresses.Any(a => AddressPolicy.Refusal(a) is not null)
            ? (addresses, notPublic)
            : (addresses, null);
    }

    /// <summary>
    /// The host an http(s) URL names, lower-cased and in ASCII (IDNA), without brackets or a trailing
    /// dot; null when the URL is not one this policy can read without ambiguity.
    /// </summary>
    public static string? Host(string url)
    {
        var schemeEnd = url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7
            : url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8
            : -1;
        if (schemeEnd < 0 || url.AsSpan().IndexOfAny(Ambiguous) >= 0 || url.Any(char.IsControl))
        {
            return null;
        }

        var rest = url.AsSpan(schemeEnd);
        var end = rest.IndexOfAny('/', '?', '#');
        var authority = end < 0 ? rest : rest[..end];
        if (authority.IsEmpty || authority.IndexOfAny('@', '%') >= 0)
        {
            return null;
        }

        ReadOnlySpan<char> host;
        ReadOnlySpan<char> port;
        if (authority[0] == '[')
        {
            var close = authority.IndexOf(']');
            if (close < 0)
            {
                return null;
            }

            host = authority[1..close];
            port = authority[(close + 1)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return null;
            }
        }
        else
        {
            var colon = authority.IndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            port = colon < 0 ? [] : authority[colon..];
        }

        if (!port.IsEmpty && (port[0] != ':' || port.Length > 6 || port[1..].ContainsAnyExceptInRange('0', '9')))
        {
            return null;
        }

        if (host.EndsWith("."))
        {
            host = host[..^1];
        }

        if (host.IsEmpty)
        {
            return null;
        }

        try
        {
            return Idn.GetAscii(host.ToString()).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return authority[0] == '[' ? host.ToString().ToLowerInvariant() : null;
        }
    }
}
