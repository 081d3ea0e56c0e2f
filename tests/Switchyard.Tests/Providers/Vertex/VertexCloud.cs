using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Vertex;

/// <summary>
/// One gateway and one Vertex AI (project <c>my-project</c>, <c>us-central1</c>) shared by a test
/// class: a Gemini model and a Claude model, both priced, authenticated by a service-account key
/// file whose <c>token_uri</c> is the fake Google OAuth endpoint. Credentials follow <see cref="Clock"/>
/// (the real clock for a gateway in a process of its own).
/// </summary>
public sealed class VertexCloud : IAsyncLifetime
{
    public const string GeminiModel = "gemini-vertex";
    public const string ClaudeModel = "claude-vertex";
    public const string GeminiId = "gemini-2.5-pro";
    public const string ClaudeId = "claude-sonnet-4-5@20250929";

    private ServiceAccountKey? _key;

    public FakeTimeProvider Clock { get; } = new();

    public FakeGoogleOAuth OAuth { get; private set; } = null!;

    public FakeVertex Vertex { get; private set; } = null!;

    public GatewayInstance Gateway { get; private set; } = null!;

    /// <summary>Moves the credentials' clock; a gateway in a process of its own keeps the real one, so the test skips there.</summary>
    public void AdvanceClock(TimeSpan by)
    {
        GatewayInstance.RequireInProcess("moves the clock the gateway renews its token by");
        Clock.Advance(by);
    }

    public async ValueTask InitializeAsync()
    {
        OAuth = await FakeGoogleOAuth.StartAsync(GatewayInstance.InProcess ? Clock : TimeProvider.System);
        _key = ServiceAccountKey.Create(OAuth.TokenUri);
        OAuth.Account = (_key.ClientEmail, _key.Key);
        Vertex = await FakeVertex.StartAsync("my-project", "us-central1", OAuth);
        Gateway = await GatewayInstance.StartAsync(config =>
        {
            // The tests share deployments; the errors some provoke on purpose must not bench them for the others.
            config["routing"] = new JsonObject { ["benchAfterFailures"] = 1000 };
            config["providers"]!.AsArray().Add(new JsonObject
            {
                ["name"] = "vx",
                ["type"] = "vertex",
                ["project"] = "my-project",
                ["location"] = "us-central1",
                ["credentialsFile"] = _key.FilePath,
                ["baseUrl"] = Vertex.BaseUrl,
                ["retries"] = 0,
            });
            var models = config["models"]!.AsArray();
            models.Add(new JsonObject
            {
                ["id"] = GeminiModel,
                ["provider"] = "vx",
                ["model"] = GeminiId,
                ["pricing"] = new JsonObject { ["inputPerMTok"] = 1.25, ["cachedInputPerMTok"] = 0.125, ["outputPerMTok"] = 10 },
            });
            models.Add(new JsonObject
            {
                ["id"] = ClaudeModel,
                ["provider"] = "vx",
                ["model"] = ClaudeId,
                ["pricing"] = new JsonObject { ["inputPerMTok"] = 3, ["cachedInputPerMTok"] = 0.3, ["cacheWritePerMTok"] = 3.75, ["outputPerMTok"] = 15 },
            });
        }, credentialClock: GatewayInstance.InProcess ? Clock : null);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Vertex.DisposeAsync();
        await OAuth.DisposeAsync();
        _key?.Dispose();
    }
}
