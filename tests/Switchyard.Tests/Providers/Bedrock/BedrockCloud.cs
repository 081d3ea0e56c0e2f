using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Bedrock;

/// <summary>
/// One gateway and two Bedrock runtimes (us-east-1 and us-west-2) shared by a test class: the
/// model <see cref="Model"/> on a cross-region inference profile in us-east-1, signed with
/// temporary access keys from the environment and priced; <see cref="FailoverModel"/> on both regions.
/// </summary>
public sealed class BedrockCloud : IAsyncLifetime
{
    public const string Model = "claude-bedrock";
    public const string FailoverModel = "claude-bedrock-two-regions";

    /// <summary>A cross-region inference profile id: its ':' must travel escaped and be signed escaped twice.</summary>
    public const string ProfileId = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

    public const string AccessKeyId = "ASIAQEXAMPLE7BEDROCK";
    public const string SecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public const string SessionToken = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQ";

    public FakeBedrockRuntime East { get; private set; } = null!;

    public FakeBedrockRuntime West { get; private set; } = null!;

    public GatewayInstance Gateway { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        East = await FakeBedrockRuntime.StartAsync("us-east-1", TimeProvider.System);
        West = await FakeBedrockRuntime.StartAsync("us-west-2", TimeProvider.System);
        foreach (var runtime in new[] { East, West })
        {
            runtime.AddAccessKey(AccessKeyId, SecretAccessKey, SessionToken);
            runtime.Models.Add(ProfileId);
        }

        Gateway = await GatewayInstance.StartAsync(config =>
        {
            // The tests share deployments; the errors some provoke on purpose must not bench them for the others.
            config["routing"] = new JsonObject { ["benchAfterFailures"] = 1000 };
            var providers = config["providers"]!.AsArray();
            providers.Add(Provider("aws", "us-east-1", East));
            providers.Add(Provider("aws-west", "us-west-2", West));
            var models = config["models"]!.AsArray();
            models.Add(new JsonObject
            {
                ["id"] = Model,
                ["provider"] = "aws",
                ["model"] = ProfileId,
                ["pricing"] = new JsonObject { ["inputPerMTok"] = 3, ["cachedInputPerMTok"] = 0.3, ["cacheWritePerMTok"] = 3.75, ["outputPerMTok"] = 15 },
            });
            models.Add(new JsonObject
            {
                ["id"] = FailoverModel,
                ["deployments"] = new JsonArray(
                    new JsonObject { ["provider"] = "aws", ["model"] = ProfileId },
                    new JsonObject { ["provider"] = "aws-west", ["model"] = ProfileId }),
            });
        }, environment: new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = SecretAccessKey,
            ["AWS_SESSION_TOKEN"] = SessionToken,
        });
    }

    // No retries on one deployment: an error reaches the client as Bedrock sent it, at once.
    private static JsonObject Provider(string name, string region, FakeBedrockRuntime runtime) => new()
    {
        ["name"] = name,
        ["type"] = "bedrock",
        ["region"] = region,
        ["accessKeyId"] = "env:AWS_ACCESS_KEY_ID",
        ["secretAccessKey"] = "env:AWS_SECRET_ACCESS_KEY",
        ["sessionToken"] = "env:AWS_SESSION_TOKEN",
        ["baseUrl"] = runtime.BaseUrl,
        ["retries"] = 0,
    };

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await East.DisposeAsync();
        await West.DisposeAsync();
    }
}
