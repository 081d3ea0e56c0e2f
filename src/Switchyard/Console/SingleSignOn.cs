using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Switchyard.Alerts;
using Switchyard.Configuration;

namespace Switchyard.Console;

/// <summary>
/// OpenID Connect sign-in: authorization code flow with PKCE, the answer by query (a top-level
/// GET, so Lax cookies work over plain HTTP too), the ID token's claims mapped to a console role
/// by <c>console.oidc.roles</c>. The provider's tokens are not kept; the session holds only the
/// role, the name and the team.
/// </summary>
internal static class SingleSignOn
{
    public static void Configure(OpenIdConnectOptions openId, ConsoleOidcOptions oidc, Func<string, string?> environment)
    {
        openId.SignInScheme = ConsoleAuth.Scheme;
        openId.Authority = oidc.Authority;
        openId.ClientId = oidc.ClientId;
        openId.ClientSecret = EnvReferenceResolver.Resolve(oidc.ClientSecret, environment);
        openId.ResponseType = OpenIdConnectResponseType.Code;
        openId.ResponseMode = OpenIdConnectResponseMode.Query;
        openId.UsePkce = true;
        openId.CallbackPath = ConsoleAuth.Path + "/signin-oidc";
        openId.SignedOutCallbackPath = ConsoleAuth.Path + "/signout-oidc";
        openId.SaveTokens = false;
        openId.GetClaimsFromUserInfoEndpoint = false;
        openId.MapInboundClaims = false;
        openId.DisableTelemetry = true;

        // Discovery over plain HTTP only for a provider on this machine (a test's, or a sidecar's).
        openId.RequireHttpsMetadata = !(Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var authority) && authority.IsLoopback);
        openId.Scope.Clear();
        foreach (var scope in oidc.Scopes)
        {
            openId.Scope.Add(scope);
        }

        openId.CorrelationCookie.SameSite = SameSiteMode.Lax;
        openId.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        openId.NonceCookie.SameSite = SameSiteMode.Lax;
        openId.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        openId.TokenValidationParameters.NameClaimType = oidc.NameClaim;
        openId.Events.OnTokenValidated = context =>
        {
            var identity = context.Principal!;
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SingleSignOn).FullName!);
            var subject = identity.FindFirstValue("sub") ?? "";
            var role = oidc.Roles.FirstOrDefault(mapping => identity.HasClaim(mapping.Claim, mapping.Value))?.Role;
            if (role is null)
            {
                logger.ConsoleSignInRefused("oidc", "no claim maps to a console role for subject " + subject);
                context.Fail("No console role for this account.");
                return Task.CompletedTask;
            }

            var name = identity.FindFirstValue(oidc.NameClaim) ?? identity.FindFirstValue("email") ?? subject;
            var team = oidc.TeamClaim is { } teamClaim ? identity.FindFirstValue(teamClaim) : null;
            context.Principal = ConsoleUser.Principal(role, name, "oidc", null, team);
            logger.ConsoleSignIn(role, "oidc", subject);
            return Task.CompletedTask;
        };
        openId.Events.OnRemoteFailure = context =>
        {
            context.HandleResponse();
            context.Response.Redirect(ConsoleAuth.Path + "/signin?error=sso");
            return Task.CompletedTask;
        };
    }
}
