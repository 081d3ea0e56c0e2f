namespace Switchyard.Hosting;

/// <summary>What <c>serve</c> (or a test) starts the gateway with.</summary>
internal sealed record ServeSettings
{
    public string? ConfigPath { get; init; }

    /// <summary>Listen addresses; default http://127.0.0.1:8080.</summary>
    public string? Urls { get; init; }

    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// The process is the gateway's own and has made no socket yet, so it chooses how the runtime
    /// runs socket completions (<see cref="SocketCompletions"/>); a test's process has made sockets already.
    /// </summary>
    public bool ChoosesSocketCompletions { get; init; }

    /// <summary>Where the once-only master key notice is printed.</summary>
    public TextWriter Output { get; init; } = System.Console.Out;

    public Microsoft.Extensions.Logging.LogLevel MinimumLogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    /// <summary>Applied after the gateway's own logging setup (tests add a capturing provider here).</summary>
    public Action<Microsoft.Extensions.Logging.ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>The clock cloud credentials are renewed and signed by (tests move it past a token's expiry).</summary>
    public TimeProvider CredentialClock { get; init; } = TimeProvider.System;

    /// <summary>The transport Microsoft Entra ID credentials use; null for Azure.Identity's own (tests trust a local authority).</summary>
    public Func<HttpMessageHandler>? IdentityHandler { get; init; }

    /// <summary>What providers are compiled with.</summary>
    public Providers.ProviderContext ProviderContext => new(Environment) { Time = CredentialClock, IdentityHandler = IdentityHandler };
}
