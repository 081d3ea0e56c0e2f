using System.CommandLine;
using System.Text.Json.Nodes;
using Switchyard.Cli;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-cli-tests", Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(_directory);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await SwitchyardCommands.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    private string Config(string json)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task Config_check_reports_every_problem_and_exits_non_zero()
    {
        var path = Config("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"m","provider":"gem2"},{"id":"n","provider":"a","kind":"video"}]}""");

        var (exit, _, error) = await RunAsync("config", "check", path);

        Assert.Equal(1, exit);
        Assert.Contains("models[0].provider: 'gem2' is not a provider", error, StringComparison.Ordinal);
        Assert.Contains("models[1].kind: 'video' is not one of chat, embedding, image, audio", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_check_accepts_a_good_file()
    {
        var path = Config("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"m","provider":"a"}]}""");

        var (exit, output, _) = await RunAsync("config", "check", path);

        Assert.Equal(0, exit);
        Assert.StartsWith("OK:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_created_on_the_command_line_authenticate_at_the_gateway_until_revoked()
    {
        var database = Path.Combine(_directory, "switchyard.db");
        var path = Config($$"""
            {"masterKey":"sk-master-for-cli-tests-0123456789abc","storage":{"kind":"sqlite","path":"{{database}}"},
             "providers":[{"name":"echo","type":"echo"}],"models":[{"id":"echo","provider":"echo"},{"id":"other","provider":"echo"}]}
            """);

        var (created, createOutput, _) = await RunAsync("keys", "create", "--name", "cli", "--models", "echo", "--config", path);
        var secret = createOutput.Split('\n').Single(l => l.StartsWith("key:", StringComparison.Ordinal))[4..].Trim();
        var id = createOutput.Split('\n').Single(l => l.StartsWith("id:", StringComparison.Ordinal))[3..].Trim();
        var (_, listOutput, _) = await RunAsync("keys", "list", "--config", path);

        Assert.Equal(0, created);
        Assert.StartsWith("sk-sy-", secret, StringComparison.Ordinal);
        Assert.Contains(id, listOutput, StringComparison.Ordinal);
        Assert.Contains(secret[..8], listOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await File.ReadAllTextAsync(database, TestContext.Current.CancellationToken), StringComparison.Ordinal);

        Assert.Equal(System.Net.HttpStatusCode.OK, await ChatStatusAsync(database, secret));

        var (revoked, _, _) = await RunAsync("keys", "revoke", id, "--config", path);
        var (_, afterList, _) = await RunAsync("keys", "list", "--config", path);

        Assert.Equal(0, revoked);
        Assert.Contains("revoked", afterList, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, await ChatStatusAsync(database, secret));
    }

    /// <summary>A chat request with <paramref name="secret"/> to a fresh gateway on the same store.</summary>
    private static async Task<System.Net.HttpStatusCode> ChatStatusAsync(string database, string secret)
    {
        await using var gateway = await GatewayInstance.StartAsync(config =>
        {
            config["storage"] = new JsonObject { ["kind"] = "sqlite", ["path"] = database };
            config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "echo", ["type"] = "echo" });
            config["models"]!.AsArray().Add(new JsonObject { ["id"] = "echo", ["provider"] = "echo" });
        });
        using var client = gateway.HttpClient(secret);
        using var response = await client.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"echo","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Fact]
    public async Task Revoking_an_unknown_key_fails()
    {
        var path = Config($$$"""{"storage":{"kind":"sqlite","path":"{{{Path.Combine(_directory, "x.db")}}}"}}""");

        var (exit, _, error) = await RunAsync("keys", "revoke", "key_nope", "--config", path);

        Assert.Equal(1, exit);
        Assert.Contains("key_nope", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_lists_the_catalog()
    {
        var path = Config("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"first","provider":"a"},{"id":"vectors","provider":"a","kind":"embedding"}]}""");

        var (exit, output, _) = await RunAsync("models", "--config", path);

        Assert.Equal(0, exit);
        Assert.Contains("first", output, StringComparison.Ordinal);
        Assert.Contains("embedding", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
