using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Hosting;

/// <summary>
/// The start with no configuration file (docs/commands.md). These tests change the working directory
/// (the defaults are relative to it), so they live in one class and never run side by side.
/// </summary>
public sealed class ZeroConfigTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-zero-config", Guid.NewGuid().ToString("N"));
    private readonly string _previous = Directory.GetCurrentDirectory();

    public ZeroConfigTests()
    {
        Directory.CreateDirectory(_directory);
        Directory.SetCurrentDirectory(_directory);
    }

    [Fact]
    public void Builds_providers_from_the_environment_and_the_echo_model()
    {
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-x", ["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1" };

        var loaded = ConfigurationLoader.Load(null, environment.GetValueOrDefault);

        Assert.True(loaded.IsZeroConfig);
        Assert.Empty(loaded.Problems);
        Assert.Contains(loaded.Options.Providers, p => p.Name == "openai" && p.BaseUrl == "http://127.0.0.1:9/v1" && p.ApiKey == "env:OPENAI_API_KEY");
        Assert.DoesNotContain(loaded.Options.Providers, p => p.Type == "anthropic");
        Assert.Contains(loaded.Options.Models, m => m.Id == "echo" && m.Provider == "echo");
    }

    [Fact]
    public async Task Prints_a_master_key_once_discovers_upstream_models_and_answers_through_echo()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var unnameable = new string('g', 257);
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context,
            $$"""{"object":"list","data":[{"id":"gpt-upstream-a","object":"model"},{"id":"text-embedding-upstream","object":"model"},{"id":"{{unnameable}}","object":"model"}]}""");
        var environment = new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-upstream", ["OPENAI_BASE_URL"] = upstream.BaseUrl + "/v1" };
        var first = new StringWriter();

        string masterKey;
        await using (var app = await StartAsync(environment, first))
        {
            masterKey = first.ToString().Split(": ")[^1].Trim();
            using var client = Client(app, masterKey);
            JsonNode? models = null;
            for (var i = 0; i < 50 && models?["data"]?.AsArray().Count is null or < 3; i++)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
                models = JsonNode.Parse(await client.GetStringAsync("/v1/models", TestContext.Current.CancellationToken));
            }

            using var chat = await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hello"}]}"""), TestContext.Current.CancellationToken);
            var ids = models!["data"]!.AsArray().Select(m => (string?)m!["id"]).ToList();

            Assert.StartsWith("sk-sy-", masterKey, StringComparison.Ordinal);
            Assert.Contains("echo", ids);
            Assert.Contains("gpt-upstream-a", ids);
            Assert.Contains("text-embedding-upstream", ids);
            Assert.DoesNotContain(unnameable, ids);
            Assert.Contains("Echo: hello", await chat.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
            Assert.Equal("Bearer sk-upstream", upstream.LastRequest.Header("authorization"));
        }

        var second = new StringWriter();
        await using (var again = await StartAsync(environment, second))
        {
            using var client = Client(again, masterKey);
            using var response = await client.GetAsync("/v1/models", TestContext.Current.CancellationToken);

            Assert.Equal(string.Empty, second.ToString());
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.True(File.Exists(Path.Combine(_directory, "switchyard.db")));
            Assert.DoesNotContain(masterKey, await File.ReadAllTextAsync(Path.Combine(_directory, "switchyard.db"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
    }

    private static async Task<AsyncApp> StartAsync(Dictionary<string, string> environment, StringWriter output)
    {
        var app = SwitchyardHost.Build(new ServeSettings
        {
            Urls = "http://127.0.0.1:0",
            Output = output,
            Environment = environment.GetValueOrDefault,
            MinimumLogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
        });
        await app.StartAsync();
        return new AsyncApp(app);
    }

    private static HttpClient Client(AsyncApp app, string key)
    {
        var address = app.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public void Dispose()
    {
        Directory.SetCurrentDirectory(_previous);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private sealed class AsyncApp(Microsoft.AspNetCore.Builder.WebApplication app) : IAsyncDisposable
    {
        public Microsoft.AspNetCore.Builder.WebApplication App { get; } = app;

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
