using System.Security.Claims;

namespace Switchyard.Auth;

/// <summary>An authenticated key as an identity, carrying the <see cref="Auth.Caller"/> the gateway works with.</summary>
internal sealed class CallerIdentity(Caller caller) : ClaimsIdentity(
    [new Claim(ClaimTypes.NameIdentifier, caller.KeyId), new Claim(ClaimTypes.Name, caller.Name), new Claim(ClaimTypes.Role, caller.IsMaster ? "admin" : "key")],
    ApiKeyAuthenticationHandler.SchemeName)
{
    public Caller Caller => caller;
}
