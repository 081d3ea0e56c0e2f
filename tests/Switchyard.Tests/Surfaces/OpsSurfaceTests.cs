using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

public sealed class OpsSurfaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string MetricsToken = "scrape-token-0123456789abcdef";

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task Answers_health_probes_without_a_key(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient(key: null);

        using var response = await http.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Serves_metrics_to_anyone_by_default_in_the_text_format()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient(key: null);

        using var response = await http.GetAsync("/metrics", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var exposition = Exposition.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("gauge", exposition.TypesByFamily["switchyard_deployments_benched"]);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("sk-unknown-0123456789", HttpStatusCode.Unauthorized)]
    [InlineData(MetricsToken, HttpStatusCode.Unauthorized)]
    [InlineData(GatewayInstance.UserKey, HttpStatusCode.Forbidden)]
    [InlineData(GatewayInstance.MasterKey, HttpStatusCode.OK)]
    public async Task Restricts_metrics_to_the_master_key(string? key, HttpStatusCode expected)
    {
        await using var gateway = await GatewayInstance.StartAsync(config =>
            config["observability"] = new JsonObject { ["metricsAuth"] = "masterKey" });
        using var http = gateway.HttpClient(key);

        using var response = await http.GetAsync("/metrics", Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal((int)expected, (int?)JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["status"]);
        }

        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("scrape-token-wrong-0123456789", HttpStatusCode.Unauthorized)]
    [InlineData(GatewayInstance.UserKey, HttpStatusCode.Forbidden)]
    [InlineData(MetricsToken, HttpStatusCode.OK)]
    [InlineData(GatewayInstance.MasterKey, HttpStatusCode.OK)]
    public async Task Restricts_metrics_to_a_separate_token_or_the_master_key(string? key, HttpStatusCode expected)
    {
        await using var gateway = await GatewayInstance.StartAsync(
            config => config["observability"] = new JsonObject { ["metricsAuth"] = "token", ["metricsToken"] = "env:SCRAPE_TOKEN" },
            new Dictionary<string, string> { ["SCRAPE_TOKEN"] = MetricsToken });
        using var http = gateway.HttpClient(key);

        using var response = await http.GetAsync("/metrics", Ct);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Accepts_the_metrics_token_in_any_credential_form()
    {
        await using var gateway = await GatewayInstance.StartAsync(
            config => config["observability"] = new JsonObject { ["metricsAuth"] = "token", ["metricsToken"] = MetricsToken });
        using var http = gateway.HttpClient(key: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("x-api-key", MetricsToken);

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
