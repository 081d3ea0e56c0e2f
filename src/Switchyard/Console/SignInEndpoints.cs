using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchyard.Alerts;
using Switchyard.Auth;
using Switchyard.Configuration;
using Switchyard.Console.Pages;

namespace Switchyard.Console;

/// <summary>Sign-in with the master key (admin) or any API key (its own view), single sign-on, and sign-out.</summary>
internal static class SignInEndpoints
{
    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/signin", SignInPage).AllowAnonymous();
        ui.MapPost("/signin", SignInWithKeyAsync).AllowAnonymous();
        ui.MapGet("/signin/sso", SignInWithSso).AllowAnonymous();
        ui.MapPost("/signout", (Delegate)SignOutAsync).AllowAnonymous();
        ui.MapGet("/denied", (HttpContext context) => ConsolePages.Render<SignInPage>(context, "signin", "Not allowed",
            new SignInModel(null, "You are signed in, but not allowed there.", Sso(context)), StatusCodes.Status403Forbidden)).AllowAnonymous();
    }

    private static IResult SignInPage(HttpContext context, string? error, string? returnUrl)
    {
        if (context.User.HasClaim(c => c.Type == ConsoleAuth.RoleClaim))
        {
            return Results.Redirect(ConsoleAuth.Path);
        }

        var message = error switch
        {
            null or "" => null,
            "sso" => "Single sign-on did not complete, or your account has no role in this console.",
            _ => "Sign-in failed.",
        };
        return ConsolePages.Render<SignInPage>(context, "signin", "Sign in", new SignInModel(returnUrl, message, Sso(context)));
    }

    private static async Task<IResult> SignInWithKeyAsync(HttpContext context, ApiKeyAuthenticator authenticator, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(SignInEndpoints).FullName!);
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var secret = form["key"].ToString().Trim();
        var caller = secret.Length == 0 || secret.StartsWith(DelegatedCredentials.Prefix, StringComparison.Ordinal)
            ? null
            : await authenticator.AuthenticateAsync(secret, context.RequestAborted);
        if (caller is null)
        {
            logger.ConsoleSignInRefused("key", "unknown, revoked or expired key");
            return ConsolePages.Render<SignInPage>(context, "signin", "Sign in",
                new SignInModel(form["returnUrl"].ToString(), "That key is not valid, or it was revoked or has expired.", Sso(context)), StatusCodes.Status401Unauthorized);
        }

        var principal = caller.IsMaster
            ? ConsoleUser.Principal(ConsoleAuth.Admin, "master key", "master", null, null)
            : ConsoleUser.Principal(ConsoleAuth.KeyHolder, caller.Name, "key", caller.KeyId, null);
        await context.SignInAsync(ConsoleAuth.Scheme, principal);
        logger.ConsoleSignIn(caller.IsMaster ? ConsoleAuth.Admin : ConsoleAuth.KeyHolder, caller.IsMaster ? "master" : "key", caller.KeyId);
        return Results.Redirect(LocalReturnUrl(form["returnUrl"].ToString()));
    }

    private static IResult SignInWithSso(HttpContext context, LoadedConfiguration configuration) =>
        configuration.Options.Console.Oidc is null
            ? Results.NotFound()
            : Results.Challenge(new AuthenticationProperties { RedirectUri = ConsoleAuth.Path }, [ConsoleAuth.OidcScheme]);

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(ConsoleAuth.Scheme);
        return Results.Redirect(ConsoleAuth.Path + "/signin");
    }

    /// <summary>Only a path of this console: anything else would make the sign-in form an open redirect.</summary>
    private static string LocalReturnUrl(string returnUrl) =>
        returnUrl.StartsWith(ConsoleAuth.Path, StringComparison.Ordinal) && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.Contains('\\', StringComparison.Ordinal)
            ? returnUrl
            : ConsoleAuth.Path;

    private static string? Sso(HttpContext context) =>
        context.RequestServices.GetRequiredService<LoadedConfiguration>().Options.Console.Oidc?.DisplayName;
}
