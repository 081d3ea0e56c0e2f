using System.Text.Json;
using Switchyard.Catalog;
using Switchyard.Providers;

namespace Switchyard.Configuration;

/// <summary>
/// The configuration compiled once: the validated options and the model catalog built from them.
/// The request path only reads it; a reload compiles a whole new one and swaps it in one
/// assignment (<see cref="SnapshotMonitor"/>), so a request sees one configuration from start to end.
/// Nothing writes to <see cref="Options"/> after it is compiled.
/// </summary>
internal sealed class GatewaySnapshot
{
    private GatewaySnapshot(SwitchyardOptions options, ModelCatalog catalog, IReadOnlyList<ModelOptions> discovered)
    {
        Options = options;
        Catalog = catalog;
        Discovered = discovered;
    }

    public SwitchyardOptions Options { get; }

    public ModelCatalog Catalog { get; }

    /// <summary>Models found on the upstreams of a zero-configuration start, kept across recompiles.</summary>
    public IReadOnlyList<ModelOptions> Discovered { get; }

    public long MaxBodyBytes => Options.Limits.MaxBodyBytes;

    public RoutingOptions Routing => Options.Routing;

    public MediaOptions Media => Options.Media;

    public ObservabilityOptions Observability => Options.Observability;

    public TimeSpan ConversationRetention => TimeSpan.FromDays(Options.Conversations.RetentionDays);

    /// <summary>
    /// Compiles <paramref name="options"/>; the providers of <paramref name="previous"/> whose settings
    /// did not change are kept as they are (their connections and credentials).
    /// </summary>
    public static GatewaySnapshot Compile(SwitchyardOptions options, ProviderContext context, IReadOnlyList<ModelOptions>? discovered = null, GatewaySnapshot? previous = null) =>
        new(options, CatalogBuilder.Build(options, context, discovered, previous?.Catalog), discovered ?? []);

    /// <summary>This snapshot with models discovered on its upstreams added.</summary>
    public GatewaySnapshot WithDiscovered(IReadOnlyList<ModelOptions> discovered, ProviderContext context) =>
        Compile(Options, context, discovered, this);

    /// <summary>The providers of this snapshot that <paramref name="next"/> no longer uses.</summary>
    public IReadOnlyList<Provider> RetiredBy(GatewaySnapshot next) =>
        Catalog.Providers.Values.Where(p => !next.Catalog.Providers.TryGetValue(p.Name, out var kept) || !ReferenceEquals(kept, p)).ToList();

    /// <summary>
    /// The settings that differ between two configurations but that a running gateway reads only at
    /// start: a reload applies everything else and names these, which need a restart.
    /// </summary>
    public static IReadOnlyList<string> NeedingRestart(SwitchyardOptions running, SwitchyardOptions next)
    {
        var changed = new List<string>();
        void Compare<T>(string path, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
            {
                changed.Add(path);
            }
        }

        Compare("storage.kind", running.Storage.Kind, next.Storage.Kind);
        Compare("storage.path", running.Storage.Path, next.Storage.Path);
        Compare("storage.connectionString", running.Storage.ConnectionString, next.Storage.ConnectionString);
        Compare("storage.spoolPath", running.Storage.SpoolPath, next.Storage.SpoolPath);
        Compare("observability.otlpEndpoint", running.Observability.OtlpEndpoint, next.Observability.OtlpEndpoint);
        Compare("observability.otlpProtocol", running.Observability.OtlpProtocol, next.Observability.OtlpProtocol);
        Compare("observability.serviceName", running.Observability.ServiceName, next.Observability.ServiceName);
        Compare("observability.traceSampleRatio", running.Observability.TraceSampleRatio, next.Observability.TraceSampleRatio);
        Compare("observability.jsonLogs", running.Observability.JsonLogs, next.Observability.JsonLogs);
        if (!running.Observability.OtlpHeaders.OrderBy(h => h.Key, StringComparer.Ordinal)
            .SequenceEqual(next.Observability.OtlpHeaders.OrderBy(h => h.Key, StringComparer.Ordinal)))
        {
            changed.Add("observability.otlpHeaders");
        }

        // The console's sign-in (cookies, OpenID Connect) and the alert webhooks are wired at start.
        Compare("console", JsonSerializer.Serialize(running.Console, OptionsJsonContext.Default.ConsoleOptions),
            JsonSerializer.Serialize(next.Console, OptionsJsonContext.Default.ConsoleOptions));
        Compare("alerts", JsonSerializer.Serialize(running.Alerts, OptionsJsonContext.Default.AlertsOptions),
            JsonSerializer.Serialize(next.Alerts, OptionsJsonContext.Default.AlertsOptions));

        return changed;
    }
}
