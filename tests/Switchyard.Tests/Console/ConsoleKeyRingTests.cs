using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Console;

/// <summary>
/// The console's data protection key ring is read or made when the console first needs it, not at
/// start: a gateway whose console is never opened makes and writes no key.
/// </summary>
public sealed class ConsoleKeyRingTests
{
    [Fact]
    public async Task The_key_ring_is_made_by_the_first_console_page_not_at_start()
    {
        var keyRing = Path.Combine(Path.GetTempPath(), "switchyard-tests", "keyring-" + Guid.NewGuid().ToString("N"));
        await using var gateway = await GatewayInstance.StartAsync(config => config["console"] = new JsonObject { ["keyRingPath"] = keyRing });

        // Started and serving: no key yet.
        using var api = gateway.HttpClient();
        Assert.True((await api.GetAsync("/v1/models", TestContext.Current.CancellationToken)).IsSuccessStatusCode);
        Assert.Empty(KeyFiles(keyRing));
        Assert.DoesNotContain(gateway.Services.GetServices<IHostedService>(), service => service.GetType().Name == "DataProtectionHostedService");

        // The sign-in page carries a form token, which needs the key ring.
        using var browser = gateway.HttpClient(key: null);
        var page = await browser.GetAsync("/ui/signin", TestContext.Current.CancellationToken);
        Assert.True(page.IsSuccessStatusCode);
        Assert.Contains("switchyard.csrf", string.Join(";", page.Headers.GetValues("Set-Cookie")), StringComparison.Ordinal);
        Assert.Single(KeyFiles(keyRing));
    }

    [Fact]
    public async Task A_gateway_without_the_console_starts_no_key_ring_either()
    {
        await using var gateway = await GatewayInstance.StartAsync(config => config["console"] = new JsonObject { ["enabled"] = false });

        Assert.DoesNotContain(gateway.Services.GetServices<IHostedService>(), service => service.GetType().Name == "DataProtectionHostedService");
    }

    private static string[] KeyFiles(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder, "key-*.xml") : [];
}
