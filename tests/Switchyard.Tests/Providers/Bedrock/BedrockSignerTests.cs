using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Dialects;
using Switchyard.Dialects.Bedrock;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Json;
using Switchyard.Providers;
using Switchyard.Providers.Bedrock;
using Switchyard.Tests.Infrastructure.Clouds;

namespace Switchyard.Tests.Providers.Bedrock;

public sealed class BedrockSignerTests
{
    private const string Claude = "anthropic.claude-3-5-sonnet-20240620-v1:0";
    private const string Profile = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private const string AccessKeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string SessionToken = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+session";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signs_a_converse_call_for_a_model_id_with_a_colon_that_the_fake_verifies()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bedrock = await Fake(clock);
        var options = new BedrockOptions { Region = "us-east-1", AccessKeyId = "env:AK", SecretAccessKey = "env:SK", SessionToken = "env:ST", BaseUrl = bedrock.BaseUrl };
        var signer = BedrockSigners.Create(options, Env(("AK", AccessKeyId), ("SK", Secret), ("ST", SessionToken)), clock);

        using var response = await SendConverseAsync(signer, BedrockUrls.Converse(options.EndpointUrl, Claude));

        Assert.Equal(200, (int)response.StatusCode);
        var answer = ConverseDialect.Instance.ReadResponse(await response.Content.ReadAsByteArrayAsync(Token));
        Assert.Equal([new TextPart("Hello from Bedrock.")], answer.Parts);
        var recorded = Assert.Single(bedrock.Requests);
        Assert.Equal("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", recorded.RawTarget);
        Assert.Equal(SessionToken, recorded.Header("x-amz-security-token"));
        Assert.Equal(SigV4.PayloadHash(recorded.Body), recorded.Header("x-amz-content-sha256"));
        Assert.Contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,", recorded.Header("authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signs_a_cross_region_inference_profile_arn_as_one_path_label()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bedrock = await Fake(clock);
        var options = new BedrockOptions { Region = "us-east-1", AccessKeyId = AccessKeyId, SecretAccessKey = Secret, SessionToken = SessionToken, BaseUrl = bedrock.BaseUrl };
        var signer = BedrockSigners.Create(options, Env(), clock);

        using var response = await SendConverseAsync(signer, BedrockUrls.Converse(options.EndpointUrl, Profile));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.", Assert.Single(bedrock.Requests).RawTarget, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_is_refused_with_aws_s_signature_error()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bedrock = await Fake(clock);
        var options = new BedrockOptions { Region = "us-east-1", AccessKeyId = AccessKeyId, SecretAccessKey = "not-the-secret", SessionToken = SessionToken, BaseUrl = bedrock.BaseUrl };
        var signer = BedrockSigners.Create(options, Env(), clock);

        using var response = await SendConverseAsync(signer, BedrockUrls.Converse(options.EndpointUrl, Claude));

