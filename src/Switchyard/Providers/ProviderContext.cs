namespace Switchyard.Providers;

/// <summary>What compiling a provider draws on besides its own options.</summary>
/// <param name="Environment">Resolves <c>env:NAME</c> values.</param>
internal sealed record ProviderContext(Func<string, string?> Environment)
{
    /// <summary>The clock cloud credentials are renewed and signed by.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// The transport Microsoft Entra ID credentials reach their authority through; null for
    /// Azure.Identity's own. Tests use it to trust a token endpoint of their own.
    /// </summary>
    public Func<HttpMessageHandler>? IdentityHandler { get; init; }
}
