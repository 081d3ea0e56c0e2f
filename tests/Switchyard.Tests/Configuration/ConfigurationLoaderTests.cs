using Switchyard.Configuration;

namespace Switchyard.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "switchyard-config-tests", Guid.NewGuid().ToString("N"));

    public ConfigurationLoaderTests() => Directory.CreateDirectory(_directory);

    private LoadedConfiguration Load(string json, Dictionary<string, string>? environment = null)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return ConfigurationLoader.Load(path, name => environment is not null && environment.TryGetValue(name, out var value) ? value : null);
    }

    [Fact]
    public void Accepts_the_contract_example_with_its_environment()
    {
        var json = """
            {
              "masterKey": "env:SWITCHYARD_MASTER_KEY",
              "storage":  { "kind": "sqlite", "path": "switchyard.db" },
              "limits":   { "maxBodyBytes": 33554432 },
              "media":    { "allowHosts": [], "maxBytes": 20971520 },
              "providers": [
                { "name": "oai",    "type": "openai",    "baseUrl": "https://api.openai.com/v1", "apiKey": "env:OPENAI_API_KEY" },
                { "name": "vllm",   "type": "openai",    "baseUrl": "http://10.0.0.5:8000/v1" },
                { "name": "claude", "type": "anthropic", "baseUrl": "https://api.anthropic.com", "apiKey": "env:ANTHROPIC_API_KEY" },
                { "name": "gem",    "type": "gemini",    "baseUrl": "https://generativelanguage.googleapis.com", "apiKey": "env:GEMINI_API_KEY" }
              ],
              "models": [
                { "id": "gpt-5.4", "provider": "oai", "contextWindow": 400000 },
                { "id": "gpt-5.4-pro", "provider": "oai", "api": "responses", "endpoints": ["responses"] },
                { "id": "claude-sonnet-4-5", "provider": "claude",
                  "pricing": { "inputPerMTok": 3, "cachedInputPerMTok": 0.3, "cacheWritePerMTok": 3.75, "outputPerMTok": 15, "minimumCharge": 0.01 } },
                { "id": "fast", "kind": "chat",
                  "deployments": [ { "provider": "oai", "model": "gpt-5.4-mini", "weight": 3 },
                                   { "provider": "gem", "model": "gemini-2.5-flash", "weight": 1 } ],
                  "fallbacks": ["gpt-5.4"] },
                { "id": "text-embedding-3-small", "kind": "embedding", "provider": "oai" }
              ],
              "keys": [
                { "key": "env:CI_KEY", "name": "ci", "allowedModels": ["gpt-5.4", "fast"], "rpm": 600, "tpm": 200000, "maxConcurrent": 20, "credits": 25.0 }
              ]
            }
            """;
        var environment = new Dictionary<string, string>
        {
            ["SWITCHYARD_MASTER_KEY"] = "sk-master-1234567890-abcdefghijklmnop",
            ["OPENAI_API_KEY"] = "sk-openai",
            ["ANTHROPIC_API_KEY"] = "sk-ant",
            ["GEMINI_API_KEY"] = "AIza-gem",
            ["CI_KEY"] = "sk-ci-key-1234567890",
        };

        var loaded = Load(json, environment);

        Assert.Empty(loaded.Problems);
        Assert.Equal(5, loaded.Options.Models.Count);
        Assert.Equal(3, loaded.Options.Models[3].Deployments[0].Weight);
    }

    [Theory]
    [InlineData("""{"providers":[{"name":"a","type":"openai","baseUrl":"http://x/v1"}],"models":[{"id":"m","provider":"gem2"}]}""", "models[0].provider: 'gem2' is not a provider")]
    [InlineData("""{"providers":[{"name":"a","type":"mystery"}]}""", "providers[0].type: 'mystery' is not one of openai, anthropic, gemini, echo, azure, bedrock, vertex")]
    [InlineData("""{"providers":[{"name":"a","type":"openai"}]}""", "providers[0].baseUrl: is required for openai providers (it ends in /v1)")]
    [InlineData("""{"providers":[{"name":"a","type":"openai","baseUrl":"not a url"}]}""", "providers[0].baseUrl: 'not a url' is not an absolute http(s) URL")]
    [InlineData("""{"providers":[{"name":"a","type":"echo"},{"name":"a","type":"echo"}]}""", "providers[1].name: 'a' is already the name of another provider")]
    [InlineData("""{"providers":[{"name":"a","type":"openai","baseUrl":"http://x/v1","apiKey":"env:MISSING_KEY"}]}""", "providers[0].apiKey: environment variable MISSING_KEY is not set")]
    [InlineData("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"m","provider":"a","kind":"video"}]}""", "models[0].kind: 'video' is not one of chat, embedding, image, audio")]
    [InlineData("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"m","provider":"a","fallbacks":["nope"]}]}""", "models[0].fallbacks[0]: 'nope' is not a model")]
    [InlineData("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"m","provider":"a","endpoints":["embeddings"]}]}""", "models[0].endpoints[0]: 'embeddings' does not serve chat models")]
    [InlineData("""{"providers":[{"name":"a","type":"anthropic"}],"models":[{"id":"m","provider":"a","api":"responses"}]}""", "models[0].api: 'responses' applies to openai, azure providers only; 'a' is anthropic")]
    [InlineData("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"m"}]}""", "models[0]: needs a provider or at least one deployment")]
    [InlineData("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"m","provider":"a"}],"keys":[{"key":"short","name":"k"}]}""", "keys[0].key: must be at least 8 characters")]
    [InlineData("""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"m","provider":"a"}],"keys":[{"key":"long-enough-key","name":"k","allowedModels":["other"]}]}""", "keys[0].allowedModels[0]: 'other' is not a model")]
    [InlineData("""{"storage":{"kind":"postgres"}}""", "storage.connectionString: is required for postgres storage")]
    [InlineData("""{"limits":{"maxBodyBytes":0}}""", "limits.maxBodyBytes: must be positive")]
    [InlineData("""{"providers":[{"name":"a","type":"openai","baseUrl":"http://x/v1","timeoutSeconds":0}]}""", "providers[0].timeoutSeconds: must be more than 0 and at most 86400 (a day)")]
    [InlineData("""{"providers":[{"name":"a","type":"openai","baseUrl":"http://x/v1","timeoutSeconds":1e9}]}""", "providers[0].timeoutSeconds: must be more than 0 and at most 86400 (a day)")]
    public void Reports_a_bad_file_with_the_path_of_the_problem(string json, string problem)
    {
        var loaded = Load(json);

        Assert.Contains(problem, loaded.Problems);
    }

    [Fact]
    public void Refuses_a_model_id_longer_than_a_request_may_name()
    {
        var longest = new string('m', 256);
        var loaded = Load($$"""{"providers":[{"name":"a","type":"echo"}],"models":[{"id":"{{longest}}","provider":"a"},{"id":"{{longest}}x","provider":"a"}]}""");

        Assert.Equal(["models[1].id: is longer than 256 characters"], loaded.Problems);
    }

    [Fact]
    public void Reports_every_problem_at_once()
    {
        var loaded = Load("""{"providers":[{"name":"a","type":"mystery"}],"models":[{"id":"m","provider":"b"},{"id":"m","provider":"a"}]}""");

        Assert.Contains("providers[0].type: 'mystery' is not one of openai, anthropic, gemini, echo, azure, bedrock, vertex", loaded.Problems);
        Assert.Contains("models[0].provider: 'b' is not a provider", loaded.Problems);
        Assert.Contains("models[1].id: 'm' is already the id of another model", loaded.Problems);
    }

    [Fact]
    public void Reports_a_value_of_the_wrong_type_with_its_path()
    {
        var loaded = Load("""{"providers":[{"name":"a","type":"openai","baseUrl":"http://x/v1","retries":"many"}]}""");

        var problem = Assert.Single(loaded.Problems);
        Assert.StartsWith("providers[0].retries:", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_malformed_json_and_a_missing_file()
    {
        var malformed = Load("""{"providers": [""");
        var missing = ConfigurationLoader.Load(Path.Combine(_directory, "absent.json"), _ => null);

        Assert.Contains("not valid JSON", Assert.Single(malformed.Problems), StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Single(missing.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Lets_the_environment_override_the_file_in_the_dotnet_form()
    {
        var path = Path.Combine(_directory, "override.json");
        File.WriteAllText(path, """{"limits":{"maxBodyBytes":1000}}""");
        Environment.SetEnvironmentVariable("SWITCHYARD__LIMITS__MAXBODYBYTES", "2000");
        try
        {
            var loaded = ConfigurationLoader.Load(path, _ => null);

            Assert.Equal(2000, loaded.Options.Limits.MaxBodyBytes);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SWITCHYARD__LIMITS__MAXBODYBYTES", null);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
