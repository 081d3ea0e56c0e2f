using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ZLogger;
using Switchyard.Admin;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Console;
using Switchyard.Conversations;
using Switchyard.Diagnostics;
using Switchyard.Diagnostics.Prometheus;
using Switchyard.Forwarding;
using Switchyard.Limits;
using Switchyard.Media;
using Switchyard.Metering;
using Switchyard.Pipeline;
using Switchyard.Providers.Echo;
using Switchyard.Routing;
using Switchyard.Storage;
using Switchyard.Surfaces;

namespace Switchyard.Hosting;

/// <summary>Builds the gateway's web application; <c>serve</c> and the end-to-end tests use the same code.</summary>
internal static class SwitchyardHost
{
    public const string DefaultUrls = "http://127.0.0.1:8080";

    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    private static readonly string[] HostingDiagnosticsCategories = [HostingDiagnostics, "Microsoft.AspNetCore.Hosting"];

    /// <summary>Loads and validates the configuration, then builds the app. Throws <see cref="ConfigurationProblemsException"/> on a bad file.</summary>
    public static WebApplication Build(ServeSettings settings)
    {
        var configuration = ConfigurationLoader.Load(settings.ConfigPath, settings.Environment);
        if (configuration.Problems.Count > 0)
        {
            configuration.Dispose();
            throw new ConfigurationProblemsException(configuration.Problems);
        }

        if (settings.ChoosesSocketCompletions)
        {
            SocketCompletions.Choose(configuration.Options.Storage);
        }

        // The content root is the binary's folder, not the working directory: the gateway reads
        // no files relative to it, and watching the working directory would tie the host to it.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(settings.Urls ?? DefaultUrls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // The gateway enforces limits.maxBodyBytes itself, answering 413 in the surface's envelope.
            kestrel.Limits.MaxRequestBodySize = null;
        });
        builder.Logging.SetMinimumLevel(settings.MinimumLogLevel);

        // ASP.NET Core and HttpClient log every request at Information: a cost on the hot path and
        // noise beside the gateway's own events. Configuration (Logging:LogLevel) can lower it again.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);

        // With this category on at any level, even Critical, ASP.NET Core starts an Activity and a
        // log scope for every request (8-10 % of plain passthrough's throughput in alternating runs).
        // Its events are the request start and finish lines and a start-up exception of the web host,
        // which the host's own "failed to start" error repeats. Tracing (OTLP) still gets its server
        // span: a listener on ASP.NET Core's source starts it whatever the log level. A level set in
        // configuration for the category or its parent turns it back on.
        if (HostingDiagnosticsCategories.All(category => string.IsNullOrEmpty(builder.Configuration[$"Logging:LogLevel:{category}"])))
        {
            builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None);
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddEventSourceLogger();
        // The default configuration logs a line per request (Diagnostics/ConsoleLines.cs says how);
        // jsonLogs writes each event as one JSON object per line, for log shippers.
        var json = configuration.Options.Observability.JsonLogs;
        builder.Logging.AddZLoggerConsole(console => ConsoleLines.Configure(console, json));

        settings.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddSwitchyard(configuration, settings);
        builder.Services.AddConsole(configuration, settings);

        var app = builder.Build();
        app.MapSwitchyard();
        app.MapConsole();
        return app;
    }

    public static IServiceCollection AddSwitchyard(this IServiceCollection services, LoadedConfiguration configuration, ServeSettings settings)
    {
        // Made by a factory so the container owns it and stops its file watch on disposal.
        services.AddSingleton(_ => configuration);
        services.AddSingleton(settings);
        services.AddSingleton(TimeProvider.System);
        var snapshots = new SnapshotMonitor(GatewaySnapshot.Compile(configuration.Options, settings.ProviderContext));
        // Made by a factory so the container owns it and releases retired providers on disposal.
        services.AddSingleton(_ => snapshots);
        var stores = StoreFactory.Create(configuration.Options.Storage, settings.Environment);
        // Made by a factory so the container owns it and closes the connection pool on disposal.
        services.AddSingleton(_ => stores);
        services.AddSingleton(stores.Keys);
        services.AddSingleton(stores.Teams);
        services.AddSingleton(stores.Conversations);
        services.AddSingleton(stores.Ledger);
        services.AddSingleton(stores.Limits);
        services.AddSingleton<KeyLimiter>();
        // Opened at start, so a spool path the gateway cannot write stops it now rather than during an outage.
        services.AddSingleton(provider => LedgerSpool.Open(configuration.Options.Storage.ResolvedSpoolPath, provider.GetRequiredService<ILogger<LedgerSpool>>()));
        services.AddSingleton<UsageWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<UsageWriter>());
        services.AddSingleton<RequestMeter>();
        services.AddSingleton<AdminServices>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<MasterKey>();
        services.AddSingleton<GatewayReadiness>();
        services.AddSingleton<EchoBackend>();
        // Media settings follow a reload: each fetch and check reads the snapshot in force.
        services.AddSingleton(_ => new ImageFetcher(() => snapshots.Current.Media));
        services.AddSingleton(provider => new UpstreamMediaGuard(() => snapshots.Current.Media, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton<TranslatingForwarder>();
        services.AddSingleton<ConversationState>();
        services.AddSingleton(provider => new DeploymentHealth(provider.GetRequiredService<TimeProvider>(), () => snapshots.Current.Routing));
        services.AddSingleton(new ProviderGates(() => snapshots.Current.Routing.MaxQueue));
        services.AddObservability(configuration, settings);
        services.AddSingleton<FailoverRouter>();
        services.AddAuthentication(options => options.AddScheme<ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null));
        services.AddTransient<ApiKeyAuthenticationHandler>();
        services.AddGatewaySteps();
        services.AddHostedService<GatewayStartup>();
        services.AddHostedService<KnownKeysRefresh>();
        services.AddHostedService<ModelDiscovery>();
        services.AddHostedService<ConfigurationReloader>();
        services.AddHostedService<ConversationCleanup>();
        return services;
    }

    /// <summary>Metrics (one meter, aggregated for /metrics), the request telemetry of the pipeline, and OTLP export when configured.</summary>
    public static IServiceCollection AddObservability(this IServiceCollection services, LoadedConfiguration configuration, ServeSettings settings)
    {
        var observability = configuration.Options.Observability;
        services.AddMetrics();
        services.AddSingleton(provider =>
        {
            var metrics = new SwitchyardMetrics(provider.GetRequiredService<IMeterFactory>());
            metrics.ObserveQueueLengths(provider.GetRequiredService<ProviderGates>().QueueLengths);
            metrics.ObserveBenchedDeployments(provider.GetRequiredService<DeploymentHealth>().BenchedCount);
            var writer = provider.GetRequiredService<UsageWriter>();
            metrics.ObserveRequestLogBacklog(() => writer.Backlog);
            metrics.ObserveLedgerSpooled(() => writer.Spooled);
            var authenticator = provider.GetRequiredService<ApiKeyAuthenticator>();
            metrics.ObserveKeyLookups(() => authenticator.StoreLookups);
            return metrics;
        });
        services.AddSingleton(provider => new MetricsCollector(provider.GetRequiredService<IMeterFactory>()));
        services.AddSingleton<GatewayTelemetry>();
        services.AddSingleton(provider => new MetricsAccess(
            provider.GetRequiredService<ApiKeyAuthenticator>(), provider.GetRequiredService<SnapshotMonitor>(), settings.Environment));
        if (!string.IsNullOrEmpty(observability.OtlpEndpoint))
        {
            services.AddHostedService(provider => new TelemetryExport(observability, settings.Environment, provider.GetRequiredService<ILogger<TelemetryExport>>()));
        }

        return services;
    }

    public static WebApplication MapSwitchyard(this WebApplication app)
    {
        // The collector listens from now on, not from the first scrape, and the instruments exist
        // before the first request: a scrape of an idle gateway already shows its gauges.
        app.Services.GetRequiredService<MetricsCollector>();
        app.Services.GetRequiredService<SwitchyardMetrics>();
        app.UseRequestHeaders();
        app.MapOps();
        app.MapDialects();
        app.MapAccount();
        app.MapAdmin();
        return app;
    }
}
