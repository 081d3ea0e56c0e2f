using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.OpenAI;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.OpenAI;

public sealed class OpenAIErrorsTests
{
    // docs/behaviour.md: status, OpenAI type and code per kind.
    [Theory]
    [InlineData(GatewayErrorKind.InvalidRequest, 400, "invalid_request_error", null)]
    [InlineData(GatewayErrorKind.Unauthenticated, 401, "authentication_error", "invalid_api_key")]
    [InlineData(GatewayErrorKind.CreditExhausted, 402, "insufficient_quota", "insufficient_quota")]
    [InlineData(GatewayErrorKind.ModelNotAllowed, 403, "permission_error", "model_not_allowed")]
    [InlineData(GatewayErrorKind.ModelNotFound, 404, "not_found_error", "model_not_found")]
    [InlineData(GatewayErrorKind.NotFound, 404, "not_found_error", null)]
    [InlineData(GatewayErrorKind.PayloadTooLarge, 413, "invalid_request_error", "request_too_large")]
    [InlineData(GatewayErrorKind.Unprocessable, 422, "invalid_request_error", null)]
    [InlineData(GatewayErrorKind.RateLimited, 429, "rate_limit_error", "rate_limit_exceeded")]
    [InlineData(GatewayErrorKind.Internal, 500, "server_error", null)]
    [InlineData(GatewayErrorKind.UpstreamFailed, 502, "server_error", "upstream_error")]
    [InlineData(GatewayErrorKind.AllDeploymentsBusy, 503, "server_error", "overloaded")]
    [InlineData(GatewayErrorKind.UpstreamTimeout, 504, "server_error", "upstream_timeout")]
    public void Writes_the_envelope_with_the_contracts_status_type_and_code(GatewayErrorKind kind, int status, string type, string? code)
    {
        var error = new GatewayError(kind, "Something happened.");

        var envelope = Write(error);

        Assert.Equal(status, error.Status);
        Assert.Equal(status, ChatCompletionsDialect.Instance.StatusOf(error));
        JsonAssert.Equal(
            new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["message"] = "Something happened.",
                    ["type"] = type,
                    ["param"] = null,
                    ["code"] = code,
                },
            },
            envelope);
    }

    [Fact]
    public void Names_the_parameter_and_keeps_an_explicit_code()
    {
        var error = new GatewayError(GatewayErrorKind.Unprocessable, "'response_format.json_schema.schema' must be a JSON Schema object.")
        {
            Param = "response_format.json_schema.schema",
            Code = "invalid_json_schema",
        };

        var envelope = Write(error);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"error":{"message":"'response_format.json_schema.schema' must be a JSON Schema object.","type":"invalid_request_error",
                          "param":"response_format.json_schema.schema","code":"invalid_json_schema"}}
                """),
            envelope);
    }

    [Fact]
    public void Writes_the_same_envelope_through_the_dialect()
    {
        var error = GatewayError.InvalidRequest("'model' is required.", "model");
        var output = new ArrayBufferWriter<byte>();

        ChatCompletionsDialect.Instance.WriteError(error, output);

        JsonAssert.Equal(Write(error), JsonAssert.Parse(output.WrittenSpan));
    }

    [Fact]
    public void Reads_an_openai_error_body_scrubbing_its_message()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"error":{"message":"Invalid 'messages[1].content': see https://platform.openai.com/docs (key sk-proj-AbC123dEf456GhI789)","type":"invalid_request_error","param":"messages[1].content","code":null}}
            """);

        var error = ChatCompletionsDialect.Instance.ReadError(400, body);

        Assert.Equal(GatewayErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("Invalid 'messages[1].content': see [address] (key [redacted])", error.Message);
        Assert.False(error.AllowsFailover);
    }

    [Theory]
    [InlineData("""{"error":"model overloaded"}""", "model overloaded")]
    [InlineData("""{"message":"Service Unavailable"}""", "Service Unavailable")]
    [InlineData("""{"detail":"nothing we know"}""", "The upstream failed.")]
    [InlineData("<html><body>502 Bad Gateway</body></html>", "The upstream failed.")]
    [InlineData("", "The upstream failed.")]
    public void Reads_what_it_can_from_other_error_bodies(string body, string message)
    {
        var error = OpenAIErrors.Read(503, Encoding.UTF8.GetBytes(body));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.Equal(message, error.Message);
        Assert.True(error.AllowsFailover);
        Assert.Equal(503, error.UpstreamStatus);
    }

    [Fact]
    public void Reads_a_rate_limit_as_retryable()
    {
        var body = """{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}"""u8.ToArray();

        var error = OpenAIErrors.Read(429, body);

        Assert.Equal(GatewayErrorKind.RateLimited, error.Kind);
        Assert.True(error.AllowsFailover);
        Assert.Equal(("rate_limit_error", "rate_limit_exceeded"), OpenAIErrors.TypeAndCode(error));
    }

    private static JsonNode Write(GatewayError error)
    {
        var output = new ArrayBufferWriter<byte>();
        OpenAIErrors.Write(error, output);
        return JsonAssert.Parse(output.WrittenSpan);
    }
}
