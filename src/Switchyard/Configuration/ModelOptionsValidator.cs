using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Providers;

namespace Switchyard.Configuration;

/// <summary>
/// The <c>models</c> section: unique ids, known kinds, deployments on providers that serve the
/// kind (in the <c>api</c> chosen), surfaces that serve it, fallbacks to models that exist, prices.
/// </summary>
internal static class ModelOptionsValidator
{
    public static readonly string[] ModelKinds = ["chat", "embedding", "image", "audio"];

    public static void Validate(ConfigurationCheck check)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var models = check.Options.Models;
        for (var i = 0; i < models.Count; i++)
        {
            var model = models[i];
            var path = ConfigurationCheck.Path("models", i);
            if (string.IsNullOrWhiteSpace(model.Id))
            {
                check.Problem(path + ".id", "is required");
            }
            else if (model.Id.Length > ModelCatalog.MaxModelIdLength)
            {
                check.Problem(path + ".id", $"is longer than {ModelCatalog.MaxModelIdLength} characters");
            }
            else if (!seen.Add(model.Id))
            {
                check.Problem(path + ".id", $"'{model.Id}' is already the id of another model");
            }

            if (!ModelKinds.Contains(model.Kind))
            {
                check.Problem(path + ".kind", $"'{model.Kind}' is not one of {string.Join(", ", ModelKinds)}");
            }

            ValidateDeployments(check, model, path);
            if (model.Api is { } api && api != "chat" && api != "responses")
            {
                check.Problem(path + ".api", $"'{api}' is not one of chat, responses");
            }

            ValidateEndpoints(check, model, path);
            for (var f = 0; f < model.Fallbacks.Count; f++)
            {
                var fallback = model.Fallbacks[f];
                if (fallback == model.Id)
                {
                    check.Problem(ConfigurationCheck.Path(path + ".fallbacks", f), "a model cannot fall back to itself");
                }
                else if (!check.ModelIds.Contains(fallback))
                {
                    check.Problem(ConfigurationCheck.Path(path + ".fallbacks", f), $"'{fallback}' is not a model");
                }
            }

            if (model.ContextWindow is <= 0)
            {
                check.Problem(path + ".contextWindow", "must be positive");
            }

            if (model.MaxOutputTokens is <= 0)
            {
                check.Problem(path + ".maxOutputTokens", "must be positive");
            }

            if (model.Pricing is { } pricing
                && (pricing.InputPerMTok < 0 || pricing.OutputPerMTok < 0 || pricing.CachedInputPerMTok < 0
                    || pricing.CacheWritePerMTok < 0 || pricing.ReasoningPerMTok < 0 || pricing.MinimumCharge < 0
                    || pricing.WebSearchPerCall < 0))
            {
                check.Problem(path + ".pricing", "prices must not be negative");
            }
        }
    }

    private static void ValidateDeployments(ConfigurationCheck check, ModelOptions model, string path)
    {
        if (model.Provider is null && model.Deployments.Count == 0)
        {
            check.Problem(path, "needs a provider or at least one deployment");
        }
        else if (model.Provider is not null && model.Deployments.Count > 0)
        {
            check.Problem(path, "has both provider and deployments; use one");
        }

        if (model.Provider is not null)
        {
            ValidateDeployment(check, path, model.Provider, model.Api, model.Kind);
        }

        for (var d = 0; d < model.Deployments.Count; d++)
        {
            var deployment = model.Deployments[d];
            var deploymentPath = ConfigurationCheck.Path(path + ".deployments", d);
            ValidateDeployment(check, deploymentPath, deployment.Provider, deployment.Api ?? model.Api, model.Kind);
            if (deployment.Weight <= 0)
            {
                check.Problem(deploymentPath + ".weight", "must be positive");
            }
        }
    }

    private static void ValidateDeployment(ConfigurationCheck check, string path, string provider, string? api, string kind)
    {
        if (!check.Providers.TryGetValue(provider, out var found))
        {
            check.Problem(path + ".provider", $"'{provider}' is not a provider");
            return;
        }

        if (ProviderTypes.Find(found.Type) is not { } type || !Catalog.ModelKinds.TryParse(kind, out var modelKind))
        {
            return;
        }

        if (!type.Serves(modelKind))
        {
            var serving = ProviderTypes.All.Where(t => t.Serves(modelKind)).Select(t => t.Name);
            check.Problem(path + ".provider", $"{kind} models are served by {string.Join(", ", serving)} providers only; '{provider}' is {found.Type}");
        }
        else if (api is { } chosen && chosen != "chat" && !type.InProcess && type.DialectFor(modelKind, chosen) == type.DialectFor(modelKind, null))
        {
            var accepting = ProviderTypes.All.Where(t => !t.InProcess && t.DialectFor(modelKind, chosen) != t.DialectFor(modelKind, null)).Select(t => t.Name);
            check.Problem(path + ".api", $"'{chosen}' applies to {string.Join(", ", accepting)} providers only; '{provider}' is {found.Type}");
        }
    }

    private static void ValidateEndpoints(ConfigurationCheck check, ModelOptions model, string path)
    {
        if (model.Endpoints is not { } endpoints)
        {
            return;
        }

        for (var e = 0; e < endpoints.Count; e++)
        {
            if (DialectRegistry.FindSurface(endpoints[e]) is not { } surface)
            {
                check.Problem(ConfigurationCheck.Path(path + ".endpoints", e), $"'{endpoints[e]}' is not one of {string.Join(", ", DialectRegistry.Surfaces.Select(s => s.Name))}");
            }
            else if (Catalog.ModelKinds.TryParse(model.Kind, out var kind) && !surface.Serves(kind))
            {
                check.Problem(ConfigurationCheck.Path(path + ".endpoints", e), $"'{endpoints[e]}' does not serve {model.Kind} models");
            }
        }
    }
}
