namespace Switchyard.Providers.Azure;

/// <summary>
/// Microsoft Entra ID authentication of an <c>azure</c> provider. <see cref="Kind"/> is
/// <c>entra</c> (a client secret: <see cref="TenantId"/>, <see cref="ClientId"/>, <see cref="ClientSecret"/>),
/// <c>managedIdentity</c> (system-assigned, or user-assigned by <see cref="ClientId"/>) or
/// <c>workloadIdentity</c> (Kubernetes federated token; unset fields come from AZURE_TENANT_ID,
/// AZURE_CLIENT_ID and AZURE_FEDERATED_TOKEN_FILE, as the workload identity webhook sets them).
/// </summary>
internal sealed class AzureAuthOptions
{
    public const string Entra = "entra";
    public const string ManagedIdentity = "managedIdentity";
    public const string WorkloadIdentity = "workloadIdentity";

    public static readonly string[] Kinds = [Entra, ManagedIdentity, WorkloadIdentity];

    public string? Kind { get; set; }

    public string? TenantId { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Workload identity: the projected service-account token file.</summary>
    public string? TokenFilePath { get; set; }

    /// <summary>The Entra authority for sovereign clouds (<c>https://login.microsoftonline.us</c>, …); public cloud when unset.</summary>
    public string? AuthorityHost { get; set; }

    public override string ToString() => $"{Kind} (tenant {TenantId}, client {ClientId}, secret redacted)";
}
