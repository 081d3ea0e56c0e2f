using Switchyard.Dialects;
using Switchyard.Catalog;
using Switchyard.Routing;

namespace Switchyard.Tests.Routing;

public sealed class DeploymentSelectorTests
{
    private static Provider Provider(string name) => new() { Name = name, Type = Switchyard.Providers.ProviderTypes.Find("openai")!, BaseUrl = "http://unused.invalid/v1" };

    [Fact]
    public void Picks_first_deployments_in_proportion_to_their_weights()
    {
        var heavy = new Deployment(Provider("heavy"), "a", 3);
        var light = new Deployment(Provider("light"), "b", 1);
        var model = new ModelEntry { Id = "m", Kind = ModelKind.Chat, Surfaces = new HashSet<Surface> { DialectRegistry.FindSurface("chat")! }, Deployments = [heavy, light] };
        var catalog = new ModelCatalog([heavy.Provider, light.Provider], [model]);
        var random = new Random(42);

        var firsts = Enumerable.Range(0, 10_000).Select(_ => DeploymentSelector.Candidates(catalog, model, random)[0].Deployment).ToList();

        var share = firsts.Count(d => d == heavy) / 10_000.0;
        Assert.InRange(share, 0.72, 0.78);
    }

    [Fact]
    public void Lists_every_deployment_once_then_the_fallbacks_in_order()
    {
        var a = new Deployment(Provider("pa"), "a", 1);
        var b = new Deployment(Provider("pb"), "b", 1);
        var f1 = new Deployment(Provider("pf1"), "f1", 1);
        var f2 = new Deployment(Provider("pf2"), "f2", 1);
        var surfaces = new HashSet<Surface> { DialectRegistry.FindSurface("chat")! };
        var model = new ModelEntry { Id = "m", Kind = ModelKind.Chat, Surfaces = surfaces, Deployments = [a, b], Fallbacks = ["fb1", "fb2"] };
        var fb1 = new ModelEntry { Id = "fb1", Kind = ModelKind.Chat, Surfaces = surfaces, Deployments = [f1] };
        var fb2 = new ModelEntry { Id = "fb2", Kind = ModelKind.Chat, Surfaces = surfaces, Deployments = [f2] };
        var catalog = new ModelCatalog([a.Provider, b.Provider, f1.Provider, f2.Provider], [model, fb1, fb2]);

        var order = DeploymentSelector.Candidates(catalog, model, new Random(1)).Select(c => c.Deployment).ToList();

        Assert.Equal(4, order.Count);
        Assert.Equal(new HashSet<Deployment> { a, b }, order.Take(2).ToHashSet());
        Assert.Equal([f1, f2], order.Skip(2));
    }
}
