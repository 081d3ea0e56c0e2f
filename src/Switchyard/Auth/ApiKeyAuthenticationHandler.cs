using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Switchyard.Dialects;

namespace Switchyard.Auth;

/// <summary>
/// The API's authentication scheme: the key in <c>Authorization: Bearer</c>, <c>x-api-key</c>,
/// <c>x-goog-api-key</c> or, on routes whose dialect allows it, <c>?key=</c>, resolved to a
/// <see cref="Caller"/> (<see cref="CallerIdentity"/>). Routes answer its failures in their own
/// envelope, so the scheme never challenges. It implements the handler interface itself rather than
/// deriving from <see cref="AuthenticationHandler{TOptions}"/>: the scheme has no options, and that
/// base looks them up, makes a logger and caches a result on every request.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(ApiKeyAuthenticator keys) : IAuthenticationHandler
{
    public const string SchemeName = "ApiKey";

    // Made once: a flood of missing or invented keys allocates no result (nor its exception) per request.
    private static readonly AuthenticateResult NoKey = AuthenticateResult.NoResult();
    private static readonly AuthenticateResult InvalidKey = AuthenticateResult.Fail("The API key is not valid, has expired, or was revoked.");

    private HttpContext? _context;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() =>
        AuthenticateAsync(_context ?? throw new InvalidOperationException("The handler was not initialized."), keys).AsTask();

    /// <summary>
    /// The scheme's work for one request. The gateway's routes call it directly: going through
    /// <c>HttpContext.AuthenticateAsync</c> makes a DI scope and a handler per request, a tenth of a
    /// passthrough request's time on one core. A cached key completes without allocating.
    /// </summary>
    public static ValueTask<AuthenticateResult> AuthenticateAsync(HttpContext context, ApiKeyAuthenticator keys)
    {
        var allowsQueryKey = context.GetEndpoint()?.Metadata.GetMetadata<ClientRoute>()?.AllowsQueryKey == true;
        if (CredentialReader.Read(context.Request, allowsQueryKey) is not { Length: > 0 } secret)
        {
            return ValueTask.FromResult(NoKey);
        }

        var caller = keys.AuthenticateAsync(secret, context.RequestAborted);
        return caller.IsCompletedSuccessfully ? ValueTask.FromResult(Result(caller.Result)) : AwaitedAsync(caller);

        static async ValueTask<AuthenticateResult> AwaitedAsync(ValueTask<Caller?> caller) => Result(await caller);
    }

    private static AuthenticateResult Result(Caller? caller) => caller?.Authenticated ?? InvalidKey;

    /// <summary>Never sends a challenge of its own: each route answers a missing or bad key in its dialect's envelope.</summary>
    public Task ChallengeAsync(AuthenticationProperties? properties)
    {
        _context?.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }

    public Task ForbidAsync(AuthenticationProperties? properties)
    {
        _context?.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
