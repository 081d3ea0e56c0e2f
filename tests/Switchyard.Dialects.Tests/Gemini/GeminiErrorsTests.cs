using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

public sealed class GeminiErrorsTests
{
    // Google's envelope as the Gemini API sends it (https://ai.google.dev/gemini-api/docs/troubleshooting).
    private const string QuotaEnvelope = """
        {
          "error": {
            "code": 429,
            "message": "You exceeded your current quota, please check your plan and billing details.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
              { "@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{ "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests", "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }] },
              { "@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "21s" }
            ]
          }
        }
        """;

    // docs/behaviour.md with Google's canonical status names.
    [Theory]
    [InlineData(GatewayErrorKind.InvalidRequest, 400, "INVALID_ARGUMENT")]
    [InlineData(GatewayErrorKind.Unprocessable, 422, "INVALID_ARGUMENT")]
    [InlineData(GatewayErrorKind.PayloadTooLarge, 413, "INVALID_ARGUMENT")]
    [InlineData(GatewayErrorKind.Unauthenticated, 401, "UNAUTHENTICATED")]
    [InlineData(GatewayErrorKind.CreditExhausted, 402, "FAILED_PRECONDITION")]
    [InlineData(GatewayErrorKind.ModelNotAllowed, 403, "PERMISSION_DENIED")]
    [InlineData(GatewayErrorKind.ModelNotFound, 404, "NOT_FOUND")]
    [InlineData(GatewayErrorKind.NotFound, 404, "NOT_FOUND")]
    [InlineData(GatewayErrorKind.RateLimited, 429, "RESOURCE_EXHAUSTED")]
    [InlineData(GatewayErrorKind.Internal, 500, "INTERNAL")]
    [InlineData(GatewayErrorKind.UpstreamFailed, 502, "UNAVAILABLE")]
    [InlineData(GatewayErrorKind.AllDeploymentsBusy, 503, "UNAVAILABLE")]
    [InlineData(GatewayErrorKind.UpstreamTimeout, 504, "DEADLINE_EXCEEDED")]
    public void Writes_googles_envelope_with_the_contracts_status(GatewayErrorKind kind, int status, string name)
    {
        var error = new GatewayError(kind, "Something happened.");

        var envelope = Write(error);

        Assert.Equal(status, GeminiGenerateDialect.Instance.StatusOf(error));
        JsonAssert.Equal(
            new JsonObject { ["error"] = new JsonObject { ["code"] = status, ["message"] = "Something happened.", ["status"] = name } },
            envelope);
    }

    [Fact]
    public void Writes_the_same_envelope_through_the_dialect()
    {
        var error = GatewayError.InvalidRequest("* GenerateContentRequest.contents: contents is not specified", "contents");
        var output = new ArrayBufferWriter<byte>();

        GeminiGenerateDialect.Instance.WriteError(error, output);

        JsonAssert.Equal(Write(error), JsonAssert.Parse(output.WrittenSpan));
    }

    [Fact]
    public void Reads_a_quota_error_as_rate_limited_allowing_failover()
    {
        var error = GeminiGenerateDialect.Instance.ReadError(429, Encoding.UTF8.GetBytes(QuotaEnvelope));

        Assert.Equal(GatewayErrorKind.RateLimited, error.Kind);
        Assert.True(error.AllowsFailover);
        Assert.Equal(429, error.UpstreamStatus);
        Assert.Equal("You exceeded your current quota, please check your plan and billing details.", error.Message);
    }

    [Fact]
    public void Reads_a_one_element_array_of_envelopes()
    {
        var error = GeminiErrors.Read(429, Encoding.UTF8.GetBytes("[" + QuotaEnvelope + "]"));

        Assert.Equal(GatewayErrorKind.RateLimited, error.Kind);
        Assert.Equal("You exceeded your current quota, please check your plan and billing details.", error.Message);
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.", GatewayErrorKind.InvalidRequest, false)]
    [InlineData(404, "NOT_FOUND", "models/gemini-1.0-pro is not found for API version v1beta, or is not supported for generateContent.", GatewayErrorKind.NotFound, false)]
    [InlineData(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting", GatewayErrorKind.UpstreamFailed, true)]
    [InlineData(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", GatewayErrorKind.UpstreamFailed, true)]
    [InlineData(504, "DEADLINE_EXCEEDED", "Deadline expired before operation could complete.", GatewayErrorKind.UpstreamFailed, true)]
    public void Reads_google_error_bodies(int status, string name, string message, GatewayErrorKind kind, bool failover)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"error":{"code":{{{status}}},"message":"{{{message}}}","status":"{{{name}}}"}}""");

        var error = GeminiErrors.Read(status, body);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(failover, error.AllowsFailover);
        Assert.Equal(UpstreamErrors.Scrub(message), error.Message);
        Assert.Equal(status, error.UpstreamStatus);
    }

    [Theory]
    [InlineData(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")]
    [InlineData(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.")]
    public void Hides_the_upstreams_refusal_of_the_gateways_own_credentials(int status, string name, string message)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"error":{"code":{{{status}}},"message":"{{{message}}}","status":"{{{name}}}"}}""");

        var error = GeminiErrors.Read(status, body);

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.False(error.AllowsFailover);
        Assert.Equal("The upstream refused the gateway's credentials.", error.Message);
    }

    [Fact]
    public void Hides_an_invalid_api_key_though_google_reports_it_as_a_400()
    {
        // Google answers a bad key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID: the gateway's key, not the caller's request.
        var body = """
            {"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",
              "details":[
                {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}},
                {"@type":"type.googleapis.com/google.rpc.LocalizedMessage","locale":"en-US","message":"API key not valid. Please pass a valid API key."}]}}
            """u8.ToArray();

        var error = GeminiErrors.Read(400, body);

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.False(error.AllowsFailover);
        Assert.Equal("The upstream refused the gateway's credentials.", error.Message);
        Assert.Equal(502, error.Status);
    }

    [Fact]
    public void Scrubs_keys_and_addresses_from_the_upstreams_message()
    {
        var body = """{"error":{"code":400,"message":"Bad request from 10.2.3.4 with key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY, see https://ai.google.dev/gemini-api/docs","status":"INVALID_ARGUMENT"}}"""u8.ToArray();

        var error = GeminiErrors.Read(400, body);

        Assert.Equal("Bad request from [address] with key=[redacted], see [address]", error.Message);
    }

    [Theory]
    [InlineData("<html><body>502 Bad Gateway</body></html>")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("""{"error":"Overloaded"}""")]
    [InlineData("""[{"error":{"code":503}}]""")]
    public void Reads_a_body_that_is_not_googles_envelope_by_its_status_alone(string body)
    {
        var error = GeminiErrors.Read(503, Encoding.UTF8.GetBytes(body));

        Assert.Equal(GatewayErrorKind.UpstreamFailed, error.Kind);
        Assert.Equal("The upstream failed.", error.Message);
        Assert.True(error.AllowsFailover);
        Assert.Equal(503, error.UpstreamStatus);
    }

    private static JsonNode Write(GatewayError error)
    {
        var output = new ArrayBufferWriter<byte>();
        GeminiErrors.Write(error, output);
        return JsonAssert.Parse(output.WrittenSpan);
    }
}
