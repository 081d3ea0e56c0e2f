using System.Collections.Frozen;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Switchyard.Storage;

namespace Switchyard.Auth;

/// <summary>The authenticated key a request runs as.</summary>
internal sealed class Caller
{
    public required string KeyId { get; init; }

    public required string Name { get; init; }

    public bool IsMaster { get; init; }

    /// <summary>The models this key may use; null means all.</summary>
    public FrozenSet<string>? AllowedModels { get; init; }

    public int? Rpm { get; init; }

    public int? Tpm { get; init; }

    public int? MaxConcurrent { get; init; }

    public decimal? Credits { get; init; }

    /// <summary>The key's team as it stood when the key was looked up; its limits bind the key too.</summary>
    public TeamRecord? Team { get; init; }

    public bool MayUse(string modelId) => AllowedModels is null || AllowedModels.Contains(modelId);

    /// <summary>Whether a request's tokens or cost are reserved against anything: the key's or its team's <c>tpm</c> or credits.</summary>
    public bool HasBudget => Tpm is not null || Credits is not null || Team is { Tpm: not null } or { Credits: not null };

    /// <summary>
    /// The admissions of this caller's requests before their bodies are read, made on first use:
    /// they depend only on the limits above, which never change on a caller, so racing requests
    /// store equal values and any of them serves.
    /// </summary>
    internal Limits.KeyLimiter.FirstPart? FirstPart { get; set; }

    public static Caller Master { get; } = new() { KeyId = "master", Name = "master", IsMaster = true };

    /// <summary>
    /// The API key scheme's success for this caller, made once: a caller is cached (with its key),
    /// and a principal, its claims and a ticket per request were a tenth of a request's allocations.
    /// </summary>
    internal AuthenticateResult Authenticated =>
        field ??= AuthenticateResult.Success(new(
            new ClaimsPrincipal(new CallerIdentity(this)), ApiKeyAuthenticationHandler.SchemeName));
}
