namespace Switchyard.Dialects.Tests;

public sealed class UpstreamErrorsTests
{
    [Theory]
    [InlineData(
        "Incorrect API key provided: sk-proj-AbC123dEf456GhI789. You can find your API key at https://platform.openai.com/account/api-keys.",
        "Incorrect API key provided: [redacted]. You can find your API key at [address]")]
    [InlineData(
        "Incorrect API key provided: sk-proj-********************************************Xw2A.",
        "Incorrect API key provided: [redacted].")]
    [InlineData("invalid x-api-key: sk-ant-api03-abcdEFGH1234-xyz", "invalid x-api-key: [redacted]")]
    [InlineData("API key not valid. Please pass a valid API key: AIzaSyD-1234567890abcdefghij", "API key not valid. Please pass a valid API key: [redacted]")]
    [InlineData("token 0123456789abcdef0123456789abcdef01 rejected", "token [redacted] rejected")]
    [InlineData("connect ECONNREFUSED 10.0.0.5:8000", "connect ECONNREFUSED [address]")]
    [InlineData("no route to 192.168.1.20", "no route to [address]")]
    [InlineData("upstream [fe80::1]:443 reset the connection", "upstream [address] reset the connection")]
    [InlineData("listening on [::1]:8080 and [::ffff:10.0.0.1]", "listening on [address] and [address]")]
    [InlineData("host [2001:db8:85a3::8a2e:370:7334] unreachable", "host [address] unreachable")]
    [InlineData("POST http://vllm.internal:8000/v1/chat/completions failed", "POST [address] failed")]
    [InlineData("see <https://status.example.com/incidents/42>", "see <[address]>")]
    public void Scrubs_keys_and_addresses(string message, string scrubbed)
    {
        var result = UpstreamErrors.Scrub(message);

        Assert.Equal(scrubbed, result);
    }

    [Theory]
    [InlineData("The model `gpt-4o` does not exist or you do not have access to it.")]
    [InlineData("max_tokens is too large: 200000. This model supports at most 16384 completion tokens.")]
    [InlineData("messages.1.content.0.image.source.base64: invalid base64 data")]
    [InlineData("Invalid 'messages[1].content': expected an array of content parts, got [a] and [deadbeef]")]
    [InlineData("Invalid type for 'tools[0].function.parameters': expected an object, but got a string instead.")]
    [InlineData("Rate limit reached for gpt-4o on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000. Please try again in 2.0s.")]
    public void Leaves_ordinary_messages_alone(string message)
    {
        var result = UpstreamErrors.Scrub(message);

        Assert.Equal(message, result);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Scrubs_nothing_to_an_empty_string(string? message)
    {
        var result = UpstreamErrors.Scrub(message);

        Assert.Equal(string.Empty, result);
    }

    [Fact]
    public void Caps_the_length_of_a_scrubbed_message()
    {
        var message = string.Concat(Enumerable.Repeat("error ", 1000));

        var result = UpstreamErrors.Scrub(message);

        Assert.Equal(2000, result.Length);
    }

    [Theory]
    [InlineData(400, GatewayErrorKind.InvalidRequest, false)]
    [InlineData(404, GatewayErrorKind.NotFound, false)]
    [InlineData(413, GatewayErrorKind.PayloadTooLarge, false)]
    [InlineData(422, GatewayErrorKind.Unprocessable, false)]
    [InlineData(429, GatewayErrorKind.RateLimited, true)]
    [InlineData(408, GatewayErrorKind.UpstreamFailed, true)]
    [InlineData(500, GatewayErrorKind.UpstreamFailed, true)]
    [InlineData(503, GatewayErrorKind.UpstreamFailed, true)]
    [InlineData(529, GatewayErrorKind.UpstreamFailed, true)]
    [InlineData(401, GatewayErrorKind.UpstreamFailed, false)]
    [InlineData(403, GatewayErrorKind.UpstreamFailed, false)]
    public void Maps_an_upstream_status_to_a_kind_and_failover(int status, GatewayErrorKind kind, bool failover)
    {
        var error = UpstreamErrors.FromStatus(status, "something went wrong");

        Assert.Equal(kind, error.Kind);
        Assert.Equal(failover, error.AllowsFailover);
        Assert.Equal(status, error.UpstreamStatus);
    }

    [Fact]
    public void Passes_on_the_upstreams_scrubbed_message()
    {
        var error = UpstreamErrors.FromStatus(400, "Invalid value at https://10.0.0.5/v1: 'temperature'");

        Assert.Equal("Invalid value at [address] 'temperature'", error.Message);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public void Hides_the_upstreams_message_when_it_refused_the_gateways_credentials(int status)
    {
        var error = UpstreamErrors.FromStatus(status, "Your organization org-Zx81 is not allowed; key ends in Xw2A");

        Assert.Equal("The upstream refused the gateway's credentials.", error.Message);
        Assert.Equal(502, error.Status);
    }

    [Fact]
    public void Falls_back_to_a_generic_message_when_the_upstream_gave_none()
    {
        var error = UpstreamErrors.FromStatus(503, "   ");

        Assert.Equal("The upstream failed.", error.Message);
        Assert.Equal("upstream_error", error.Code);
    }
}
