using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchyard.Auth;
using Switchyard.Configuration;
using Switchyard.Dialects.Canonical;
using Switchyard.Hosting;
using Switchyard.Metering;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Auth;

/// <summary>Keys of the configuration file are identified by name, never by anything derived from their secret.</summary>
public sealed class ConfiguredKeyIdsTests
{
    private const string Chat = """{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}""";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_configuration_keys_id_is_its_name_and_shows_nothing_of_its_secret()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Default = (context, _) => FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok"));
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var client = gateway.HttpClient();

        using var chat = await client.PostAsync("/v1/chat/completions", Requests.Json(Chat), Cancel);
        var key = await client.GetFromJsonAsync<JsonObject>("/v1/key", Cancel);
        var row = Assert.Single(await AdminApi.RequestsAsync(gateway, "model=gpt-test"))!;

        var hash = KeyHasher.Hash(GatewayInstance.UserKey);
        Assert.Equal("cfg_user", (string?)key!["id"]);
        Assert.Equal("cfg_user", (string?)row["keyId"]);
        for (var length = 4; length <= hash.Length; length += 4)
        {
            Assert.DoesNotContain(hash[..length], key.ToJsonString(), StringComparison.Ordinal);
        }

        Assert.Single(upstream.Requests);
    }

    [Fact]
    public void Names_of_configuration_keys_are_unique_and_fit_in_an_id()
    {
        var options = new SwitchyardOptions
        {
            Keys =
            [
                new KeyOptions { Key = "sk-first-key-0123", Name = "ci" },
                new KeyOptions { Key = "sk-second-key-0123", Name = "ci" },
                new KeyOptions { Key = "sk-third-key-0123", Name = "CI bot" },
                new KeyOptions { Key = "sk-fourth-key-0123", Name = "team-a_v2.1" },
            ],
        };

        var problems = SwitchyardOptionsValidator.Validate(options, _ => null);

        Assert.Equal(
        [
            "keys[1].name: 'ci' is already the name of another key",
            "keys[2].name: 'CI bot' must be 1 to 64 letters, digits, '-', '_' or '.' (the key's id is cfg_ and its name)",
        ], problems);
    }

    /// <summary>
    /// A store written by a release that named configuration keys by a hash of their secret: at
    /// start, the key's rows and credits spent move to its new id, so its balance is unchanged.
    /// </summary>
    [Theory]
    [InlineData(TestStorage.Sqlite)]
    [InlineData(TestStorage.Postgres)]
    public async Task Rows_under_a_former_secret_derived_id_move_to_the_name_at_start(string kind)
    {
        await using var storage = await TestStorage.CreateAsync(kind);
        var directory = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var options = storage.Database is { } postgres
            ? new StorageOptions { Kind = "postgres", ConnectionString = postgres.ConnectionString }
            : new StorageOptions { Kind = "sqlite", Path = Path.Combine(directory, "switchyard.db") };
        var legacy = "cfg_" + KeyHasher.Hash(GatewayInstance.UserKey)[..12];
        await using (var stores = StoreFactory.Create(options, _ => null))
        {
            await stores.Keys.InitializeAsync(Cancel);
            await stores.Ledger.AppendAsync([Row("req_old_1", legacy, 1.5m), Row("req_old_2", legacy, 0.25m), Row("req_other", "cfg_someone", 3m)], Cancel);
        }

        try
        {
            await using var upstream = await FakeUpstream.StartAsync();
            await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            {
                config["storage"] = storage.Database is null
                    ? new JsonObject { ["kind"] = "sqlite", ["path"] = options.Path }
                    : new JsonObject { ["kind"] = "postgres", ["connectionString"] = options.ConnectionString };
                config["keys"]![0]!["credits"] = 10;
            });
            using var client = gateway.HttpClient();

            var key = await client.GetFromJsonAsync<JsonObject>("/v1/key", Cancel);
            var moved = await AdminApi.RequestsAsync(gateway, "keyId=cfg_user");
            var left = await AdminApi.RequestsAsync(gateway, "keyId=" + legacy);
            var other = await AdminApi.RequestsAsync(gateway, "keyId=cfg_someone");

            Assert.Equal(1.75m, (decimal?)key!["credits"]!["spent"]);
            Assert.Equal(8.25m, (decimal?)key["credits"]!["remaining"]);
            Assert.Equal(["req_old_1", "req_old_2"], moved.Select(r => (string)r!["id"]!).Order(StringComparer.Ordinal));
            Assert.Empty(left);
            Assert.Single(other);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static UsageRecord Row(string id, string keyId, decimal cost) => new()
    {
        RequestId = id,
        KeyId = keyId,
        Model = "gpt-test",
        Surface = "chat",
        Status = 200,
        Usage = new Usage { InputTokens = 1, OutputTokens = 1 },
        Cost = cost,
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
