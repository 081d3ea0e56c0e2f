using Azure.Core.Pipeline;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Providers;
using Switchyard.Providers.Azure;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Azure;

public sealed class AzureSignerTests
{
    private const string Tenant = "7f3c2b1a-0d4e-4c5b-9a8f-123456789abc";
    private const string Client = "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    private const string Secret = "s3cr3t~value.for-tests";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sends_the_api_key_to_a_deployment_url_with_its_api_version()
    {
        await using var azure = await FakeAzureOpenAI.StartAsync(["gpt4o"], apiKey: "azure-key-123");
        var options = new AzureOptions { BaseUrl = azure.BaseUrl + "/openai", ApiKey = "env:AZ_KEY", ApiVersion = "2024-10-21" };
        using var signer = AzureCredentials.CreateSigner(options, Env(("AZ_KEY", "azure-key-123")), TimeProvider.System);

        using var response = await SendAsync(signer, AzureUrls.ChatCompletions(options, "gpt4o"), """{"messages":[{"role":"user","content":"Hi"}]}""");

        Assert.Equal(200, (int)response.StatusCode);
        var recorded = Assert.Single(azure.Requests);
        Assert.Equal("/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21", recorded.RawTarget);
        Assert.Equal("azure-key-123", recorded.Header("api-key"));
        Assert.Null(recorded.Header("authorization"));
    }

    [Fact]
    public async Task Uses_the_v1_api_with_the_deployment_in_the_body_when_no_version_is_set()
    {
        await using var azure = await FakeAzureOpenAI.StartAsync(["gpt4o"], apiKey: "azure-key-123");
        var options = new AzureOptions { BaseUrl = azure.BaseUrl + "/", ApiKey = "azure-key-123" };
        using var signer = AzureCredentials.CreateSigner(options, Env(), TimeProvider.System);

        using var response = await SendAsync(signer, AzureUrls.ChatCompletions(options, "gpt4o"), """{"model":"gpt4o","messages":[]}""");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("/openai/v1/chat/completions", Assert.Single(azure.Requests).RawTarget);
        Assert.Equal(new Uri(azure.BaseUrl + "/openai/v1/responses"), AzureUrls.Responses(options));
    }

