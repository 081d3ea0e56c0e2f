namespace Switchyard.Pipeline;

/// <summary>The rest of a route's steps, from one step's point of view.</summary>
internal delegate Task GatewayHandler(GatewayRequest request);

/// <summary>One composable step of a route (authenticate, read the body, admit, …): it adds to the request and calls the next.</summary>
internal interface IGatewayStep
{
    Task InvokeAsync(GatewayRequest request, GatewayHandler next);
}

/// <summary>The last step of a route: the operation that answers.</summary>
internal interface IGatewayOperation
{
    Task InvokeAsync(GatewayRequest request);
}

/// <summary>Composes a route's steps around its operation, once, when routes are mapped.</summary>
internal static class GatewayChain
{
    public static GatewayHandler Build(IReadOnlyList<IGatewayStep> steps, IGatewayOperation operation)
    {
        GatewayHandler handler = operation.InvokeAsync;
        for (var i = steps.Count - 1; i >= 0; i--)
        {
            var step = steps[i];
            var next = handler;
            handler = request => step.InvokeAsync(request, next);
        }

        return handler;
    }

    /// <summary>
    /// The rest of the chain once <paramref name="first"/> is done: a step whose own work finished
    /// synchronously calls the next directly instead, so the common path adds no async frame per step.
    /// </summary>
    public static async Task ThenAsync(Task first, GatewayRequest request, GatewayHandler next)
    {
        await first;
        await next(request);
    }
}
