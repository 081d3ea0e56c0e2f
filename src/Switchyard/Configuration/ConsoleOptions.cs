namespace Switchyard.Configuration;

/// <summary>The web console at <c>/ui</c> (issue #16): sessions and, optionally, single sign-on.</summary>
public sealed class ConsoleOptions
{
    /// <summary>Serve the console; off leaves <c>/ui</c> and <c>GET /</c> unanswered (404).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a session lasts without use (sliding).</summary>
    public int SessionMinutes { get; set; } = 480;

    /// <summary>OpenID Connect single sign-on; absent means sign-in with a key only.</summary>
    public ConsoleOidcOptions? Oidc { get; set; }
}
