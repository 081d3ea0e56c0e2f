using Microsoft.AspNetCore.Authentication;
using Switchyard.Auth;

namespace Switchyard.Pipeline.Steps;

/// <summary>Who asks: the API key scheme's <see cref="Auth.Caller"/>, or the 401 in the route's envelope.</summary>
internal sealed class AuthenticateStep(ApiKeyAuthenticator keys) : IGatewayStep
{
    public Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        var authentication = ApiKeyAuthenticationHandler.AuthenticateAsync(request.Context, keys);
        if (!authentication.IsCompletedSuccessfully)
        {
            return AwaitedAsync(authentication, request, next);
        }

        Authenticated(request, authentication.Result);
        return next(request);
    }

    private static async Task AwaitedAsync(ValueTask<AuthenticateResult> authentication, GatewayRequest request, GatewayHandler next)
    {
        Authenticated(request, await authentication);
        await next(request);
    }

    private static void Authenticated(GatewayRequest request, AuthenticateResult result)
    {
        var caller = CallerAuthentication.CallerOf(result);
        request.Caller = caller;
        request.Telemetry?.KeyId = caller.KeyId;
    }
}
