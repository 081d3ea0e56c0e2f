namespace Switchyard.Diagnostics;

/// <summary>Every log event id in one place, so operators can filter on stable numbers.</summary>
internal static class EventIds
{
    public const int UnhandledError = 1000;
    public const int ConfigReloaded = 1100;
    public const int ConfigReloadRejected = 1101;
    public const int ConfigSettingNeedsRestart = 1102;
    public const int ModelsDiscovered = 1200;
    public const int DiscoveryFailed = 1201;
    public const int AttemptFailed = 1300;
    public const int DeploymentBenched = 1301;
    public const int DeploymentRestored = 1302;
    public const int MasterKeyCreated = 1400;
    public const int MasterKeyReloadFailed = 1401;
    public const int KeyIdMoved = 1402;
    public const int LedgerSpooling = 1500;
    public const int LedgerRowsLost = 1501;
    public const int SettlementFailed = 1502;
    public const int LeaseReturnFailed = 1503;
    public const int LeaseHolderReclaimed = 1504;
    public const int OverdrawDeferred = 1505;
    public const int LedgerReplayed = 1507;
    public const int SpoolWriteFailed = 1508;
    public const int SpoolRowUnreadable = 1509;
    public const int KeyChanged = 1600;
    public const int TeamChanged = 1601;
    public const int RequestCompleted = 1700;
    public const int RequestFailed = 1701;
    public const int RequestRefused = 1702;
    public const int TelemetryExport = 1800;
    public const int RequestBodySensitive = 1900;
    public const int AlertDelivered = 2000;
    public const int AlertDeliveryFailed = 2001;
    public const int AlertDropped = 2002;
    public const int ConsoleSignIn = 2100;
    public const int ConsoleSignInRefused = 2101;
}
