using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Providers;
using Switchyard.Providers.Vertex;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Vertex;

public sealed class VertexSignerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Gets_a_token_from_the_key_file_s_own_token_uri_keeps_it_and_renews_it_before_it_expires()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var rig = await Rig.StartAsync(clock, "us-central1");
        var (oauth, vertex, options) = (rig.OAuth, rig.Vertex, rig.Options);
        using var signer = VertexSigner.Create(options, clock);
        var url = VertexUrls.GenerateContent(options, "gemini-2.5-pro");

        using var first = await SendAsync(signer, url, """{"contents":[{"role":"user","parts":[{"text":"Hi"}]}]}""");
        clock.Advance(TimeSpan.FromMinutes(50));
        using var second = await SendAsync(signer, url, "{}");
        var issuedBeforeRenewal = oauth.Issued;
        // Google.Apis.Auth renews in the background in the last minutes and blocks for a new token in the last one.
        clock.Advance(TimeSpan.FromMinutes(9.5));
        using var third = await SendAsync(signer, url, "{}");

        Assert.Equal([200, 200, 200], new[] { first, second, third }.Select(r => (int)r.StatusCode));
        Assert.Equal(1, issuedBeforeRenewal);
        Assert.Equal(2, oauth.Issued);
        var tokens = vertex.Requests.Select(r => r.Header("authorization")).ToList();
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
        Assert.Equal("/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent", vertex.Requests.First().RawTarget);
    }

    [Fact]
    public async Task The_fake_refuses_a_token_once_it_expired()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var rig = await Rig.StartAsync(clock, "us-central1");
        var (oauth, vertex, options) = (rig.OAuth, rig.Vertex, rig.Options);
        using var signer = VertexSigner.Create(options, clock);
        using var request = new HttpRequestMessage(HttpMethod.Post, VertexUrls.GenerateContent(options, "gemini-2.5-pro")) { Content = new StringContent("{}") };
        await signer.SignAsync(request, Array.Empty<byte>(), Token);

        clock.Advance(oauth.TokenLifetime);
        using var client = new HttpClient();
        using var response = await client.SendAsync(request, Token);

        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_key_file_whose_private_key_is_not_the_account_s_gets_no_token()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var oauth = await FakeGoogleOAuth.StartAsync(clock);
        using var otherKey = RSA.Create(2048);
        using var key = ServiceAccountKey.Create(oauth.TokenUri, signingKey: otherKey);
        oauth.Account = (key.ClientEmail, key.Key);
        var options = new VertexOptions { Project = "my-project", Location = "us-central1", CredentialsFile = key.FilePath };
        using var signer = VertexSigner.Create(options, clock);
        using var request = new HttpRequestMessage(HttpMethod.Post, VertexUrls.GenerateContent(options, "gemini-2.5-pro"));

        await Assert.ThrowsAsync<UpstreamCredentialsException>(() => signer.SignAsync(request, Array.Empty<byte>(), Token).AsTask());

        Assert.Equal(0, oauth.Issued);
        Assert.NotEmpty(oauth.Requests);
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task Reaches_anthropic_models_by_raw_predict_with_their_version_in_the_path()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var rig = await Rig.StartAsync(clock, "us-east5");
        var (vertex, options) = (rig.Vertex, rig.Options);
        using var signer = VertexSigner.Create(options, clock);
        var body = $$"""{"anthropic_version":"{{VertexUrls.AnthropicVersion}}","max_tokens":64,"messages":[{"role":"user","content":"Hi"}],"stream":true}""";

        using var response = await SendAsync(signer, VertexUrls.StreamRawPredict(options, "claude-sonnet-4-5@20250929"), body);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("message_start", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(
            "/v1/projects/my-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict",
            Assert.Single(vertex.Requests).RawTarget);
    }

    [Fact]
    public async Task A_missing_key_file_fails_as_missing_upstream_credentials()
    {
        var options = new VertexOptions { Project = "my-project", Location = "us-central1", CredentialsFile = "/nonexistent/switchyard/sa.json" };
        using var signer = VertexSigner.Create(options, TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Post, VertexUrls.GenerateContent(options, "gemini-2.5-pro"));

        var error = await Assert.ThrowsAsync<UpstreamCredentialsException>(() => signer.SignAsync(request, Array.Empty<byte>(), Token).AsTask());

        Assert.Contains("credentialsFile", error.Message, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> SendAsync(VertexSigner signer, Uri url, string body) => SignedRequests.SendAsync(signer, url, body, Token);

    /// <summary>A fake OAuth endpoint, a key file whose token_uri points at it, and a fake Vertex trusting its tokens.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private readonly ServiceAccountKey _key;

        private Rig(FakeGoogleOAuth oauth, ServiceAccountKey key, FakeVertex vertex)
        {
            OAuth = oauth;
            _key = key;
            Vertex = vertex;
            Options = new VertexOptions { Project = vertex.Project, Location = vertex.Location, CredentialsFile = key.FilePath, BaseUrl = vertex.BaseUrl };
        }

        public FakeGoogleOAuth OAuth { get; }

        public FakeVertex Vertex { get; }

        public VertexOptions Options { get; }

        public static async Task<Rig> StartAsync(TimeProvider clock, string location)
        {
            var oauth = await FakeGoogleOAuth.StartAsync(clock);
            var key = ServiceAccountKey.Create(oauth.TokenUri);
            oauth.Account = (key.ClientEmail, key.Key);
            return new Rig(oauth, key, await FakeVertex.StartAsync("my-project", location, oauth));
        }

        public async ValueTask DisposeAsync()
        {
            await Vertex.DisposeAsync();
            await OAuth.DisposeAsync();
            _key.Dispose();
        }
    }
}
