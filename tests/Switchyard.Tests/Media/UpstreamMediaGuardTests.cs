using System.Net;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Media;

namespace Switchyard.Tests.Media;

/// <summary>Which upstreams count as inside the private network, literal or resolved, failing closed.</summary>
public sealed class UpstreamMediaGuardTests
{
    [Theory]
    [InlineData("https://api.openai.com/v1", false)]
    [InlineData("http://vllm.internal:8000/v1", true)]
    [InlineData("http://split.internal:8000/v1", true)]
    [InlineData("http://nowhere.internal/v1", true)]
    [InlineData("http://10.0.0.5:8000/v1", true)]
    [InlineData("http://[fd00::5]:8000/v1", true)]
    [InlineData("http://93.184.215.14/v1", false)]
    public async Task Counts_a_provider_as_private_when_any_address_of_its_base_url_is(string baseUrl, bool expected)
    {
        var guard = new UpstreamMediaGuard(new MediaOptions(), TimeProvider.System, (host, _) => host switch
        {
            "api.openai.com" => Task.FromResult(new[] { IPAddress.Parse("162.159.140.245") }),
            "vllm.internal" => Task.FromResult(new[] { IPAddress.Parse("10.0.0.5") }),
            "split.internal" => Task.FromResult(new[] { IPAddress.Parse("162.159.140.245"), IPAddress.Parse("fe80::1") }),
            _ => throw new System.Net.Sockets.SocketException(11001),
        });
        var provider = new Provider { Name = "p", Type = Switchyard.Providers.ProviderTypes.Find("openai")!, BaseUrl = baseUrl };

        Assert.Equal(expected, await guard.IsPrivateAsync(provider, TestContext.Current.CancellationToken));
    }
}
