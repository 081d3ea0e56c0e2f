using Switchyard.Configuration;

namespace Switchyard.Providers.Bedrock;

/// <summary>Chooses a <c>bedrock</c> provider's signer from its validated settings.</summary>
internal static class BedrockSigners
{
    public static IUpstreamSigner Create(BedrockOptions options, Func<string, string?> environment, TimeProvider time)
    {
        if (EnvReferenceResolver.Resolve(options.ApiKey, environment) is { Length: > 0 } apiKey)
        {
            return new BedrockApiKeySigner(apiKey);
        }

        var region = options.Region ?? throw new InvalidOperationException("A bedrock provider without a region passed validation.");
        var accessKeyId = EnvReferenceResolver.Resolve(options.AccessKeyId, environment);
        var secretAccessKey = EnvReferenceResolver.Resolve(options.SecretAccessKey, environment);
        var source = accessKeyId is { Length: > 0 } && secretAccessKey is { Length: > 0 }
            ? AwsCredentialSource.FromKeys(accessKeyId, secretAccessKey, EnvReferenceResolver.Resolve(options.SessionToken, environment))
            : AwsCredentialSource.DefaultChain();
        return new SigV4Signer(source, region, time);
    }
}