    [Fact]
    public async Task A_wrong_api_key_is_refused_by_the_fake()
    {
        await using var azure = await FakeAzureOpenAI.StartAsync(["gpt4o"], apiKey: "azure-key-123");
        var options = new AzureOptions { BaseUrl = azure.BaseUrl, ApiKey = "not-the-key", ApiVersion = "2024-10-21" };
        using var signer = AzureCredentials.CreateSigner(options, Env(), TimeProvider.System);

        using var response = await SendAsync(signer, AzureUrls.ChatCompletions(options, "gpt4o"), "{}");

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task Gets_an_entra_token_keeps_it_while_fresh_and_renews_it_before_it_expires()
    {
        // Token expiry times come from MSAL's clock, which is the real one.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var entra = await FakeEntraTokenEndpoint.StartAsync(clock, Tenant, Client, clientSecret: Secret);
        await using var azure = await FakeAzureOpenAI.StartAsync(["gpt4o"], entra: entra);
        var options = EntraOptions(azure.BaseUrl, entra, "env:AZ_SECRET");
        using var signer = AzureCredentials.CreateSigner(options, Env(("AZ_SECRET", Secret)), clock, o => Trust(o, entra));
        var url = AzureUrls.ChatCompletions(options, "gpt4o");

        using var first = await SendAsync(signer, url, "{}");
        clock.Advance(TimeSpan.FromSeconds(30));
        using var second = await SendAsync(signer, url, "{}");
        var issuedBeforeRenewal = entra.Issued;
        clock.Advance(TimeSpan.FromSeconds(40));
        using var third = await SendAsync(signer, url, "{}");

        Assert.Equal([200, 200, 200], new[] { first, second, third }.Select(r => (int)r.StatusCode));
        Assert.Equal(1, issuedBeforeRenewal);
        Assert.Equal(2, entra.Issued);
        var tokens = azure.Requests.Select(r => r.Header("authorization")).ToList();
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
        Assert.All(tokens, t => Assert.StartsWith("Bearer entra-", t, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_fake_refuses_a_token_once_it_expired()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var entra = await FakeEntraTokenEndpoint.StartAsync(clock, Tenant, Client, clientSecret: Secret);
        await using var azure = await FakeAzureOpenAI.StartAsync(["gpt4o"], entra: entra);
        var options = EntraOptions(azure.BaseUrl, entra, Secret);
        using var signer = AzureCredentials.CreateSigner(options, Env(), clock, o => Trust(o, entra));
        using var request = new HttpRequestMessage(HttpMethod.Post, AzureUrls.ChatCompletions(options, "gpt4o")) { Content = new StringContent("{}") };
        await signer.SignAsync(request, Array.Empty<byte>(), Token);

        clock.Advance(entra.TokenLifetime);
        using var client = new HttpClient();
        using var response = await client.SendAsync(request, Token);

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_wrong_client_secret_fails_as_missing_upstream_credentials_without_the_secret_in_the_message()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var entra = await FakeEntraTokenEndpoint.StartAsync(clock, Tenant, Client, clientSecret: Secret);
        var options = EntraOptions("https://resource.openai.azure.com", entra, "wrong-secret-value");
        using var signer = AzureCredentials.CreateSigner(options, Env(), clock, o => Trust(o, entra));
        using var request = new HttpRequestMessage(HttpMethod.Post, AzureUrls.ChatCompletions(options, "gpt4o"));

        var error = await Assert.ThrowsAsync<UpstreamCredentialsException>(() => signer.SignAsync(request, Array.Empty<byte>(), Token).AsTask());

        Assert.DoesNotContain("wrong-secret-value", error.Message, StringComparison.Ordinal);
        Assert.Contains(entra.Requests, r => r.Path == $"/{Tenant}/oauth2/v2.0/token");
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task Workload_identity_presents_the_federated_token_file_as_its_assertion()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var federated = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6YWk6Z2F0ZXdheSJ9.c2lnbmF0dXJl";
        var tokenFile = Path.Combine(Path.GetTempPath(), $"switchyard-federated-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(tokenFile, federated, Token);
        try
        {
            await using var entra = await FakeEntraTokenEndpoint.StartAsync(clock, Tenant, Client, federatedToken: federated);
            await using var azure = await FakeAzureOpenAI.StartAsync(["gpt4o"], entra: entra);
            var options = new AzureOptions
            {
                BaseUrl = azure.BaseUrl,
                ApiVersion = "2025-04-01-preview",
                Auth = new AzureAuthOptions { Kind = AzureAuthOptions.WorkloadIdentity, AuthorityHost = entra.AuthorityHost },
            };
            var environment = Env(("AZURE_TENANT_ID", Tenant), ("AZURE_CLIENT_ID", Client), ("AZURE_FEDERATED_TOKEN_FILE", tokenFile));
            using var signer = AzureCredentials.CreateSigner(options, environment, clock, o => Trust(o, entra));

            using var response = await SendAsync(signer, AzureUrls.ChatCompletions(options, "gpt4o"), "{}");

            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(1, entra.Issued);
        }
        finally
        {
            File.Delete(tokenFile);
        }
    }

    private static AzureOptions EntraOptions(string baseUrl, FakeEntraTokenEndpoint entra, string secret) => new()
    {
        BaseUrl = baseUrl,
        ApiVersion = "2024-10-21",
        Auth = new AzureAuthOptions { Kind = AzureAuthOptions.Entra, TenantId = Tenant, ClientId = Client, ClientSecret = secret, AuthorityHost = entra.AuthorityHost },
    };

    private static void Trust(global::Azure.Identity.TokenCredentialOptions options, FakeEntraTokenEndpoint entra)
    {
        options.Transport = new HttpClientTransport(entra.CreateTrustingHandler());
        options.Retry.MaxRetries = 0;
    }

    private static Task<HttpResponseMessage> SendAsync(AzureSigner signer, Uri url, string body) =>
        SignedRequests.SendAsync(signer, url, body, Token);

    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
