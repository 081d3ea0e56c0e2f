using Microsoft.Extensions.Time.Testing;
using Switchyard.Providers.Bedrock;

namespace Switchyard.Tests.Providers.Bedrock;

/// <summary>Tests that change the process's AWS_* variables run alone, so nothing else reads them meanwhile.</summary>
[CollectionDefinition(nameof(AwsEnvironmentTests), DisableParallelization = true)]
public sealed class AwsEnvironmentTests;

[Collection(nameof(AwsEnvironmentTests))]
public sealed class AwsCredentialChainTests
{
    private static readonly string[] Variables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_EC2_METADATA_DISABLED",
        "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ];

    [Fact]
    public async Task Without_keys_in_configuration_the_signer_takes_them_from_the_aws_chain()
    {
        var saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var variable in Variables)
            {
                Environment.SetEnvironmentVariable(variable, null);
            }

            // Nothing but the environment may answer: no files of the machine's user, never the instance metadata address.
            var missing = Path.Combine(Path.GetTempPath(), $"switchyard-no-aws-{Guid.NewGuid():N}");
            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", missing);
            Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", missing);
            Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
            Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
            Environment.SetEnvironmentVariable("AWS_SESSION_TOKEN", "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+session");
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await using var bedrock = await BedrockSignerTests.Fake(clock);
            var options = new BedrockOptions { Region = "us-east-1", BaseUrl = bedrock.BaseUrl };
            using var signer = (SigV4Signer)BedrockSigners.Create(options, BedrockSignerTests.Env(), clock);

            using var response = await BedrockSignerTests.SendConverseAsync(signer, BedrockUrls.Converse(options.EndpointUrl, "anthropic.claude-3-5-sonnet-20240620-v1:0"));

            Assert.Equal(200, (int)response.StatusCode);
            var recorded = Assert.Single(bedrock.Requests);
            Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/", recorded.Header("authorization"), StringComparison.Ordinal);
            Assert.Equal("IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+session", recorded.Header("x-amz-security-token"));
        }
        finally
        {
            foreach (var (variable, value) in saved)
            {
                Environment.SetEnvironmentVariable(variable, value);
            }
        }
    }
}
