namespace Switchyard.Providers.Bedrock;

/// <summary>The signer's identity and where and when it signs.</summary>
internal sealed record SigV4Scope(string AccessKeyId, string SecretAccessKey, string Region, string Service, DateTimeOffset At)
{
    public override string ToString() => $"{AccessKeyId} {Region}/{Service} at {SigV4.AmzDate(At)} (secret redacted)";
}
