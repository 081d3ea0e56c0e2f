using Microsoft.Extensions.Configuration;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// A <c>bedrock</c> provider's settings, bound from its entry in <c>providers</c>. Credentials:
/// <see cref="AccessKeyId"/> and <see cref="SecretAccessKey"/> (with <see cref="SessionToken"/> for
/// temporary ones), or a Bedrock <see cref="ApiKey"/>, or neither for the standard AWS chain.
/// Secret values may be <c>env:NAME</c>.
/// </summary>
internal sealed class BedrockOptions
{
    public const string Type = "bedrock";

    public string? Region { get; set; }

    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    public string? SessionToken { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Overrides <c>https://bedrock-runtime.{region}.amazonaws.com</c> (VPC endpoint, proxy, tests); requests are signed for its host.</summary>
    public string? BaseUrl { get; set; }

    public static BedrockOptions Bind(IConfiguration providerSection) => providerSection.Get<BedrockOptions>() ?? new BedrockOptions();

    /// <summary>The runtime endpoint requests go to.</summary>
    public string EndpointUrl => CloudOptionChecks.TrimBase(BaseUrl is { Length: > 0 } url ? url : $"https://bedrock-runtime.{Region}.amazonaws.com");

    public override string ToString() =>
        $"bedrock ({Region}, {(ApiKey is not null ? "api key" : AccessKeyId is not null ? "access keys" : "AWS credential chain")}, secrets redacted)";
}
