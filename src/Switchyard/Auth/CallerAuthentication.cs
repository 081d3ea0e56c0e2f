using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects;

namespace Switchyard.Auth;

/// <summary>Runs the API key scheme for a route and turns its failure into the gateway's 401.</summary>
internal static class CallerAuthentication
{
    public static async Task<Caller> AuthenticateAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName);
        if (result.Principal?.Identity is CallerIdentity identity)
        {
            return identity.Caller;
        }

        throw new GatewayException(new GatewayError(
            GatewayErrorKind.Unauthenticated,
            result.None
                ? "No API key was provided. Send it as 'Authorization: Bearer KEY' or 'x-api-key: KEY'."
                : "The API key is not valid, has expired, or was revoked."));
    }
}
