using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects;

namespace Switchyard.Auth;

/// <summary>Runs the API key scheme for a route and turns its failure into the gateway's 401.</summary>
internal static class CallerAuthentication
{
    /// <summary>Through ASP.NET Core's authentication service, for routes off the hot path.</summary>
    public static async Task<Caller> AuthenticateAsync(HttpContext context) =>
        CallerOf(await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName));

    /// <summary>The scheme's caller, or the 401 that says whether a key was missing or wrong.</summary>
    public static Caller CallerOf(AuthenticateResult result)
    {
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
