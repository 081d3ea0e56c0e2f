using Microsoft.Extensions.Configuration;

namespace Switchyard.Providers.Vertex;

/// <summary>
/// A <c>vertex</c> provider's settings (Gemini and Anthropic models on Google Vertex AI), bound
/// from its entry in <c>providers</c>. Without <see cref="CredentialsFile"/> the gateway uses
/// Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's user credentials, or
/// the metadata server on Google Cloud).
/// </summary>
internal sealed class VertexOptions
{
    public const string Type = "vertex";

    public string? Project { get; set; }

    /// <summary>A region such as <c>us-central1</c>, or <c>global</c>.</summary>
    public string? Location { get; set; }

    /// <summary>A service-account key file (its <c>token_uri</c> is honoured) or any other Google credentials file.</summary>
    public string? CredentialsFile { get; set; }

    /// <summary>Overrides <c>https://{location}-aiplatform.googleapis.com</c> (Private Service Connect, proxies, tests).</summary>
    public string? BaseUrl { get; set; }

    public static VertexOptions Bind(IConfiguration providerSection) => providerSection.Get<VertexOptions>() ?? new VertexOptions();

    /// <summary>The endpoint requests go to; the <c>global</c> location has no regional prefix.</summary>
    public string EndpointUrl => CloudOptionChecks.TrimBase(
        BaseUrl is { Length: > 0 } url ? url
        : Location == "global" ? "https://aiplatform.googleapis.com"
        : $"https://{Location}-aiplatform.googleapis.com");

    public override string ToString() => $"vertex ({Project}, {Location}, {(CredentialsFile is null ? "application default credentials" : "key file")})";
}
