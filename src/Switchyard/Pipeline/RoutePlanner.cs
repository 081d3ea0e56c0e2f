using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Dialects;

namespace Switchyard.Pipeline;

/// <summary>Resolves the model a request names and checks the caller and the surface may use it.</summary>
public static class RoutePlanner
{
    public static ModelEntry Resolve(ModelCatalog catalog, Caller caller, string? modelId, Surface surface)
    {
        if (string.IsNullOrEmpty(modelId))
        {
            throw GatewayException.InvalidRequest("'model' is required.", "model");
        }

        if (catalog.Find(modelId) is not { } model)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.ModelNotFound, $"The model '{modelId}' does not exist.") { Param = "model" });
        }

        if (!caller.MayUse(modelId))
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.ModelNotAllowed, $"This key may not use the model '{modelId}'.") { Param = "model" });
        }

        if (!SurfaceNames.Fits(surface, model.Kind))
        {
            var preferred = SurfaceNames.Preferred(model.Kind);
            throw GatewayException.InvalidRequest(
                $"The model '{modelId}' is {Article(model.Kind)} {ModelKinds.Name(model.Kind)} model; use {SurfaceNames.Route(preferred)}.", "model");
        }

        if (!model.Surfaces.Contains(surface))
        {
            var allowed = string.Join(" or ", model.Surfaces.Order().Select(SurfaceNames.Route));
            throw GatewayException.InvalidRequest($"The model '{modelId}' is served on {allowed} only.", "model");
        }

        return model;
    }

    private static string Article(ModelKind kind) => kind is ModelKind.Embedding or ModelKind.Image or ModelKind.Audio ? "an" : "a";
}
