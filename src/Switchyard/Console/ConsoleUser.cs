using System.Security.Claims;

namespace Switchyard.Console;

/// <summary>Who is signed in to the console, read from the session's claims.</summary>
public sealed record ConsoleUser(string Role, string Name, string Method, string? KeyId, string? Team)
{
    public bool IsAdmin => Role == ConsoleAuth.Admin;

    /// <summary>Admins and viewers see every key; a key holder only its own.</summary>
    public bool SeesAllKeys => Role is ConsoleAuth.Admin or ConsoleAuth.Viewer;

    public bool CanUsePlayground => Role is ConsoleAuth.Admin or ConsoleAuth.KeyHolder;

    /// <summary>The key whose data a key holder is limited to; null for admins and viewers.</summary>
    public string? OwnKey => Role == ConsoleAuth.KeyHolder ? KeyId : null;

    /// <summary>
    /// The team (its id or name, as single sign-on's team claim gave it) a viewer is limited to;
    /// null for admins, who see every team, and for viewers without a team.
    /// </summary>
    public string? OwnTeam => Role == ConsoleAuth.Viewer ? Team : null;

    public static ConsoleUser From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(ConsoleAuth.RoleClaim) ?? "",
        principal.FindFirstValue(ConsoleAuth.NameClaim) ?? "",
        principal.FindFirstValue(ConsoleAuth.MethodClaim) ?? "",
        principal.FindFirstValue(ConsoleAuth.KeyClaim),
        principal.FindFirstValue(ConsoleAuth.TeamClaim));

    public static ClaimsPrincipal Principal(string role, string name, string method, string? keyId, string? team)
    {
        var claims = new List<Claim>
        {
            new(ConsoleAuth.RoleClaim, role),
            new(ConsoleAuth.NameClaim, name),
            new(ConsoleAuth.MethodClaim, method),
        };
        if (keyId is not null)
        {
            claims.Add(new(ConsoleAuth.KeyClaim, keyId));
        }

        if (team is not null)
        {
            claims.Add(new(ConsoleAuth.TeamClaim, team));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, ConsoleAuth.Scheme, ConsoleAuth.NameClaim, ConsoleAuth.RoleClaim));
    }
}
