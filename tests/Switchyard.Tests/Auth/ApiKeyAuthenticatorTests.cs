using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Auth;
using Switchyard.Storage;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Auth;

/// <summary>Keys from the configuration file and from the store, with their allow-lists, expiry and revocation.</summary>
public sealed class ApiKeyAuthenticatorTests
{
    private const string EchoRequest = """{"model":"echo","messages":[{"role":"user","content":"hi"}]}""";

    [Fact]
    public async Task Refuses_an_expired_configured_key_with_401()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["keys"]!.AsArray().Add(new JsonObject
            {
                ["key"] = "sk-test-expired-0123456789",
                ["name"] = "expired",
                ["expiresAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O"),
            }));
        using var http = gateway.HttpClient("sk-test-expired-0123456789");

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(EchoRequest), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
    }

    [Fact]
    public async Task Accepts_a_configured_key_before_it_expires()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream, config =>
            config["keys"]!.AsArray().Add(new JsonObject
            {
                ["key"] = "sk-test-expiring-0123456789",
                ["name"] = "expiring",
                ["expiresAt"] = DateTimeOffset.UtcNow.AddDays(1).ToString("O"),
            }));
        using var http = gateway.HttpClient("sk-test-expiring-0123456789");

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(EchoRequest), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Accepts_a_stored_key_within_its_allow_list()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var secret = await StoreKeyAsync(gateway, allowedModels: ["echo"]);
        using var http = gateway.HttpClient(secret);

        using var allowed = await http.PostAsync("/v1/chat/completions", Requests.Json(EchoRequest), TestContext.Current.CancellationToken);
        using var refused = await http.PostAsync("/v1/chat/completions", Requests.Json("""{"model":"gpt-test","messages":[{"role":"user","content":"hi"}]}"""), TestContext.Current.CancellationToken);
        var listing = await http.GetFromJsonAsync<JsonObject>("/v1/models", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        await OpenAIErrorAssert.ReadAsync(refused, HttpStatusCode.Forbidden, "permission_error", "model_not_allowed");
        Assert.Equal(["echo"], listing!["data"]!.AsArray().Select(m => (string?)m!["id"]));
    }

    [Fact]
    public async Task Refuses_a_revoked_stored_key_with_401()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var store = gateway.Services.GetRequiredService<IKeyStore>();
        var (record, secret) = KeyIssuer.Create("revoked", null, null, null, null, null, null, DateTimeOffset.UtcNow);
        await store.InsertAsync(record, TestContext.Current.CancellationToken);
        await store.RevokeAsync(record.Id, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);
        using var http = gateway.HttpClient(secret);

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(EchoRequest), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
    }

    [Fact]
    public async Task Refuses_an_expired_stored_key_with_401()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var secret = await StoreKeyAsync(gateway, allowedModels: null, expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1));
        using var http = gateway.HttpClient(secret);

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(EchoRequest), TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
    }

    [Fact]
    public async Task Keeps_only_the_hash_of_a_stored_key()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var secret = await StoreKeyAsync(gateway, allowedModels: null);
        using var http = gateway.HttpClient(secret);

        using var response = await http.PostAsync("/v1/chat/completions", Requests.Json(EchoRequest), TestContext.Current.CancellationToken);
        // The ledger spool is held locked by the gateway; it keeps ledger rows, which carry no secrets.
        var stored = Directory.GetFiles(gateway.Directory, "switchyard.db*")
            .Where(path => !path.EndsWith(".spool", StringComparison.Ordinal))
            .SelectMany(path => ReadShared(path))
            .ToArray();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(Contains(stored, KeyHasher.Hash(secret)), "the key's hash is in the store");
        Assert.False(Contains(stored, secret));
        Assert.False(Contains(stored, GatewayInstance.UserKey));
        Assert.False(Contains(stored, GatewayInstance.MasterKey));
    }

    private static bool Contains(byte[] haystack, string text) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    /// <summary>A file's bytes while the gateway still holds it open.</summary>
    private static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }

    private static async Task<string> StoreKeyAsync(GatewayInstance gateway, IReadOnlyList<string>? allowedModels, DateTimeOffset? expiresAt = null)
    {
        var (record, secret) = KeyIssuer.Create("stored", allowedModels, null, null, null, null, expiresAt, DateTimeOffset.UtcNow);
        await gateway.Services.GetRequiredService<IKeyStore>().InsertAsync(record, TestContext.Current.CancellationToken);
        return secret;
    }
}
