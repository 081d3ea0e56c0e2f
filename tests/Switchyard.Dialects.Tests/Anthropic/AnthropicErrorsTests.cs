using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Anthropic;

public sealed class AnthropicErrorsTests
{
    // docs/behaviour.md with Anthropic's own type names (https://docs.anthropic.com/en/api/errors).
    [Theory]
    [InlineData(GatewayErrorKind.InvalidRequest, 400, "invalid_request_error")]
    [InlineData(GatewayErrorKind.Unauthenticated, 401, "authentication_error")]
    [InlineData(GatewayErrorKind.CreditExhausted, 402, "billing_error")]
    [InlineData(GatewayErrorKind.ModelNotAllowed, 403, "permission_error")]
    [InlineData(GatewayErrorKind.ModelNotFound, 404, "not_found_error")]
    [InlineData(GatewayErrorKind.NotFound, 404, "not_found_error")]
    [InlineData(GatewayErrorKind.PayloadTooLarge, 413, "request_too_large")]
    [InlineData(GatewayErrorKind.Unprocessable, 422, "invalid_request_error")]
    [InlineData(GatewayErrorKind.RateLimited, 429, "rate_limit_error")]
    [InlineData(GatewayErrorKind.Internal, 500, "api_error")]
    [InlineData(GatewayErrorKind.UpstreamFailed, 502, "api_error")]
    [InlineData(GatewayErrorKind.AllDeploymentsBusy, 503, "overloaded_error")]
    [InlineData(GatewayErrorKind.UpstreamTimeout, 504, "timeout_error")]
    public void Writes_the_anthropic_envelope_with_the_contracts_status(GatewayErrorKind kind, int status, string type)
    {
        var error = new GatewayError(kind, "Something happened.");

        var envelope = Write(error);

        Assert.Equal(status, AnthropicMessagesDialect.Instance.StatusOf(error));
        JsonAssert.Equal(
            new JsonObject
            {
                ["type"] = "error",
                ["error"] = new JsonObject { ["type"] = type, ["message"] = "Something happened." },
            },
            envelope);
    }

    [Fact]
    public void Writes_the_same_envelope_through_the_dialect()
    {
        var error = GatewayError.InvalidRequest("max_tokens: Field required", "max_tokens");
        var output = new ArrayBufferWriter<byte>();

        AnthropicMessagesDialect.Instance.WriteError(error, output);

        JsonAssert.Equal(Write(error), JsonAssert.Parse(output.WrittenSpan));
    }

    [Fact]
    public void Adds_the_request_id_when_given()
    {
        var output = new ArrayBufferWriter<byte>();

        AnthropicErrors.Write(new GatewayError(GatewayErrorKind.RateLimited, "Slow down."), output, requestId: "req_011CSHoEeqs5C35K2UUqR7Fy");

        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"error","error":{"type":"rate_limit_error","message":"Slow down."},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"""),
            JsonAssert.Parse(output.WrittenSpan));
    }

    [Fact]
    public void Reads_a_529_overloaded_error_as_an_upstream_failure_that_allows_failover()
    {
        var body = """{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"""u8.ToArray();

        var error = AnthropicMessagesDialect.Instance.ReadError(529, body);

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.True(error.AllowsFailover);
        Assert.Equal(529, error.UpstreamStatus);
        Assert.Equal("Overloaded", error.Message);
        Assert.Equal("upstream_error", error.Code);
        Assert.Equal(502, error.Status);
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "messages.1.content.0.tool_result: unexpected tool_use_id", GatewayErrorKind.InvalidRequest, false)]
    [InlineData(404, "not_found_error", "model: claude-3-opus-20240229", GatewayErrorKind.NotFound, false)]
    [InlineData(413, "request_too_large", "Request exceeds the maximum allowed number of bytes.", GatewayErrorKind.PayloadTooLarge, false)]
    [InlineData(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", GatewayErrorKind.RateLimited, true)]
    [InlineData(500, "api_error", "Internal server error", GatewayErrorKind.UpstreamFailed, true)]
    [InlineData(200, "overloaded_error", "Overloaded", GatewayErrorKind.UpstreamFailed, true)]
    public void Reads_anthropic_error_bodies(int status, string type, string message, GatewayErrorKind kind, bool failover)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"type":"error","error":{"type":"{{{type}}}","message":"{{{message}}}"}}""");

        var error = AnthropicErrors.Read(status, body);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(failover, error.AllowsFailover);
        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData(401, "authentication_error")]
    [InlineData(403, "permission_error")]
    public void Hides_the_upstreams_refusal_of_the_gateways_own_key(int status, string type)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"type":"error","error":{"type":"{{{type}}}","message":"invalid x-api-key sk-ant-api03-AbCdEf123456"}}""");

        var error = AnthropicErrors.Read(status, body);

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.False(error.AllowsFailover);
        Assert.DoesNotContain("sk-ant", error.Message, StringComparison.Ordinal);
        Assert.Equal("The upstream refused the gateway's credentials.", error.Message);
    }

    [Fact]
    public void Scrubs_keys_and_addresses_from_the_upstreams_message()
    {
        var body = """{"type":"error","error":{"type":"invalid_request_error","message":"bad key sk-ant-api03-AbCdEf123456 from 10.2.3.4:443, see https://docs.anthropic.com/en/api/errors"}}"""u8.ToArray();

        var error = AnthropicErrors.Read(400, body);

        Assert.Equal("bad key [redacted] from [address], see [address]", error.Message);
    }

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("""{"error":"Overloaded"}""")]
    public void Reads_a_body_that_is_not_anthropics_envelope_by_its_status_alone(string body)
    {
        var error = AnthropicErrors.Read(503, Encoding.UTF8.GetBytes(body));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.Equal("The upstream failed.", error.Message);
        Assert.True(error.AllowsFailover);
        Assert.Equal(503, error.UpstreamStatus);
    }

    private static JsonNode Write(GatewayError error)
    {
        var output = new ArrayBufferWriter<byte>();
        AnthropicErrors.Write(error, output);
        return JsonAssert.Parse(output.WrittenSpan);
    }
}
