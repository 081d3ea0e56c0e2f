using System.Diagnostics;
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Anthropic;
using OpenAI;
using Switchyard.Hosting;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// A real Switchyard on Kestrel at 127.0.0.1:0 with its own temporary directory, SQLite store and
/// configuration file. Tests describe providers, models and keys as JSON; the master key and a
/// default unrestricted key are always present.
/// </summary>
public sealed class GatewayInstance : IAsyncDisposable
{
    public const string MasterKey = "sk-test-master-0123456789abcdefghij";
    public const string UserKey = "sk-test-user-0123456789";
    public const string RestrictedKey = "sk-test-restricted-0123456789";

    /// <summary>The key every configured upstream provider is given; no client may ever see it.</summary>
    public const string UpstreamKey = "sk-upstream-secret-key-123456";

    private readonly WebApplication? _app;

    private readonly ExternalGateway? _external;

    private GatewayInstance(WebApplication? app, ExternalGateway? external, string directory, string configPath, StringWriter output)
    {
        _app = app;
        _external = external;
        Directory = directory;
        ConfigPath = configPath;
        Output = output;
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    public StringWriter Output { get; }

    public string BaseUrl { get; private set; } = "";

    /// <summary>The gateway's services; a test that reads them skips when the gateway runs in a process of its own.</summary>
    public IServiceProvider Services => _app?.Services ?? throw InProcessOnly("reads the gateway's services");

    /// <summary>
    /// Starts a gateway. <paramref name="configure"/> edits the configuration object before it is
    /// written; <paramref name="logs"/>, when given, receives every event from <paramref name="minimumLogLevel"/> up;
    /// <paramref name="credentialClock"/> and <paramref name="identityHandler"/> replace the clock cloud credentials are renewed by and the transport Entra ID is reached through.
    /// </summary>
    public static async Task<GatewayInstance> StartAsync(Action<JsonObject> configure, IDictionary<string, string>? environment = null,
        CapturingLoggerProvider? logs = null, Microsoft.Extensions.Logging.LogLevel minimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        TimeProvider? credentialClock = null, Func<HttpMessageHandler>? identityHandler = null)
    {
        if (!InProcess && (credentialClock is not null || identityHandler is not null))
        {
            throw InProcessOnly("replaces the gateway's clock or identity transport");
        }

        var directory = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var config = new JsonObject
        {
            ["masterKey"] = MasterKey,
            ["storage"] = new JsonObject { ["kind"] = "sqlite", ["path"] = Path.Combine(directory, "switchyard.db") },
            ["providers"] = new JsonArray(),
            ["models"] = new JsonArray(),
            ["keys"] = new JsonArray { new JsonObject { ["key"] = UserKey, ["name"] = "user" } },
        };
        configure(config);

        // The ledger spool of a gateway on a shared PostgreSQL stays in its own directory, not the working one.
        if (config["storage"] is JsonObject storage && storage["spoolPath"] is null && (string?)storage["kind"] == "postgres")
        {
            storage["spoolPath"] = Path.Combine(directory, "ledger.spool");
        }

        // A published build in its own process logs one JSON object a line, read back into the capturing provider.
        if (ExternalGateway.BuildPath is not null && logs is not null)
        {
            if (config["observability"] is not JsonObject observability)
            {
                config["observability"] = observability = new JsonObject();
            }

            observability["jsonLogs"] = true;
        }

        var configPath = Path.Combine(directory, "switchyard.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());

        var output = new StringWriter();
        if (ExternalGateway.BuildPath is { } buildPath)
        {
            var external = await ExternalGateway.StartAsync(buildPath, configPath, environment, minimumLogLevel, output, logs is null ? null : logs.AddJsonLine);
            return new GatewayInstance(null, external, directory, configPath, output) { BaseUrl = external.BaseUrl };
        }

        var app = SwitchyardHost.Build(new ServeSettings
        {
            ConfigPath = configPath,
            Urls = "http://127.0.0.1:0",
            Output = output,
            Environment = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            MinimumLogLevel = minimumLogLevel,
            ConfigureLogging = logs is null ? null : logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(logs);
            },
            CredentialClock = credentialClock ?? TimeProvider.System,
            IdentityHandler = identityHandler,
        });
        await app.StartAsync();
        var instance = new GatewayInstance(app, null, directory, configPath, output)
        {
            BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(),
        };
        return instance;
    }

    /// <summary>
    /// The first provider with no retries: a test of how an upstream's 429 is passed on, which
    /// would otherwise wait out its Retry-After before each retry (the router's tests cover that).
    /// </summary>
    public static void NoRetries(JsonObject config) => config["providers"]![0]!["retries"] = 0;

    /// <summary>A gateway with one OpenAI-compatible provider at <paramref name="upstream"/> and the echo provider.</summary>
    public static Task<GatewayInstance> StartWithOpenAIAsync(FakeUpstream upstream, Action<JsonObject>? configure = null) => StartAsync(config =>
    {
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "oai", ["type"] = "openai", ["baseUrl"] = upstream.BaseUrl + "/v1", ["apiKey"] = UpstreamKey });
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "echo", ["type"] = "echo" });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gpt-test", ["provider"] = "oai", ["model"] = "gpt-upstream" });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "echo", ["provider"] = "echo" });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "embed-test", ["provider"] = "oai", ["model"] = "text-embedding-upstream", ["kind"] = "embedding" });
        configure?.Invoke(config);
    });

    /// <summary>A gateway with one Anthropic provider at <paramref name="upstream"/> serving <c>claude-test</c> (upstream <c>claude-upstream</c>).</summary>
    public static Task<GatewayInstance> StartWithAnthropicAsync(FakeUpstream upstream, Action<JsonObject>? configure = null) => StartAsync(config =>
    {
        AddAnthropic(config, upstream);
        configure?.Invoke(config);
    });

    /// <summary>
    /// A gateway with one Gemini provider at <paramref name="upstream"/> serving the chat model
    /// <c>gemini-test</c> (upstream <c>gemini-upstream</c>) and the embedding model <c>gemini-embed</c>.
    /// </summary>
    public static Task<GatewayInstance> StartWithGeminiAsync(FakeUpstream upstream, Action<JsonObject>? configure = null) => StartAsync(config =>
    {
        AddGemini(config, upstream);
        configure?.Invoke(config);
    });

    /// <summary>Adds the provider <c>claude</c> at <paramref name="upstream"/> and the model <c>claude-test</c> on it.</summary>
    public static void AddAnthropic(JsonObject config, FakeUpstream upstream, string provider = "claude", string model = "claude-test")
    {
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = provider, ["type"] = "anthropic", ["baseUrl"] = upstream.BaseUrl, ["apiKey"] = UpstreamKey });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = model, ["provider"] = provider, ["model"] = "claude-upstream" });
    }

    /// <summary>Adds the provider <c>gem</c> at <paramref name="upstream"/> with <c>gemini-test</c> and the embedding model <c>gemini-embed</c>.</summary>
    public static void AddGemini(JsonObject config, FakeUpstream upstream)
    {
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "gem", ["type"] = "gemini", ["baseUrl"] = upstream.BaseUrl, ["apiKey"] = UpstreamKey });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gemini-test", ["provider"] = "gem", ["model"] = "gemini-upstream" });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "gemini-embed", ["provider"] = "gem", ["model"] = "text-embedding-up", ["kind"] = "embedding" });
    }

    /// <summary>Adds a configuration-file key that may use only <paramref name="allowedModels"/>.</summary>
    public static void AddRestrictedKey(JsonObject config, params string[] allowedModels) =>
        config["keys"]!.AsArray().Add(new JsonObject
        {
            ["key"] = RestrictedKey,
            ["name"] = "restricted",
            ["allowedModels"] = new JsonArray(allowedModels.Select(m => (JsonNode)JsonValue.Create(m)).ToArray()),
        });

    /// <summary>
    /// The official OpenAI SDK pointed at this gateway. Its own retries are off: the tests observe the
    /// gateway's status codes and retries, not the SDK's.
    /// </summary>
    public OpenAIClient OpenAIClient(string key = UserKey, string prefix = "/v1") =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions
        {
            Endpoint = new Uri(BaseUrl + prefix),
            NetworkTimeout = TimeSpan.FromSeconds(30),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        });

    /// <summary>The official Anthropic SDK pointed at this gateway, with its own retries off.</summary>
    public AnthropicClient AnthropicClient(string key = UserKey) => new()
    {
        ApiKey = key,
        BaseUrl = BaseUrl,
        MaxRetries = 0,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A client of the admin API, with the master key.</summary>
    public HttpClient AdminClient() => HttpClient(MasterKey);

    /// <summary>Stops the gateway gracefully (draining its ledger) without deleting its files.</summary>
    public Task StopAsync() => _external?.StopAsync() ?? _app!.StopAsync();

    public HttpClient HttpClient(string? key = UserKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        if (_external is not null)
        {
            await _external.DisposeAsync();

            // A stop is graceful in every test: a build that crashes or fails its drain on SIGTERM fails the test.
            Assert.True(_external.ExitCode == 0, $"The gateway exited with {_external.ExitCode} on SIGTERM:\n{Output}");
        }
        else
        {
            await _app!.StopAsync();
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open on a slow shutdown; the temp directory is cleaned by the OS.
        }
    }

    /// <summary>False when a published build serves each test from a process of its own (<c>SWITCHYARD_TEST_GATEWAY</c>).</summary>
    public static bool InProcess => ExternalGateway.BuildPath is null;

    /// <summary>Skips the calling test when the gateway is not in the test's process; <paramref name="what"/> says what it needs there.</summary>
    public static void RequireInProcess(string what) => _ = InProcessOnly(what);

    private static UnreachableException InProcessOnly(string what)
    {
        if (!InProcess)
        {
            Assert.Skip($"This test {what}, so it runs only against the gateway hosted in the test's process (SWITCHYARD_TEST_GATEWAY is set).");
        }

        return new UnreachableException();
    }
}
