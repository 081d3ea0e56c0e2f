using System.Net;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Auth;

/// <summary>Every auth form of docs/surfaces.md.</summary>
public sealed class CredentialReaderTests
{
    [Theory]
    [InlineData("/v1/models", "Authorization", "Bearer " + GatewayInstance.UserKey)]
    [InlineData("/v1/models", "x-api-key", GatewayInstance.UserKey)]
    [InlineData("/v1/models", "x-goog-api-key", GatewayInstance.UserKey)]
    [InlineData("/v1beta/openai/models?key=" + GatewayInstance.UserKey, null, null)]
    public async Task Accepts_every_auth_form(string path, string? header, string? value)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient(key: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ignores_a_query_key_outside_gemini_paths()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        using var http = gateway.HttpClient(key: null);

        using var response = await http.GetAsync("/v1/models?key=" + GatewayInstance.UserKey, TestContext.Current.CancellationToken);

        await OpenAIErrorAssert.ReadAsync(response, HttpStatusCode.Unauthorized, "authentication_error", "invalid_api_key");
    }
}
