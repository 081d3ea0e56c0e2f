using Microsoft.AspNetCore.Routing;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Pipeline.Operations;

/// <summary>The models a caller may use, in the dialect's listing shape; a model it may not use is as invisible as one that does not exist.</summary>
internal sealed class ModelListingOperation(SnapshotMonitor snapshots) : IGatewayOperation
{
    private static readonly long Started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public async Task InvokeAsync(GatewayRequest request)
    {
        var listing = (IModelListing)request.Dialect!;
        var surface = request.Dialect!.Surface;
        var caller = request.Caller!;
        var catalog = snapshots.Current.Catalog;
        using var buffer = new PooledBufferWriter();
        if (request.Route!.Operation == RouteOperation.ListModels)
        {
            listing.WriteList(catalog.Ordered
                .Where(m => caller.MayUse(m.Id) && (listing.ListsAllSurfaces || m.Surfaces.Contains(surface)))
                .Select(Info), buffer);
        }
        else
        {
            var id = listing.ModelId(request.Context.GetRouteValue("id") as string ?? string.Empty);
            if (catalog.Find(id) is not { } model || !caller.MayUse(id))
            {
                throw new GatewayException(listing.NotFound(id));
            }

            listing.WriteModel(Info(model), buffer);
        }

        var response = request.Context.Response;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, request.Aborted);
    }

    private static ModelInfo Info(ModelEntry model) => new(model.Id, model.Kind, model.OwnedBy)
    {
        ContextWindow = model.ContextWindow,
        MaxOutputTokens = model.MaxOutputTokens,
        Created = Started,
    };
}
