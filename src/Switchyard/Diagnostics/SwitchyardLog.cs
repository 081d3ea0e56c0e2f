using Microsoft.Extensions.Logging;
using ZLogger;

namespace Switchyard.Diagnostics;

/// <summary>The gateway's structured log events. Prompts, completions and keys are never arguments here.</summary>
internal static partial class SwitchyardLog
{
    [LoggerMessage(EventId = EventIds.UnhandledError, Level = LogLevel.Error, Message = "Unhandled error serving {Path}")]
    public static partial void UnhandledError(this ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = EventIds.ConfigReloaded, Level = LogLevel.Information, Message = "Configuration reloaded: {ModelCount} models, {ProviderCount} providers")]
    public static partial void ConfigReloaded(this ILogger logger, int modelCount, int providerCount);

    [LoggerMessage(EventId = EventIds.ConfigReloadRejected, Level = LogLevel.Warning, Message = "Configuration reload rejected, keeping the last good one: {Problems}")]
    public static partial void ConfigReloadRejected(this ILogger logger, string problems);

    [LoggerMessage(EventId = EventIds.ConfigSettingNeedsRestart, Level = LogLevel.Warning, Message = "Configuration reloaded, but {Setting} changed and is read only at start: it takes effect after a restart")]
    public static partial void ConfigSettingNeedsRestart(this ILogger logger, string setting);

    [LoggerMessage(EventId = EventIds.ModelsDiscovered, Level = LogLevel.Information, Message = "Provider {Provider} lists {ModelCount} models")]
    public static partial void ModelsDiscovered(this ILogger logger, string provider, int modelCount);

    [LoggerMessage(EventId = EventIds.DiscoveryFailed, Level = LogLevel.Warning, Message = "Could not list the models of provider {Provider}: {Reason}")]
    public static partial void DiscoveryFailed(this ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = EventIds.AttemptFailed, Level = LogLevel.Information, Message = "Attempt {Attempt} of {Model} on {Deployment} failed with {Status} ({ErrorType})")]
    public static partial void AttemptFailed(this ILogger logger, int attempt, string model, string deployment, int status, string errorType);

    [LoggerMessage(EventId = EventIds.DeploymentBenched, Level = LogLevel.Warning, Message = "Deployment {Deployment} benched for {BenchSeconds} s after failing with {Status} ({ErrorType})")]
    public static partial void DeploymentBenched(this ILogger logger, string deployment, double benchSeconds, int status, string errorType);

    [LoggerMessage(EventId = EventIds.DeploymentRestored, Level = LogLevel.Information, Message = "Deployment {Deployment} passed its probe and serves again")]
    public static partial void DeploymentRestored(this ILogger logger, string deployment);

    /// <summary>
    /// The line of every request the default configuration logs, from ZLogger's generator rather
    /// than the runtime's: the console's writer formats it straight into its UTF-8 batch, with no
    /// string made on the request's thread. Other providers read its fields as they read the rest's,
    /// though without the <c>{OriginalFormat}</c> entry the runtime's generator adds.
    /// </summary>
    [ZLoggerMessage(EventId = EventIds.RequestCompleted, Level = LogLevel.Information,
        Message = "{Surface} {Model} via {Deployment}: {Status} in {ElapsedMs:F1} ms, {Attempts} attempts, stream {Stream}, tokens {InputTokens} in {OutputTokens} out, key {KeyId}, request {RequestId}")]
    public static partial void RequestCompleted(this ILogger logger, string requestId, string surface, string model, string deployment, int status,
        double elapsedMs, int attempts, bool stream, long inputTokens, long outputTokens, string? keyId);

    [LoggerMessage(EventId = EventIds.RequestFailed, Level = LogLevel.Warning,
        Message = "{Surface} {Model} via {Deployment}: {Status} ({ErrorType}) in {ElapsedMs:F1} ms, {Attempts} attempts, key {KeyId}, request {RequestId}")]
    public static partial void RequestFailed(this ILogger logger, string requestId, string surface, string model, string deployment, int status,
        string? errorType, double elapsedMs, int attempts, string? keyId);

    [LoggerMessage(EventId = EventIds.RequestRefused, Level = LogLevel.Information,
        Message = "{Surface} {Model}: refused with {Status} after {Attempts} attempts, key {KeyId}, request {RequestId}")]
    public static partial void RequestRefused(this ILogger logger, string requestId, string surface, string model, int status, string? keyId, int attempts);

    [LoggerMessage(EventId = EventIds.TelemetryExport, Level = LogLevel.Information, Message = "Exporting traces and metrics over OTLP ({Protocol}) to {Endpoint}")]
    public static partial void TelemetryExport(this ILogger logger, string protocol, string endpoint);

    /// <summary>Prompts: only with <c>observability.logSensitiveData</c> and the Trace level both on.</summary>
    [LoggerMessage(EventId = EventIds.RequestBodySensitive, Level = LogLevel.Trace, Message = "Request {RequestId} body: {Body}")]
    public static partial void RequestBodySensitive(this ILogger logger, string requestId, string body);

    [LoggerMessage(EventId = EventIds.MasterKeyCreated, Level = LogLevel.Warning, Message = "No master key was configured; created one and stored its hash (it is printed once on the console)")]
    public static partial void MasterKeyCreated(this ILogger logger);

    [LoggerMessage(EventId = EventIds.MasterKeyReloadFailed, Level = LogLevel.Warning, Message = "The configuration no longer names a master key and the stored one could not be read; the previous master key stays")]
    public static partial void MasterKeyReloadFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.KeyIdMoved, Level = LogLevel.Information, Message = "Configuration key {KeyId}: moved {Rows} ledger rows and {Responses} stored responses from its former id")]
    public static partial void KeyIdMoved(this ILogger logger, string keyId, int rows, int responses);

    [LoggerMessage(EventId = EventIds.LedgerRowsLost, Level = LogLevel.Error, Message = "Shutting down with {Count} ledger rows unwritten")]
    public static partial void LedgerRowsLost(this ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = EventIds.SettlementFailed, Level = LogLevel.Error, Message = "Could not settle request {RequestId} of key {KeyId}")]
    public static partial void SettlementFailed(this ILogger logger, Exception exception, string requestId, string keyId);

    [LoggerMessage(EventId = EventIds.LeaseReturnFailed, Level = LogLevel.Warning, Message = "Could not hand rate-limit slices back to the database; they return when this gateway stops or its lease expires")]
    public static partial void LeaseReturnFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.LeaseHolderReclaimed, Level = LogLevel.Warning, Message = "This gateway's rate-limit leases expired and were reclaimed (it could not renew them in time); taking new ones")]
    public static partial void LeaseHolderReclaimed(this ILogger logger);

    [LoggerMessage(EventId = EventIds.OverdrawDeferred, Level = LogLevel.Warning, Message = "Could not count a request's cost beyond its reservation in the database at once; the ledger adds it when it writes the row")]
    public static partial void OverdrawDeferred(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = EventIds.LedgerSpooling, Level = LogLevel.Warning, Message = "The store did not take {Count} ledger rows in time; they go to the spool {Path} until it does")]
    public static partial void LedgerSpooling(this ILogger logger, Exception? exception, int count, string path);

    [LoggerMessage(EventId = EventIds.LedgerReplayed, Level = LogLevel.Information, Message = "Replayed {Count} ledger rows from the spool {Path} into the store")]
    public static partial void LedgerReplayed(this ILogger logger, long count, string path);

    [LoggerMessage(EventId = EventIds.SpoolWriteFailed, Level = LogLevel.Error, Message = "Could not write {Count} ledger rows to the spool {Path} either; they stay queued in memory and are tried again")]
    public static partial void SpoolWriteFailed(this ILogger logger, Exception exception, int count, string path);

    [LoggerMessage(EventId = EventIds.SpoolRowUnreadable, Level = LogLevel.Error, Message = "Skipped an unreadable line of the ledger spool {Path} near byte {Offset}")]
    public static partial void SpoolRowUnreadable(this ILogger logger, string path, long offset);

    [LoggerMessage(EventId = EventIds.KeyChanged, Level = LogLevel.Information, Message = "Key {KeyId} {Change} through the admin API")]
    public static partial void KeyChanged(this ILogger logger, string keyId, string change);

    [LoggerMessage(EventId = EventIds.TeamChanged, Level = LogLevel.Information, Message = "Team {TeamId} {Change} through the admin API")]
    public static partial void TeamChanged(this ILogger logger, string teamId, string change);
}
