using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Switchyard.Dialects;

namespace Switchyard.Auth;

/// <summary>
/// The API's authentication scheme: the key in <c>Authorization: Bearer</c>, <c>x-api-key</c>,
/// <c>x-goog-api-key</c> or, on routes whose dialect allows it, <c>?key=</c>, resolved to a
/// <see cref="Caller"/> (<see cref="CallerIdentity"/>). Routes answer its failures in their own
/// envelope, so the scheme never challenges.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyAuthenticator keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var allowsQueryKey = Context.GetEndpoint()?.Metadata.GetMetadata<ClientRoute>()?.AllowsQueryKey == true;
        if (CredentialReader.Read(Request, allowsQueryKey) is not { Length: > 0 } secret)
        {
            return AuthenticateResult.NoResult();
        }

        if (await keys.AuthenticateAsync(secret, Context.RequestAborted) is not { } caller)
        {
            return AuthenticateResult.Fail("The API key is not valid, has expired, or was revoked.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new CallerIdentity(caller)), SchemeName));
    }
}
