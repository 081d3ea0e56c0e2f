using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchyard.Cli;
using Switchyard.Configuration;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers;

/// <summary>
/// The cloud guide (docs/clouds.md) cannot rot: every JSON example in it loads without a problem,
/// and the problems it shows are what <c>config check</c> prints for such a file.
/// </summary>
public sealed partial class CloudDocsTests : IDisposable
{
    private const string DocumentedKeyFile = "/etc/switchyard/sa.json";

    private readonly string _directory = Directory.CreateTempSubdirectory("switchyard-cloud-docs-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Every_json_example_of_the_clouds_guide_loads_without_a_problem()
    {
        using var serviceAccount = ServiceAccountKey.Create("https://oauth2.googleapis.com/token");
        var examples = JsonExamples(Guide()).ToList();
        var failures = new List<string>();

        foreach (var example in examples)
        {
            // A provider alone becomes a file with one model on it; a whole file is taken as it is.
            var file = example["providers"] is null
                ? new JsonObject
                {
                    ["providers"] = new JsonArray(example.DeepClone()),
                    ["models"] = new JsonArray(new JsonObject { ["id"] = "m", ["provider"] = (string?)example["name"], ["model"] = "a-model" }),
                }
                : example;
            var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(path, file.ToJsonString().Replace(DocumentedKeyFile, serviceAccount.FilePath, StringComparison.Ordinal));

            using var loaded = ConfigurationLoader.Load(path, name => "value-of-" + name);

            failures.AddRange(loaded.Problems.Select(problem => $"{example.ToJsonString()}: {problem}"));
        }

        Assert.True(examples.Count >= 10, $"only {examples.Count} JSON examples found in docs/clouds.md");
        Assert.Contains(examples, e => e["providers"] is JsonArray { Count: 3 });
        Assert.Empty(failures);
    }

    [Fact]
    public async Task Config_check_prints_the_problems_the_guide_shows()
    {
        var shown = ProblemsShown(Guide());
        var path = Path.Combine(_directory, "broken.json");
        File.WriteAllText(path, $$"""
            {
              "providers": [
                { "name": "fine", "type": "echo" },
                { "name": "az", "type": "azure", "baseUrl": "https://r.openai.azure.com", "apiVersion": "latest",
                  "auth": { "kind": "entra", "tenantId": "t", "clientId": "c", "clientSecret": "env:AZURE_CLIENT_SECRET" } },
                { "name": "aws", "type": "bedrock", "accessKeyId": "AKIDEXAMPLE" },
                { "name": "vx", "type": "vertex", "project": "my-project", "location": "us-central1", "credentialsFile": "{{DocumentedKeyFile}}" }
              ],
              "models": [ { "id": "m", "provider": "fine" } ]
            }
            """);
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await SwitchyardCommands.Build().Parse(["config", "check", path])
            .InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        Assert.Equal(5, shown.Count);
        var printed = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.All(shown, line => Assert.Contains(line, printed));
        Assert.Empty(output.ToString());
    }

    /// <summary>docs/clouds.md, found by walking up from the test's folder to the repository's root.</summary>
    private static string Guide()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Switchyard.slnx")))
            {
                return File.ReadAllText(Path.Combine(folder.FullName, "docs", "clouds.md"));
            }
        }

        throw new InvalidOperationException("The repository's root (Switchyard.slnx) is not above " + AppContext.BaseDirectory);
    }

    /// <summary>Every top-level JSON value of every ```json block (a block may hold several).</summary>
    private static IEnumerable<JsonObject> JsonExamples(string markdown)
    {
        foreach (Match block in JsonBlock().Matches(markdown))
        {
            var bytes = Encoding.UTF8.GetBytes(block.Groups[1].Value);
            var values = new List<JsonObject>();
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true });
            while (reader.Read())
            {
                using var document = JsonDocument.ParseValue(ref reader);
                values.Add(JsonNode.Parse(document.RootElement.GetRawText())!.AsObject());
            }

            foreach (var value in values)
            {
                yield return value;
            }
        }
    }

    /// <summary>The lines of the plain block under "Problems `config check` reports".</summary>
    private static List<string> ProblemsShown(string markdown)
    {
        var section = markdown[markdown.IndexOf("## Problems `config check` reports", StringComparison.Ordinal)..];
        return PlainBlock().Match(section).Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    [GeneratedRegex(@"```json\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [GeneratedRegex(@"```\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PlainBlock();
}
