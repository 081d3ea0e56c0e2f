using Microsoft.Extensions.Logging;
using Switchyard.Auth;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Storage;

namespace Switchyard.Hosting;

/// <summary>
/// Decides which master key the gateway accepts, at start and on every reload: the configured
/// one, else the one generated on the first start (only its hash is stored; the key is printed
/// once, when it is made). Only one master key works at a time: a changed key replaces the old.
/// </summary>
internal sealed class MasterKey(IKeyStore store, ApiKeyAuthenticator authenticator, ServeSettings settings, ILogger<MasterKey> logger)
{
    public const string Setting = "master_key_hash";

    public async Task ApplyAsync(SwitchyardOptions options, CancellationToken cancellationToken)
    {
        if (EnvReferenceResolver.Resolve(options.MasterKey, settings.Environment) is { Length: > 0 } configured)
        {
            authenticator.SetMasterKeyHash(KeyHasher.Hash(configured));
            return;
        }

        var candidate = KeyHasher.NewSecret();
        var stored = await store.SetSettingIfAbsentAsync(Setting, KeyHasher.Hash(candidate), cancellationToken);
        if (stored == KeyHasher.Hash(candidate))
        {
            // Shown once, here; only its hash is kept.
            logger.MasterKeyCreated();
            await settings.Output.WriteLineAsync($"Switchyard master key (shown once, store it now): {candidate}");
            await settings.Output.FlushAsync(cancellationToken);
        }

        authenticator.SetMasterKeyHash(stored);
    }

    /// <summary>The reload's share: a configured key applies at once; a removed one falls back to the stored key when the store answers.</summary>
    public async Task ReloadAsync(SwitchyardOptions options)
    {
        try
        {
            await ApplyAsync(options, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The store is unreachable: the previous master key stays until the next reload.
            logger.MasterKeyReloadFailed(exception);
        }
    }
}
