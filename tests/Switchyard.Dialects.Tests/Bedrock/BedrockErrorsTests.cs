using System.Buffers;
using System.Text;
using Switchyard.Dialects.Bedrock;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Bedrock;

public sealed class BedrockErrorsTests
{
    [Theory]
    [InlineData(429, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/", GatewayErrorKind.RateLimited, 429, true)]
    [InlineData(400, "ServiceQuotaExceededException", GatewayErrorKind.RateLimited, 429, true)]
    [InlineData(400, "ValidationException", GatewayErrorKind.InvalidRequest, 400, false)]
    [InlineData(403, "AccessDeniedException", GatewayErrorKind.UpstreamFailed, 502, false)]
    [InlineData(403, "UnrecognizedClientException", GatewayErrorKind.UpstreamFailed, 502, false)]
    [InlineData(404, "ResourceNotFoundException", GatewayErrorKind.NotFound, 404, false)]
    [InlineData(429, "ModelNotReadyException", GatewayErrorKind.UpstreamFailed, 502, true)]
    [InlineData(503, "ServiceUnavailableException", GatewayErrorKind.UpstreamFailed, 502, true)]
    [InlineData(408, "ModelTimeoutException", GatewayErrorKind.UpstreamTimeout, 504, true)]
    [InlineData(500, "InternalServerException", GatewayErrorKind.UpstreamFailed, 502, true)]
    [InlineData(424, "ModelErrorException", GatewayErrorKind.UpstreamFailed, 502, true)]
    [InlineData(502, null, GatewayErrorKind.UpstreamFailed, 502, true)]
    public void Maps_the_error_type_header_to_a_gateway_error(int status, string? errorType, GatewayErrorKind kind, int gatewayStatus, bool failover)
    {
        var error = ConverseDialect.Instance.ReadError(status, _ => errorType, """{"message":"Something happened."}"""u8);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(gatewayStatus, error.Status);
        Assert.Equal(failover, error.AllowsFailover);
    }

    [Fact]
    public void Passes_on_a_validation_message_with_the_account_s_arns_scrubbed()
    {
        var body = """{"message":"The provided model identifier arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-v1:0 is invalid."}""";

        var error = ConverseDialect.Instance.ReadError(400, _ => "ValidationException", Encoding.UTF8.GetBytes(body));

        Assert.Equal("The provided model identifier [resource] is invalid.", error.Message);
        Assert.DoesNotContain("123456789012", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_type_from_the_body_when_the_header_is_missing()
    {
        var error = ConverseDialect.Instance.ReadError(400, """{"__type":"ThrottlingException","Message":"Slow down."}"""u8);

        Assert.Equal(GatewayErrorKind.RateLimited, error.Kind);
        Assert.Equal("Slow down.", error.Message);
    }

    [Fact]
    public void Keeps_only_the_status_of_a_body_that_is_not_bedrock_s()
    {
        var error = ConverseDialect.Instance.ReadError(503, _ => null, "<html>Service Unavailable</html>"u8);

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.Equal("The upstream failed.", error.Message);
    }

    [Fact]
    public void Writes_bedrock_s_envelope()
    {
        var output = new ArrayBufferWriter<byte>();

        BedrockErrors.Write(GatewayError.InvalidRequest("Bad."), output);

        JsonAssert.Equal(JsonAssert.Parse("""{"message":"Bad."}"""), JsonAssert.Parse(output.WrittenSpan));
    }
}
