namespace Switchyard.Configuration;

/// <summary>The web console at <c>/ui</c> (issue #16): sessions and, optionally, single sign-on.</summary>
internal sealed class ConsoleOptions
{
    /// <summary>Serve the console; off leaves <c>/ui</c> and <c>GET /</c> unanswered (404).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long a session lasts without use (sliding).</summary>
    public int SessionMinutes { get; set; } = 480;

    /// <summary>
    /// A folder for the keys that protect session cookies. Default: the user profile's
    /// (<c>~/.aspnet/DataProtection-Keys</c>). Processes behind one load balancer share a folder,
    /// or each one's sessions are its own.
    /// </summary>
    public string? KeyRingPath { get; set; }

    /// <summary>OpenID Connect single sign-on; absent means sign-in with a key only.</summary>
    public ConsoleOidcOptions? Oidc { get; set; }
}
