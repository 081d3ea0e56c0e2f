namespace Switchyard.Console;

/// <summary>The console's authentication scheme, claim types, roles and policies; separate from the API's key authentication.</summary>
internal static class ConsoleAuth
{
    /// <summary>The session cookie's scheme.</summary>
    public const string Scheme = "SwitchyardConsole";

    public const string OidcScheme = "SwitchyardConsoleOidc";

    public const string RoleClaim = "switchyard:role";
    public const string KeyClaim = "switchyard:key";
    public const string MethodClaim = "switchyard:method";
    public const string TeamClaim = "switchyard:team";
    public const string NameClaim = "switchyard:name";

    /// <summary>Every page and change.</summary>
    public const string Admin = "admin";

    /// <summary>Every page, no change.</summary>
    public const string Viewer = "viewer";

    /// <summary>Signed in with an API key: that key's own pages and the playground with it.</summary>
    public const string KeyHolder = "key";

    public const string SignedInPolicy = "console";
    public const string AdminPolicy = "console.admin";
    public const string PlaygroundPolicy = "console.playground";
    public const string StaffPolicy = "console.staff";

    public const string Path = "/ui";
}
