using Azure.Core;
using Azure.Identity;
using Switchyard.Configuration;

namespace Switchyard.Providers.Azure;

/// <summary>Builds an <c>azure</c> provider's signer: its API key, or the Azure.Identity credential its <c>auth</c> names.</summary>
internal static class AzureCredentials
{
    private static readonly Uri[] KnownAuthorities =
    [
        AzureAuthorityHosts.AzurePublicCloud,
        AzureAuthorityHosts.AzureGovernment,
        AzureAuthorityHosts.AzureChina,
    ];

    /// <param name="options">Validated settings.</param>
    /// <param name="environment">Resolves <c>env:NAME</c> values.</param>
    /// <param name="time">The clock that decides when a token is renewed.</param>
    /// <param name="configure">Adjusts the credential's client options (tests point its transport at a local token endpoint).</param>
    public static AzureSigner CreateSigner(AzureOptions options, Func<string, string?> environment, TimeProvider time, Action<TokenCredentialOptions>? configure = null)
    {
        if (options.Auth is null)
        {
            return AzureSigner.WithApiKey(EnvReferenceResolver.Resolve(options.ApiKey, environment)
                ?? throw new InvalidOperationException("An azure provider without apiKey or auth passed validation."));
        }

        return AzureSigner.WithCredential(CreateCredential(options.Auth, environment, configure), time);
    }

    public static TokenCredential CreateCredential(AzureAuthOptions auth, Func<string, string?> environment, Action<TokenCredentialOptions>? configure = null)
    {
        string? Value(string? value) => EnvReferenceResolver.Resolve(value, environment) is { Length: > 0 } resolved ? resolved : null;
        var authority = Value(auth.AuthorityHost) is { } host ? new Uri(host) : AzureAuthorityHosts.AzurePublicCloud;

        // Instance discovery asks the public cloud about the authority; a private one cannot answer.
        var discover = KnownAuthorities.Contains(authority);
        switch (auth.Kind)
        {
            case AzureAuthOptions.Entra:
                var secretOptions = new ClientSecretCredentialOptions { AuthorityHost = authority, DisableInstanceDiscovery = !discover };
                configure?.Invoke(secretOptions);
                return new ClientSecretCredential(Value(auth.TenantId), Value(auth.ClientId), Value(auth.ClientSecret), secretOptions);

            case AzureAuthOptions.WorkloadIdentity:
                var workloadOptions = new WorkloadIdentityCredentialOptions
                {
                    AuthorityHost = authority,
                    DisableInstanceDiscovery = !discover,
                    TenantId = Value(auth.TenantId) ?? environment("AZURE_TENANT_ID"),
                    ClientId = Value(auth.ClientId) ?? environment("AZURE_CLIENT_ID"),
                    TokenFilePath = Value(auth.TokenFilePath) ?? environment("AZURE_FEDERATED_TOKEN_FILE"),
                };
                configure?.Invoke(workloadOptions);
                return new WorkloadIdentityCredential(workloadOptions);

            case AzureAuthOptions.ManagedIdentity:
                var identity = Value(auth.ClientId) is { } clientId ? ManagedIdentityId.FromUserAssignedClientId(clientId) : ManagedIdentityId.SystemAssigned;
                var managedOptions = new ManagedIdentityCredentialOptions(identity) { AuthorityHost = authority };
                configure?.Invoke(managedOptions);
                return new ManagedIdentityCredential(managedOptions);

            default:
                throw new InvalidOperationException($"Auth kind '{auth.Kind}' passed validation.");
        }
    }
}
