using System.Collections.Frozen;

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

    public bool MayUse(string modelId) => AllowedModels is null || AllowedModels.Contains(modelId);

    public static Caller Master { get; } = new() { KeyId = "master", Name = "master", IsMaster = true };
}
