using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Hosting;

/// <summary>Tests that set a process's Logging__* variable run alone, so no other gateway starts with it meanwhile.</summary>
[CollectionDefinition(nameof(LoggingEnvironmentTests), DisableParallelization = true)]
public sealed class LoggingEnvironmentTests;

[Collection(nameof(LoggingEnvironmentTests))]
public sealed class ObservabilityHostingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Json_logs_are_written_in_batches_by_the_same_writer_as_the_text_lines()
    {
        // The stock console logger wrote each line on its own: 15 % of plain passthrough's throughput.
        // The lines' shape is checked on a real process's output (ConsoleLogTests).
        await using var gateway = await GatewayInstance.StartAsync(config => config["observability"] = new JsonObject { ["jsonLogs"] = true });

        var providers = gateway.Services.GetServices<ILoggerProvider>().ToList();

        Assert.Contains(providers, p => p is ZLogger.Providers.ZLoggerConsoleLoggerProvider);
        Assert.DoesNotContain(providers, p => p is ConsoleLoggerProvider);
    }

    [Fact]
    public async Task ASP_NET_Core_request_diagnostics_are_off_unless_configuration_turns_them_on()
    {
        // Any level on this category makes ASP.NET Core start an Activity and a log scope per request.
        const string category = "Microsoft.AspNetCore.Hosting.Diagnostics";
        bool Enabled(GatewayInstance gateway) =>
            gateway.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category).IsEnabled(LogLevel.Critical);

        await using (var byDefault = await GatewayInstance.StartAsync(_ => { }))
        {
            Assert.False(Enabled(byDefault));
        }

        foreach (var configuredCategory in new[] { category, "Microsoft.AspNetCore.Hosting" })
        {
            var variable = "Logging__LogLevel__" + configuredCategory;
            Environment.SetEnvironmentVariable(variable, "Information");
            try
            {
                await using var configured = await GatewayInstance.StartAsync(_ => { });
                Assert.True(Enabled(configured), configuredCategory);
            }
            finally
            {
                Environment.SetEnvironmentVariable(variable, null);
            }
        }
    }

    [Fact]
    public async Task A_reload_applies_the_new_metrics_access_and_is_logged()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayInstance.StartAsync(_ => { }, logs: logs, minimumLogLevel: LogLevel.Information);
        using var http = gateway.HttpClient(key: null);
        using var before = await http.GetAsync("/metrics", Ct);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(gateway.ConfigPath, Ct))!;
        config["observability"] = new JsonObject { ["metricsAuth"] = "masterKey" };

        await File.WriteAllTextAsync(gateway.ConfigPath, config.ToJsonString(), Ct);
        var status = HttpStatusCode.OK;
        for (var i = 0; i < 100 && status == HttpStatusCode.OK; i++)
        {
            await Task.Delay(100, Ct);
            using var after = await http.GetAsync("/metrics", Ct);
            status = after.StatusCode;
        }

        await logs.WaitForAsync(l => l.EventId.Id == 1100, 1, Ct);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains(logs.Logs, l => l.EventId.Id == 1100);
    }
}
