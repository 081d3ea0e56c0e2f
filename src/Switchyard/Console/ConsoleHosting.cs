using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Alerts;
using Switchyard.Auth;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Storage;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Console;

/// <summary>
/// The web console at <c>/ui</c> and the alerts it shows (issue #16). The console is rendered on
/// the server (Razor components, static rendering) from the gateway's own stores and metrics;
/// its sessions are cookies of their own scheme, separate from the API's key authentication,
/// and the authentication and authorization middleware run for <c>/ui</c> paths only, so the
/// API's request path is untouched.
/// </summary>
internal static class ConsoleHosting
{
    // Razor Components are marked as not trimming-safe as a whole; the console uses the part that
    // is: static rendering of its own pages, whose types ConsolePages.Render keeps. The suite run
    // against the NativeAOT build (docs/operations.md) drives every page in a browser.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Static rendering of pages kept by ConsolePages.Render; the browser tests pass against the NativeAOT build.")]
    public static IServiceCollection AddConsole(this IServiceCollection services, LoadedConfiguration configuration, ServeSettings settings)
    {
        var options = configuration.Options;
        services.AddSingleton<DelegatedCredentials>();
        services.AddSingleton<IUsageTimeline>(provider => provider.GetRequiredService<Stores>().Database switch
        {
            PostgresDatabase database => new PostgresUsageTimeline(database),
            SqliteDatabase database => new SqliteUsageTimeline(database),
            _ => throw new InvalidOperationException("The store has no request log to chart."),
        });

        // Alerts.
        services.AddSingleton<DeliveryLog>();
        services.AddSingleton(provider => new WebhookSender(provider.GetRequiredService<DeliveryLog>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<WebhookSender>>()) { MaxAttempts = options.Alerts.MaxAttempts });
        services.AddSingleton(WebhookTarget.Resolve(options.Alerts, settings.Environment));
        services.AddSingleton<AlertDispatcher>();
        services.AddSingleton<IAlertSink>(provider => provider.GetRequiredService<AlertDispatcher>());
        services.AddHostedService(provider => provider.GetRequiredService<AlertDispatcher>());

        if (!options.Console.Enabled)
        {
            return services.WithKeyRingOnFirstUse();
        }

        services.AddRazorComponents();
        services.AddSingleton<ConsoleData>();
        services.AddSingleton<PlaygroundProxy>();
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "switchyard.csrf";
            antiforgery.Cookie.Path = ConsoleAuth.Path;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.FormFieldName = "__csrf";
            antiforgery.HeaderName = "X-CSRF-Token";
        });

        var dataProtection = services.AddDataProtection().SetApplicationName("Switchyard");
        if (options.Console.KeyRingPath is { Length: > 0 } keyRing)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keyRing));
        }

        var authentication = services.AddAuthentication(ConsoleAuth.Scheme).AddCookie(ConsoleAuth.Scheme, cookie =>
        {
            cookie.Cookie.Name = "switchyard.session";
            cookie.Cookie.Path = ConsoleAuth.Path;
            cookie.Cookie.HttpOnly = true;

            // Lax, not Strict: the first page after single sign-on is reached by a redirect that
            // began at the identity provider. Changes are guarded by antiforgery tokens anyway.
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(options.Console.SessionMinutes);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = ConsoleAuth.Path + "/signin";
            cookie.AccessDeniedPath = ConsoleAuth.Path + "/denied";
            cookie.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
            cookie.Events.OnRedirectToLogin = context =>
            {
                if (HttpMethods.IsGet(context.Request.Method))
                {
                    context.Response.Redirect(context.RedirectUri);
                }
                else
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }

                return Task.CompletedTask;
            };

            // A key holder's session ends when the key is revoked or expires.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                if (context.Principal?.FindFirstValue(ConsoleAuth.RoleClaim) == ConsoleAuth.KeyHolder
                    && context.Principal.FindFirstValue(ConsoleAuth.KeyClaim) is { } keyId
                    && await context.HttpContext.RequestServices.GetRequiredService<ApiKeyAuthenticator>().FindByIdAsync(keyId, context.HttpContext.RequestAborted) is null)
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(ConsoleAuth.Scheme);
                }
            };
        });

        if (options.Console.Oidc is { } oidc)
        {
            authentication.AddOpenIdConnect(ConsoleAuth.OidcScheme, openId => SingleSignOn.Configure(openId, oidc, settings.Environment));
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleAuth.SignedInPolicy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireClaim(ConsoleAuth.RoleClaim))
            .AddPolicy(ConsoleAuth.AdminPolicy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme).RequireClaim(ConsoleAuth.RoleClaim, ConsoleAuth.Admin))
            .AddPolicy(ConsoleAuth.StaffPolicy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme)
                .RequireClaim(ConsoleAuth.RoleClaim, ConsoleAuth.Admin, ConsoleAuth.Viewer))
            .AddPolicy(ConsoleAuth.PlaygroundPolicy, policy => policy.AddAuthenticationSchemes(ConsoleAuth.Scheme)
                .RequireClaim(ConsoleAuth.RoleClaim, ConsoleAuth.Admin, ConsoleAuth.KeyHolder));
        return services.WithKeyRingOnFirstUse();
    }

    /// <summary>
    /// Authentication (the API's key scheme too) adds data protection, and with it a hosted service
    /// that reads or makes the key ring at start: a key generated, encrypted and written as XML by a
    /// gateway whose console may never be opened (3-4 MB of idle RSS). Without it the key ring is
    /// read or made on first use: the first console page that carries a form token or a session.
    /// </summary>
    private static IServiceCollection WithKeyRingOnFirstUse(this IServiceCollection services)
    {
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(IHostedService)
                && services[i].ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService")
            {
                services.RemoveAt(i);
            }
        }

        return services;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<LoadedConfiguration>().Options.Console;
        if (!options.Enabled)
        {
            return app;
        }

        // WebApplication adds authentication and authorization in front of every request when
        // their services exist, unless the app placed them itself (these are the markers it
        // checks). The console places them on /ui only: the API authenticates keys its own way
        // and its hot path should not pay for cookie handling.
        var properties = ((IApplicationBuilder)app).Properties;
        properties["__AuthenticationMiddlewareSet"] = true;
        properties["__AuthorizationMiddlewareSet"] = true;
        app.UseWhen(context => context.Request.Path.StartsWithSegments(ConsoleAuth.Path), ui =>
        {
            ui.Use(static async (context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                if (!context.Request.Path.StartsWithSegments(ConsoleAuth.Path + "/assets"))
                {
                    // Pages can show a secret once; no cache keeps them.
                    headers.CacheControl = "no-store";
                }

                await next(context);
                await ConsolePages.WriteStatusPageAsync(context);
            });
            ui.UseAuthentication();
            ui.UseAuthorization();
        });

        app.MapGet("/", () => Results.Redirect(ConsoleAuth.Path));
        var ui = app.MapGroup(ConsoleAuth.Path);
        ui.AddEndpointFilter(ValidateAntiforgeryAsync);
        ConsoleAssets.Map(ui);
        SignInEndpoints.Map(ui);
        var pages = ui.MapGroup("").RequireAuthorization(ConsoleAuth.SignedInPolicy);
        OverviewEndpoints.Map(pages);
        KeysEndpoints.Map(pages);
        TeamsEndpoints.Map(pages);
        UsageEndpoints.Map(pages);
        RequestsEndpoints.Map(pages);
        ModelsEndpoints.Map(pages);
        PlaygroundEndpoints.Map(pages);
        AlertsEndpoints.Map(pages);
        return app;
    }

    /// <summary>Every change (any method but GET and HEAD) carries the session's antiforgery token, in the form or the X-CSRF-Token header.</summary>
    private static async ValueTask<object?> ValidateAntiforgeryAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            try
            {
                await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            }
            catch (AntiforgeryValidationException)
            {
                return Results.Text("The form has expired or did not come from this console; reload the page and try again.", "text/plain", statusCode: (int)HttpStatusCode.BadRequest);
            }
        }

        return await next(invocation);
    }
}
