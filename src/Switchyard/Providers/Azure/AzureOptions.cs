using Microsoft.Extensions.Configuration;

namespace Switchyard.Providers.Azure;

/// <summary>
/// An <c>azure</c> provider's settings (Azure OpenAI / Azure AI Foundry), bound from its entry in
/// <c>providers</c>: the resource's <see cref="BaseUrl"/>, and either an <see cref="ApiKey"/> or
/// <see cref="Auth"/> for Entra ID. Without <see cref="ApiVersion"/> (or with <c>v1</c>) requests
/// use the <c>/openai/v1</c> API, which needs no version.
/// </summary>
internal sealed class AzureOptions
{
    public const string Type = "azure";

    /// <summary>The API without dated versions (https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle).</summary>
    public const string V1 = "v1";

    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string? ApiVersion { get; set; }

    public AzureAuthOptions? Auth { get; set; }

    public static AzureOptions Bind(IConfiguration providerSection) => providerSection.Get<AzureOptions>() ?? new AzureOptions();

    /// <summary>True when requests go to <c>/openai/v1/…</c>, where the body's <c>model</c> names the deployment.</summary>
    public bool UsesV1Api => ApiVersion is null or "" or V1;

    public override string ToString() => $"azure ({BaseUrl}, {(Auth is null ? "api key" : Auth.Kind)}, secrets redacted)";
}
