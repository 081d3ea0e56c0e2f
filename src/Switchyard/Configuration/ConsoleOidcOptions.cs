namespace Switchyard.Configuration;

/// <summary>
/// Single sign-on through an OpenID provider (authorization code flow with PKCE). Who may sign in,
/// and as what, is decided by <see cref="Roles"/>: the first mapping whose claim has the value
/// wins; a user matching none is refused.
/// </summary>
internal sealed class ConsoleOidcOptions
{
    /// <summary>The issuer; its <c>/.well-known/openid-configuration</c> is read at the first sign-in.</summary>
    public string Authority { get; set; } = "";

    public string ClientId { get; set; } = "";

    /// <summary>Usually <c>env:NAME</c>.</summary>
    public string? ClientSecret { get; set; }

    public List<string> Scopes { get; set; } = ["openid", "profile", "email"];

    /// <summary>Claim → role: <c>{ "claim": "groups", "value": "llm-admins", "role": "admin" }</c>.</summary>
    public List<ConsoleRoleMapping> Roles { get; set; } = [];

    /// <summary>A claim naming the user's team (its id or name): a viewer with one sees that team only.</summary>
    public string? TeamClaim { get; set; }

    /// <summary>The claim shown as the user's name.</summary>
    public string NameClaim { get; set; } = "name";

    /// <summary>The sign-in button's label.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    public override string ToString() => $"{Authority} ({ClientId}, secret redacted)";
}
