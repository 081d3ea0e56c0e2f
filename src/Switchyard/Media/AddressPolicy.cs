using System.Net;
using System.Net.Sockets;

namespace Switchyard.Media;

/// <summary>
/// Which addresses the gateway may fetch media from on a client's behalf: public unicast only.
/// Loopback, private (RFC 1918, unique-local), link-local (incl. cloud metadata at 169.254.169.254),
/// carrier-grade NAT, multicast and reserved ranges are refused, so a client cannot make the gateway
/// reach into its own network.
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

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "an unspecified address",
                10 => "a private address",
                100 when b[1] >= 64 && b[1] <= 127 => "a shared (carrier-grade NAT) address",
                169 when b[1] == 254 => "a link-local or metadata address",
                172 when b[1] >= 16 && b[1] <= 31 => "a private address",
                192 when b[1] == 168 => "a private address",
                192 when b[1] == 0 && b[2] == 0 => "a reserved address",
                198 when b[1] is 18 or 19 => "a reserved address",
                >= 224 => "a multicast or reserved address",
                _ => null,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
            {
                return "an unspecified address";
            }

            var b = address.GetAddressBytes();
            if ((b[0] & 0xFE) == 0xFC)
            {
                return "a private (unique-local) address";
            }

            if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80)
            {
                return "a link-local address";
            }

            if (b[0] == 0xFF)
            {
                return "a multicast address";
            }

            // NAT64 (64:ff9b::/96) embeds an IPv4 address: judge that one.
            if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            {
                return Refusal(new IPAddress(b.AsSpan(12, 4)));
            }
        }

        return null;
    }
}
