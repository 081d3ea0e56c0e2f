namespace Switchyard.Providers.Bedrock;

/// <summary>A computed signature, with the intermediate strings AWS's test suite also publishes.</summary>
internal sealed record SigV4Signature(string Authorization, string SignedHeaders, string Signature, string CanonicalRequest, string StringToSign);
