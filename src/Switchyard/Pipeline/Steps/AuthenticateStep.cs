using Switchyard.Auth;

namespace Switchyard.Pipeline.Steps;

/// <summary>Who asks: the API key scheme's <see cref="Auth.Caller"/>, or the 401 in the route's envelope.</summary>
internal sealed class AuthenticateStep : IGatewayStep
{
    public async Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        request.Caller = await CallerAuthentication.AuthenticateAsync(request.Context);
        request.Telemetry?.KeyId = request.Caller.KeyId;
        await next(request);
    }
}
