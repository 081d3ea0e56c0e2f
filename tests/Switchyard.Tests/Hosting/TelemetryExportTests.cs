using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Hosting;

public sealed class TelemetryExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Exports_traces_and_metrics_over_otlp_http_when_an_endpoint_is_configured()
    {
        await using var collector = await FakeUpstream.StartAsync();
        var received = new ConcurrentQueue<(string Path, string? ContentType, string? Header, int Length)>();
        collector.Default = (context, request) =>
        {
            received.Enqueue((request.Path, request.Header("content-type"), request.Header("x-collector-key"), request.Body.Length));
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        };
        var gateway = await GatewayInstance.StartAsync(config =>
        {
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "echo", ["type"] = "echo" });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "echo", ["provider"] = "echo" });
            config["observability"] = new JsonObject
            {
                ["otlpEndpoint"] = collector.BaseUrl,
                ["otlpProtocol"] = "http/protobuf",
                ["otlpHeaders"] = new JsonObject { ["x-collector-key"] = "env:COLLECTOR_KEY" },
                ["serviceName"] = "switchyard-test",
            };
        }, new Dictionary<string, string> { ["COLLECTOR_KEY"] = "collector-secret" });
        await using (gateway)
        {
            using var client = gateway.HttpClient();
            using var response = await client.PostAsync("/v1/chat/completions",
                Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // Stopping the gateway flushed both signals.
        var traces = Assert.Single(received.Where(r => r.Path == "/v1/traces").Take(1));
        Assert.Equal("application/x-protobuf", traces.ContentType);
        Assert.Equal("collector-secret", traces.Header);
        Assert.True(traces.Length > 0);
        Assert.Contains(received, r => r.Path == "/v1/metrics" && r.Length > 0);
    }
}
