using System.Net;
using System.Net.Sockets;

namespace Switchyard.Media;

/// <summary>
/// Which addresses the gateway may fetch media from on a client's behalf, or let a private upstream
/// fetch from: public unicast only. Loopback, private (RFC 1918, unique-local, site-local),
/// link-local (incl. cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, documentation
/// and reserved ranges are refused, and so is every IPv6 form that embeds one of those IPv4
/// addresses (mapped, compatible, translated, NAT64, 6to4, Teredo), so a client cannot make the
/// gateway reach into its own network by spelling an address differently.
/// </summary>
internal static class AddressPolicy
{
    /// <summary>Null when the address is public; otherwise why it is refused.</summary>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "a loopback address";
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => RefusalV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => RefusalV6(address.GetAddressBytes()),
            _ => "an address of an unknown family",
        };
    }

    private static string? RefusalV4(ReadOnlySpan<byte> b) => b[0] switch
    {
        0 => "an unspecified address",
        10 => "a private address",
        100 when b[1] >= 64 && b[1] <= 127 => "a shared (carrier-grade NAT) address",
        127 => "a loopback address",
        169 when b[1] == 254 => "a link-local or metadata address",
        172 when b[1] >= 16 && b[1] <= 31 => "a private address",
        192 when b[1] == 168 => "a private address",
        192 when b[1] == 0 && b[2] is 0 or 2 => "a reserved address",
        192 when b[1] == 88 && b[2] == 99 => "a reserved address",
        198 when b[1] is 18 or 19 => "a reserved address",
        198 when b[1] == 51 && b[2] == 100 => "a reserved address",
        203 when b[1] == 0 && b[2] == 113 => "a reserved address",
        >= 224 => "a multicast or reserved address",
        _ => null,
    };

    private static string? RefusalV6(byte[] b)
    {
        var span = b.AsSpan();

        // ::/96 — unspecified, loopback (caught above) and the deprecated IPv4-compatible ::a.b.c.d.
        if (span[..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return span[12..].IndexOfAnyExcept((byte)0) < 0 ? "an unspecified address" : RefusalV4(span[12..]);
        }

        // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765) embeds an IPv4 address: judge that one.
        if (span[..8].IndexOfAnyExcept((byte)0) < 0 && b[8] == 0xFF && b[9] == 0xFF && b[10] == 0 && b[11] == 0)
        {
            return RefusalV4(span[12..]);
        }

        // NAT64 (64:ff9b::/96) embeds an IPv4 address; the local-use prefix 64:ff9b:1::/48 is private.
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B)
        {
            if (span[4..12].IndexOfAnyExcept((byte)0) < 0)
            {
                return RefusalV4(span[12..]);
            }

            if (b[4] == 0 && b[5] == 1)
            {
                return "a private (local NAT64) address";
            }
        }

        // 6to4 (2002::/16) carries its IPv4 address in bits 16-47.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return RefusalV4(span.Slice(2, 4));
        }

        // Teredo (2001:0::/32): the server's IPv4 in bits 32-63, the client's inverted in the last 32.
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
        {
            Span<byte> client = [(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]];
            return RefusalV4(span.Slice(4, 4)) ?? RefusalV4(client);
        }

        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
        {
            return "a documentation address";
        }

        if (b[0] == 0x01 && b[1] == 0 && span[2..8].IndexOfAnyExcept((byte)0) < 0)
        {
            return "a discard-only address";
        }

        if ((b[0] & 0xFE) == 0xFC)
        {
            return "a private (unique-local) address";
        }

        if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
        {
            return "a link-local address";
        }

        if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)
        {
            return "a private (site-local) address";
        }

        if (b[0] == 0xFF)
        {
            return "a multicast address";
        }

        return null;
    }
}
