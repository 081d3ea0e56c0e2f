using System.Net;
using CsCheck;
using Switchyard.Configuration;
using Switchyard.Media;

namespace Switchyard.Tests.Media;

/// <summary>
/// The address policy over every spelling of an address a client (or a URL parser upstream) might
/// use: what an IPv4 address is, each IPv6 form that embeds it and each numeric URL host that names
/// it must be judged alike.
/// </summary>
public sealed class AddressPolicyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("::a00:1", "a private address")]
    [InlineData("::127.0.0.2", "a loopback address")]
    [InlineData("::ffff:0:10.1.2.3", "a private address")]
    [InlineData("fec0::1", "a private (site-local) address")]
    [InlineData("2002:0a00:0001::1", "a private address")]
    [InlineData("2002:a9fe:a9fe::", "a link-local or metadata address")]
    [InlineData("64:ff9b::192.168.0.1", "a private address")]
    [InlineData("64:ff9b:1::1", "a private (local NAT64) address")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe", "a private address")]
    [InlineData("2001:db8::1", "a documentation address")]
    [InlineData("100::1", "a discard-only address")]
    [InlineData("192.0.2.10", "a reserved address")]
    [InlineData("203.0.113.7", "a reserved address")]
    [InlineData("127.8.9.10", "a loopback address")]
    public void Refuses_every_form_of_a_non_public_address(string address, string reason)
    {
        Assert.Equal(reason, AddressPolicy.Refusal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700::1111")]
    [InlineData("2002:0808:0808::1")]
    [InlineData("64:ff9b::1.1.1.1")]
    [InlineData("::ffff:93.184.215.14")]
    public void Allows_public_addresses_in_any_form(string address)
    {
        Assert.Null(AddressPolicy.Refusal(IPAddress.Parse(address)));
    }

    [Fact]
    public void Judges_an_ipv4_address_alike_in_every_ipv6_form_that_embeds_it()
    {
        Addresses.Sample(v4 =>
        {
            var refused = AddressPolicy.Refusal(new IPAddress(v4)) is not null;
            foreach (var form in V6Forms(v4))
            {
                Assert.True(refused == (AddressPolicy.Refusal(IPAddress.Parse(form)) is not null), $"{new IPAddress(v4)} as {form}");
            }
        });
    }

    [Fact]
    public async Task Judges_an_ipv4_address_alike_in_every_way_a_url_can_spell_it()
    {
        var policy = new MediaUrlPolicy(new MediaOptions(), (host, _) => throw new InvalidOperationException($"'{host}' is numeric; nothing should resolve it"));
        await Addresses.SampleAsync(async v4 =>
        {
            var refused = AddressPolicy.Refusal(new IPAddress(v4)) is not null;
            foreach (var host in UrlHosts(v4))
            {
                var refusal = await policy.RefusalAsync($"http://{host}:8080/a.png", Ct);
                Assert.True(refused == refusal is not null, $"{new IPAddress(v4)} as {host}: {refusal}");
            }
        });
    }

    [Theory]
    [InlineData("http://images.example@10.0.0.1/a.png")]
    [InlineData("http://images.example\\@10.0.0.1/a.png")]
    [InlineData("http://images.example%2f@10.0.0.1/a.png")]
    [InlineData("http://10.0.0.1 /a.png")]
    [InlineData("file:///etc/passwd")]
    [InlineData("gopher://images.example/")]
    [InlineData("http://images.example:80x/a.png")]
    [InlineData("http:///a.png")]
    public async Task Refuses_urls_that_parsers_could_read_differently(string url)
    {
        var policy = new MediaUrlPolicy(new MediaOptions(), (_, _) => Task.FromResult(new[] { IPAddress.Parse("93.184.215.14") }));

        var refusal = await policy.RefusalAsync(url, Ct);

        Assert.Equal("it is not a plain absolute http or https URL", refusal);
    }

    [Fact]
    public async Task Refuses_a_name_if_any_of_its_addresses_is_not_public_without_saying_which()
    {
        var policy = new MediaUrlPolicy(new MediaOptions(), (host, _) => Task.FromResult(host switch
        {
            "mixed.example" => new[] { IPAddress.Parse("93.184.215.14"), IPAddress.Parse("10.20.30.40") },
            "public.example" => [IPAddress.Parse("93.184.215.14"), IPAddress.Parse("2606:4700::1111")],
            _ => throw new System.Net.Sockets.SocketException(11001),
        }));

        var mixed = await policy.RefusalAsync("https://mixed.example/a.png", Ct);
        var missing = await policy.RefusalAsync("https://missing.example/a.png", Ct);
        var fine = await policy.RefusalAsync("https://PUBLIC.example./a.png", Ct);

        Assert.Equal("its host 'mixed.example' does not resolve to public addresses only", mixed);
        Assert.Equal("its host 'missing.example' does not resolve to public addresses only", missing);
        Assert.Null(fine);
    }

    [Fact]
    public async Task Lets_an_allowed_host_through_whatever_it_resolves_to()
    {
        var policy = new MediaUrlPolicy(new MediaOptions { AllowHosts = ["images.internal"] }, (_, _) => Task.FromResult(new[] { IPAddress.Parse("10.0.0.9") }));

        Assert.Null(await policy.RefusalAsync("http://images.internal/a.png", Ct));
        Assert.NotNull(await policy.RefusalAsync("http://other.internal/a.png", Ct));
    }

    private static readonly byte[] RefusedFirstBytes = [0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 255];

    /// <summary>IPv4 addresses, half of them drawn from the ranges the policy refuses, so both verdicts are well covered.</summary>
    private static readonly Gen<byte[]> Addresses = Gen.Frequency(
        (1, Gen.Byte.Array[4]),
        (1, Gen.Select(Gen.Int[0, RefusedFirstBytes.Length - 1].Select(i => RefusedFirstBytes[i]), Gen.Byte.Array[3],
            (first, rest) => new[] { first, first == 169 ? (byte)254 : first == 192 ? (byte)168 : rest[0], rest[1], rest[2] })));

    private static IEnumerable<string> V6Forms(byte[] v)
    {
        var dotted = new IPAddress(v).ToString();
        var high = $"{v[0]:x2}{v[1]:x2}";
        var low = $"{v[2]:x2}{v[3]:x2}";
        yield return $"::ffff:{dotted}";
        yield return $"::ffff:{high}:{low}";
        yield return $"::ffff:0:{dotted}";
        yield return $"64:ff9b::{dotted}";
        yield return $"2002:{high}:{low}::1";
        if (v[0] != 0 || v[1] != 0 || v[2] != 0 || v[3] > 1)
        {
            // ::0.0.0.0 and ::0.0.0.1 are the unspecified and loopback addresses, refused in their own right.
            yield return $"::{dotted}";
        }
    }

    private static IEnumerable<string> UrlHosts(byte[] v)
    {
        var value = (uint)(v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3]);
        yield return new IPAddress(v).ToString();
        yield return value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return $"0x{value:x8}";
        yield return string.Join('.', v.Select(b => "0" + Convert.ToString(b, 8)));
        yield return string.Join('.', v.Select(b => $"0x{b:x}"));
        yield return $"{v[0]}.{(v[1] << 16) | (v[2] << 8) | v[3]}";
        yield return new IPAddress(v) + ".";
        foreach (var form in V6Forms(v))
        {
            yield return $"[{form}]";
        }
    }
}
