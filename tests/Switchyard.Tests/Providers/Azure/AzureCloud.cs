using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Azure;

/// <summary>
/// One gateway and one Azure OpenAI resource shared by a test class, reached two ways: provider
/// <c>az</c> with the resource key and a dated API version, provider <c>az-v1</c> with a Microsoft
/// Entra ID client secret (from a fake HTTPS authority) and the v1 API. Each serves a chat
/// deployment and a Responses deployment; credentials follow <see cref="Clock"/>.
/// </summary>
public sealed class AzureCloud : IAsyncLifetime
{
    public const string ApiVersion = "2025-04-01-preview";
    public const string ChatDeployment = "gpt-4o-prod";
    public const string ResponsesDeployment = "o4-mini-prod";
    public const string ResourceKey = "3f9a0c1b2d4e5f60718293a4b5c6d7e8";
    public const string Tenant = "7f3c2b1a-0d4e-4c5b-9a8f-123456789abc";
    public const string Client = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    public const string Secret = "s3cr3t~value.for-azure-tests";

    /// <summary>The gateway's model ids: the chat and Responses deployments, by key and dated version or by Entra and v1.</summary>
    public const string KeyChat = "azure-chat";
    public const string KeyResponses = "azure-responses";
    public const string EntraChat = "azure-chat-v1";
    public const string EntraResponses = "azure-responses-v1";

    private string? _roots;

    /// <summary>Token expiry at MSAL is on the real clock, so the test clock starts there.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public FakeEntraTokenEndpoint Entra { get; private set; } = null!;

    public FakeAzureOpenAI Resource { get; private set; } = null!;

    public GatewayInstance Gateway { get; private set; } = null!;

    /// <summary>Moves the credentials' clock; a gateway in a process of its own keeps the real one, so the test skips there.</summary>
    public void AdvanceClock(TimeSpan by)
    {
        GatewayInstance.RequireInProcess("moves the clock the gateway renews its token by");
        Clock.Advance(by);
    }

    public async ValueTask InitializeAsync()
    {
        Entra = await FakeEntraTokenEndpoint.StartAsync(GatewayInstance.InProcess ? Clock : TimeProvider.System, Tenant, Client, clientSecret: Secret);
        Resource = await FakeAzureOpenAI.StartAsync([ChatDeployment, ResponsesDeployment], apiKey: ResourceKey, entra: Entra);
        Gateway = await GatewayInstance.StartAsync(config =>
        {
            // The tests share deployments; the errors some provoke on purpose must not bench them for the others.
            config["routing"] = new JsonObject { ["benchAfterFailures"] = 1000 };
            var providers = config["providers"]!.AsArray();
            providers.Add(new JsonObject
            {
                ["name"] = "az",
                ["type"] = "azure",
                ["baseUrl"] = Resource.BaseUrl,
                ["apiKey"] = "env:AZURE_OPENAI_KEY",
                ["apiVersion"] = ApiVersion,
                ["retries"] = 0,
            });
            providers.Add(new JsonObject
            {
                ["name"] = "az-v1",
                ["type"] = "azure",
                ["baseUrl"] = Resource.BaseUrl + "/openai/v1",
                ["auth"] = new JsonObject
                {
                    ["kind"] = "entra",
                    ["tenantId"] = Tenant,
                    ["clientId"] = Client,
                    ["clientSecret"] = "env:AZURE_CLIENT_SECRET",
                    ["authorityHost"] = Entra.AuthorityHost,
                },
                ["retries"] = 0,
            });
            var pricing = new JsonObject { ["inputPerMTok"] = 2.5, ["cachedInputPerMTok"] = 1.25, ["outputPerMTok"] = 10 };
            var models = config["models"]!.AsArray();
            models.Add(new JsonObject { ["id"] = KeyChat, ["provider"] = "az", ["model"] = ChatDeployment, ["pricing"] = pricing.DeepClone() });
            models.Add(new JsonObject { ["id"] = KeyResponses, ["provider"] = "az", ["model"] = ResponsesDeployment, ["api"] = "responses" });
            models.Add(new JsonObject { ["id"] = EntraChat, ["provider"] = "az-v1", ["model"] = ChatDeployment });
            models.Add(new JsonObject { ["id"] = EntraResponses, ["provider"] = "az-v1", ["model"] = ResponsesDeployment, ["api"] = "responses", ["pricing"] = pricing.DeepClone() });
        }, environment: GatewayEnvironment(), credentialClock: GatewayInstance.InProcess ? Clock : null, identityHandler: GatewayInstance.InProcess ? Entra.CreateTrustingHandler : null);
    }

    /// <summary>
    /// The secrets the configuration names; a gateway in a process of its own trusts the fake
    /// authority's certificate through OpenSSL's root file (<c>SSL_CERT_FILE</c>) instead of a handler.
    /// </summary>
    private Dictionary<string, string> GatewayEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["AZURE_OPENAI_KEY"] = ResourceKey,
            ["AZURE_CLIENT_SECRET"] = Secret,
        };
        if (!GatewayInstance.InProcess)
        {
            _roots = Path.Combine(Path.GetTempPath(), $"switchyard-entra-{Guid.NewGuid():N}.pem");
            File.WriteAllText(_roots, Entra.Certificate.ExportCertificatePem());
            environment["SSL_CERT_FILE"] = _roots;
        }

        return environment;
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Resource.DisposeAsync();
        await Entra.DisposeAsync();
        if (_roots is not null)
        {
            File.Delete(_roots);
        }
    }
}
