using Switchyard.Dialects;

namespace Switchyard.Pipeline.Operations;

/// <summary>A path under a dialect's prefix that names no method it has: a 404 in its envelope.</summary>
internal sealed class UnknownMethodOperation : IGatewayOperation
{
    public Task InvokeAsync(GatewayRequest request)
    {
        var path = request.Context.Request.Path.Value ?? string.Empty;
        var colon = path.LastIndexOf(':');
        var method = colon > 0 ? path[(colon + 1)..] : path;
        throw new GatewayException(new GatewayError(GatewayErrorKind.NotFound, $"Method '{method}' is not supported on models."));
    }
}
