using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Dialects;

namespace Switchyard.Pipeline;

/// <summary>Resolves the model a request names and checks the caller, the surface and the route's operation may use it.</summary>
internal static class RoutePlanner
{
    /// <summary>
    /// The model id a request names, refused with a 400 before it is kept anywhere when longer than
    /// any model's: a hostile caller's megabyte "model" stays out of the 404's message and the
    /// request log's row.
    /// </summary>
    public static string? Bounded(string? modelId) => modelId is { Length: > ModelCatalog.MaxModelIdLength }
        ? throw GatewayException.InvalidRequest($"'model' is longer than {ModelCatalog.MaxModelIdLength} characters: no model has such an id.", "model")
        : modelId;

    public static ModelEntry Resolve(ModelCatalog catalog, Caller caller, string? modelId, Surface surface, RouteOperation operation)
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

        if (!surface.Serves(model.Kind))
        {
            throw WrongKind(modelId, model.Kind, DialectRegistry.PreferredSurface(model.Kind).Route);
        }

        if (!model.Surfaces.Contains(surface))
        {
            var allowed = string.Join(" or ", DialectRegistry.Surfaces.Where(model.Surfaces.Contains).Select(s => s.Route));
            throw GatewayException.InvalidRequest($"The model '{modelId}' is served on {allowed} only.", "model");
        }

        if (KindOf(operation) is { } kind && kind != model.Kind)
        {
            throw WrongKind(modelId, model.Kind, AlternativeRoute(surface, model.Kind));
        }

        return model;
    }

    /// <summary>
    /// Where a surface that serves several kinds (Gemini's) serves this kind: each kind's method
    /// has its own route. Apart from <see cref="Resolve"/>, whose every call would otherwise
    /// allocate the lambdas' captured state.
    /// </summary>
    private static string AlternativeRoute(Surface surface, ModelKind kind) =>
        DialectRegistry.Clients
            .Where(c => c.Surface == surface)
            .SelectMany(c => c.Routes)
            .FirstOrDefault(r => KindOf(r.Operation) == kind)?.Pattern
        ?? DialectRegistry.PreferredSurface(kind).Route;

    /// <summary>The kind of model an operation serves; null for operations that serve none.</summary>
    public static ModelKind? KindOf(RouteOperation operation) => operation switch
    {
        RouteOperation.Generate or RouteOperation.CountTokens => ModelKind.Chat,
        RouteOperation.Embed => ModelKind.Embedding,
        RouteOperation.Images => ModelKind.Image,
        RouteOperation.Speech or RouteOperation.Transcription => ModelKind.Audio,
        _ => null,
    };

    private static GatewayException WrongKind(string modelId, ModelKind kind, string route) => GatewayException.InvalidRequest(
        $"The model '{modelId}' is {(kind is ModelKind.Embedding or ModelKind.Image or ModelKind.Audio ? "an" : "a")} {ModelKinds.Name(kind)} model; use {route}.", "model");
}
