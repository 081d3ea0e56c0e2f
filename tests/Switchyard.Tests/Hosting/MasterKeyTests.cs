using System.CommandLine;
using System.Net;
using System.Text.Json.Nodes;
using Switchyard.Cli;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Hosting;

/// <summary>The master key: long enough to resist guessing, and exactly one at a time, the file's latest.</summary>
public sealed class MasterKeyTests : IDisposable
{
    private const string ShortMaster = "sk-short-master-0123456789abcde";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-tests", Guid.NewGuid().ToString("N"));

    public MasterKeyTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Config_check_and_serve_refuse_a_master_key_shorter_than_32_characters()
    {
        Assert.Equal(31, ShortMaster.Length);
        var inFile = Config($$"""{"masterKey":"{{ShortMaster}}"}""");
        var fromEnvironment = Config("""{"masterKey":"env:SHORT_MASTER"}""");
        var atLength = Config($$"""{"masterKey":"{{ShortMaster}}f"}""");
        var expected = "masterKey: must be at least 32 characters (a generated one is 46)";

        var (checkExit, _, checkError) = await ConfigCheckAsync(inFile);
        var (goodExit, goodOutput, _) = await ConfigCheckAsync(atLength);
        var serve = Assert.Throws<ConfigurationProblemsException>(() => SwitchyardHost.Build(new ServeSettings { ConfigPath = inFile, Environment = _ => null }));
        var serveFromEnvironment = Assert.Throws<ConfigurationProblemsException>(() => SwitchyardHost.Build(new ServeSettings
        {
            ConfigPath = fromEnvironment,
            Environment = name => name == "SHORT_MASTER" ? ShortMaster : null,
        }));

        Assert.Equal(1, checkExit);
        Assert.Contains(expected, checkError, StringComparison.Ordinal);
        Assert.DoesNotContain(ShortMaster, checkError, StringComparison.Ordinal);
        Assert.Equal(0, goodExit);
        Assert.StartsWith("OK:", goodOutput, StringComparison.Ordinal);
        Assert.Equal([expected], serve.Problems);
        Assert.Equal([expected], serveFromEnvironment.Problems);
    }

    [Fact]
    public async Task A_master_key_changed_in_the_file_works_after_the_reload_and_the_old_one_stops()
    {
        const string NewMaster = "sk-rotated-master-0123456789abcdefghij";
        await using var gateway = await GatewayInstance.StartAsync(_ => { });
        using var oldAdmin = gateway.AdminClient();
        using var newAdmin = gateway.HttpClient(NewMaster);
        using var before = await oldAdmin.GetAsync("/admin/keys", Cancel);
        using var newBefore = await newAdmin.GetAsync("/admin/keys", Cancel);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(gateway.ConfigPath, Cancel))!;
        config["masterKey"] = NewMaster;

        await File.WriteAllTextAsync(gateway.ConfigPath, config.ToJsonString(), Cancel);
        var status = HttpStatusCode.Unauthorized;
        for (var i = 0; i < 100 && status != HttpStatusCode.OK; i++)
        {
            await Task.Delay(100, Cancel);
            using var attempt = await newAdmin.GetAsync("/admin/keys", Cancel);
            status = attempt.StatusCode;
        }

        using var oldAfter = await oldAdmin.GetAsync("/admin/keys", Cancel);
        using var userAfter = await gateway.HttpClient().GetAsync("/v1/models", Cancel);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, newBefore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.Unauthorized, oldAfter.StatusCode);
        Assert.Equal("application/problem+json", oldAfter.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, userAfter.StatusCode);
    }

    [Fact]
    public async Task A_reload_with_a_short_master_key_is_rejected_and_the_old_key_keeps_working()
    {
        var logs = new CapturingLoggerProvider();
        await using var gateway = await GatewayInstance.StartAsync(_ => { }, logs: logs);
        var config = JsonNode.Parse(await File.ReadAllTextAsync(gateway.ConfigPath, Cancel))!;
        config["masterKey"] = ShortMaster;

        await File.WriteAllTextAsync(gateway.ConfigPath, config.ToJsonString(), Cancel);
        await logs.WaitForAsync(l => l.EventId.Id == Switchyard.Diagnostics.EventIds.ConfigReloadRejected, 1, Cancel);
        using var old = await gateway.AdminClient().GetAsync("/admin/keys", Cancel);
        using var shortKey = await gateway.HttpClient(ShortMaster).GetAsync("/admin/keys", Cancel);

        Assert.Contains(logs.Logs, l => l.EventId.Id == Switchyard.Diagnostics.EventIds.ConfigReloadRejected
            && l.Message.Contains("masterKey: must be at least 32 characters", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, shortKey.StatusCode);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Config(string json)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> ConfigCheckAsync(string path)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await SwitchyardCommands.Build().Parse(["config", "check", path]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Cancel);
        return (exit, output.ToString(), error.ToString());
    }
}
