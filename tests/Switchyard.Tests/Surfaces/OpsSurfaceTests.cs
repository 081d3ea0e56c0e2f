using System.Net;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

public sealed class OpsSurfaceTests
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Answers_health_probes_without_a_key(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient(key: null);

        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
