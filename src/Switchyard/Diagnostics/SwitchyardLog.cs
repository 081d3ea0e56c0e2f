using Microsoft.Extensions.Logging;

namespace Switchyard.Diagnostics;

/// <summary>The gateway's structured log events. Prompts, completions and keys are never arguments here.</summary>
public static partial class SwitchyardLog
{
    [LoggerMessage(EventId = EventIds.UnhandledError, Level = LogLevel.Error, Message = "Unhandled error serving {Path}")]
    public static partial void UnhandledError(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = EventIds.ConfigReloaded, Level = LogLevel.Information, Message = "Configuration reloaded: {ModelCount} models, {ProviderCount} providers")]
    public static partial void ConfigReloaded(this ILogger logger, int modelCount, int providerCount);

    [LoggerMessage(EventId = EventIds.ConfigReloadRejected, Level = LogLevel.Warning, Message = "Configuration reload rejected, keeping the last good one: {Problems}")]
    public static partial void ConfigReloadRejected(this ILogger logger, string problems);

    [LoggerMessage(EventId = EventIds.ModelsDiscovered, Level = LogLevel.Information, Message = "Provider {Provider} lists {ModelCount} models")]
    public static partial void ModelsDiscovered(this ILogger logger, string provider, int modelCount);

    [LoggerMessage(EventId = EventIds.DiscoveryFailed, Level = LogLevel.Warning, Message = "Could not list the models of provider {Provider}: {Reason}")]
    public static partial void DiscoveryFailed(this ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = EventIds.AttemptFailed, Level = LogLevel.Information, Message = "Attempt on {Deployment} failed with {Status}; trying the next candidate")]
    public static partial void AttemptFailed(this ILogger logger, string deployment, int status);

    [LoggerMessage(EventId = EventIds.MasterKeyCreated, Level = LogLevel.Warning, Message = "No master key was configured; created one and stored its hash (it is printed once on the console)")]
    public static partial void MasterKeyCreated(this ILogger logger);

    [LoggerMessage(EventId = EventIds.LedgerWriteFailed, Level = LogLevel.Warning, Message = "Could not write {Count} ledger rows; retrying in {DelayMs} ms")]
    public static partial void LedgerWriteFailed(this ILogger logger, Exception exception, int count, int delayMs);

    [LoggerMessage(EventId = EventIds.LedgerRowsLost, Level = LogLevel.Error, Message = "Shutting down with {Count} ledger rows unwritten")]
    public static partial void LedgerRowsLost(this ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = EventIds.SettlementFailed, Level = LogLevel.Error, Message = "Could not settle request {RequestId} of key {KeyId}")]
    public static partial void SettlementFailed(this ILogger logger, Exception exception, string requestId, string keyId);

    [LoggerMessage(EventId = EventIds.KeyChanged, Level = LogLevel.Information, Message = "Key {KeyId} {Change} through the admin API")]
    public static partial void KeyChanged(this ILogger logger, string keyId, string change);
}
