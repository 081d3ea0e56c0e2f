using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Providers;

namespace Switchyard.Tests.Configuration;

/// <summary>
/// A recompile keeps the providers whose settings did not change (their connections and
/// credentials), and a swap releases, a while later, the ones the new snapshot no longer uses.
/// </summary>
public sealed class SnapshotProvidersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SwitchyardOptions Options(string secondHeader) => new()
    {
        Providers =
        [
            new ProviderOptions { Name = "kept", Type = "openai", BaseUrl = "http://127.0.0.1:9/v1" },
            new ProviderOptions { Name = "changed", Type = "openai", BaseUrl = "http://127.0.0.1:9/v1", Headers = new() { ["X-Team"] = secondHeader } },
        ],
        Models = [new ModelOptions { Id = "m", Provider = "kept" }],
    };

    [Fact]
    public void A_recompile_keeps_the_providers_whose_settings_did_not_change()
    {
        var first = GatewaySnapshot.Compile(Options("a"), new ProviderContext(_ => null));

        var same = GatewaySnapshot.Compile(Options("a"), new ProviderContext(_ => null), previous: first);
        var edited = GatewaySnapshot.Compile(Options("b"), new ProviderContext(_ => null), previous: first);

        Assert.Same(first.Catalog.Providers["kept"], edited.Catalog.Providers["kept"]);
        Assert.NotSame(first.Catalog.Providers["changed"], edited.Catalog.Providers["changed"]);
        Assert.Same(first.Catalog.Providers["changed"], same.Catalog.Providers["changed"]);
        Assert.Equal(["changed"], first.RetiredBy(edited).Select(p => p.Name));
        Assert.Empty(first.RetiredBy(same));
    }

    [Fact]
    public async Task A_swap_releases_the_connection_pools_of_the_providers_it_retired_and_no_other()
    {
        var first = GatewaySnapshot.Compile(Options("a"), new ProviderContext(_ => null));
        var next = GatewaySnapshot.Compile(Options("b"), new ProviderContext(_ => null), previous: first);
        using var monitor = new SnapshotMonitor(first, retireAfter: TimeSpan.Zero);

        monitor.Swap(next);
        var retired = first.Catalog.Providers["changed"];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!await IsReleasedAsync(retired) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, Ct);
        }

        Assert.True(await IsReleasedAsync(retired));
        Assert.False(await IsReleasedAsync(next.Catalog.Providers["kept"]));
        Assert.False(await IsReleasedAsync(next.Catalog.Providers["changed"]));
    }

    /// <summary>A released pool refuses to send; a live one tries, and finds nothing listening on the discard port.</summary>
    private static async Task<bool> IsReleasedAsync(Provider provider)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9/");
            using var response = await provider.Invoker!.SendAsync(request, Ct);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