        Assert.Equal(403, (int)response.StatusCode);
        var errorType = response.Headers.GetValues(BedrockErrors.ErrorTypeHeader).Single();
        var error = ConverseDialect.Instance.ReadError(403, _ => errorType, await response.Content.ReadAsByteArrayAsync(Token));
        Assert.StartsWith("InvalidSignatureException", errorType, StringComparison.Ordinal);
        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.False(error.AllowsFailover);
    }

    [Fact]
    public async Task A_signature_from_a_clock_ten_minutes_off_is_refused()
    {
        var now = DateTimeOffset.UtcNow;
        await using var bedrock = await Fake(new FakeTimeProvider(now));
        var options = new BedrockOptions { Region = "us-east-1", AccessKeyId = AccessKeyId, SecretAccessKey = Secret, SessionToken = SessionToken, BaseUrl = bedrock.BaseUrl };
        var signer = BedrockSigners.Create(options, Env(), new FakeTimeProvider(now.AddMinutes(-10)));

        using var response = await SendConverseAsync(signer, BedrockUrls.Converse(options.EndpointUrl, Claude));

        Assert.Equal(403, (int)response.StatusCode);
        Assert.Contains("Signature expired", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signature_for_another_region_is_refused()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bedrock = await Fake(clock);
        var options = new BedrockOptions { Region = "eu-west-1", AccessKeyId = AccessKeyId, SecretAccessKey = Secret, SessionToken = SessionToken, BaseUrl = bedrock.BaseUrl };
        var signer = BedrockSigners.Create(options, Env(), clock);

        using var response = await SendConverseAsync(signer, BedrockUrls.Converse(options.EndpointUrl, Claude));

        Assert.Equal(403, (int)response.StatusCode);
    }

    [Fact]
    public async Task Streams_converse_stream_frames_through_the_framing_into_neutral_events()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bedrock = await Fake(clock);
        var options = new BedrockOptions { Region = "us-east-1", AccessKeyId = AccessKeyId, SecretAccessKey = Secret, SessionToken = SessionToken, BaseUrl = bedrock.BaseUrl };
        var signer = BedrockSigners.Create(options, Env(), clock);

        using var response = await SendConverseAsync(signer, BedrockUrls.ConverseStream(options.EndpointUrl, Claude));
        await using var body = await response.Content.ReadAsStreamAsync(Token);
        var events = await ConverseDialect.Instance.ReadStream(AwsEventStreamReader.ReadAsync(body, Token), Token).ToListAsync(Token);

        Assert.Equal("application/vnd.amazon.eventstream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["Hello", " from Bedrock."], events.OfType<TextDelta>().Select(d => d.Text));
        var completed = Assert.IsType<ResponseCompleted>(events[^1]);
        Assert.Equal(new Usage { InputTokens = 12, OutputTokens = 4 }, completed.Usage);
        Assert.Equal("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream", Assert.Single(bedrock.Requests).RawTarget);
    }

    [Fact]
    public async Task Sends_a_bedrock_api_key_as_a_bearer_token_instead_of_signing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var bedrock = await Fake(clock);
        bedrock.AddApiKey("ABSKQmVkcm9ja0FQSUtleS1example");
        var good = BedrockSigners.Create(new BedrockOptions { Region = "us-east-1", ApiKey = "env:BEDROCK_KEY" }, Env(("BEDROCK_KEY", "ABSKQmVkcm9ja0FQSUtleS1example")), clock);
        var bad = BedrockSigners.Create(new BedrockOptions { Region = "us-east-1", ApiKey = "ABSK-wrong" }, Env(), clock);
        var url = BedrockUrls.Converse(bedrock.BaseUrl, Claude);

        using var accepted = await SendConverseAsync(good, url);
        using var refused = await SendConverseAsync(bad, url);

        Assert.Equal((200, 403), ((int)accepted.StatusCode, (int)refused.StatusCode));
        Assert.Equal("Bearer ABSKQmVkcm9ja0FQSUtleS1example", bedrock.Requests.First().Header("authorization"));
        Assert.Null(bedrock.Requests.First().Header("x-amz-date"));
    }

    [Fact]
    public void Builds_the_regional_endpoint_unless_base_url_overrides_it()
    {
        Assert.Equal("https://bedrock-runtime.eu-central-1.amazonaws.com", new BedrockOptions { Region = "eu-central-1" }.EndpointUrl);
        Assert.Equal("https://vpce-0a1b.bedrock-runtime.us-east-1.vpce.amazonaws.com", new BedrockOptions { Region = "us-east-1", BaseUrl = "https://vpce-0a1b.bedrock-runtime.us-east-1.vpce.amazonaws.com/" }.EndpointUrl);
        Assert.Equal(
            "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream",
            BedrockUrls.InvokeWithResponseStream("https://bedrock-runtime.us-east-1.amazonaws.com", Claude).AbsoluteUri);
    }

    internal static async Task<FakeBedrockRuntime> Fake(TimeProvider clock)
    {
        var bedrock = await FakeBedrockRuntime.StartAsync("us-east-1", clock);
        bedrock.AddAccessKey(AccessKeyId, Secret, SessionToken);
        bedrock.Models.Add(Claude);
        bedrock.Models.Add(Profile);
        return bedrock;
    }

    internal static Task<HttpResponseMessage> SendConverseAsync(IUpstreamSigner signer, Uri url)
    {
        var request = new ChatRequest { Model = "claude", Messages = [ChatMessage.FromText(Role.User, "Hi")] };
        using var body = new PooledBufferWriter();
        ConverseDialect.Instance.WriteRequest(request, Claude, body);
        return SignedRequests.SendAsync(signer, url, Encoding.UTF8.GetString(body.WrittenSpan), Token);
    }

    internal static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
