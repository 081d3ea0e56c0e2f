namespace Switchyard.Storage;

/// <summary>
/// What one request asks of its key's budget: one request, its worst-case tokens and its
/// worst-case cost, against the key's limits as they stood when it was authenticated.
/// A limit or credit grant that is null is not enforced. A key in a team asks the same of its
/// team's budget in an admission of its own (<see cref="ForTeam"/>).
/// </summary>
internal sealed record Admission
{
    /// <summary>
    /// Whose budget: the key's id, or for a team's admission the team's (<c>team_…</c>), under
    /// which the stores count a team exactly as they count a key.
    /// </summary>
    public required string KeyId { get; init; }

    /// <summary>The budget is a team's, shared by all its keys; refusals say so.</summary>
    public bool ForTeam { get; init; }

    public int? Rpm { get; init; }

    public int? Tpm { get; init; }

    public int? MaxConcurrent { get; init; }

    /// <summary>Credits granted to the key; null when its spending is not limited.</summary>
    public decimal? Credits { get; init; }

    /// <summary>Input estimate plus the most output tokens the request may produce.</summary>
    public required long Tokens { get; init; }

    /// <summary>The worst case priced, at least the model's minimum charge; 0 for unpriced models.</summary>
    public required decimal Cost { get; init; }

    /// <summary>
    /// The admission counts one request against <see cref="Rpm"/>. A request is admitted in two
    /// parts — its request and slot from its headers, its tokens and cost once its body is read —
    /// and each part counts only its own units, against the same limits.
    /// </summary>
    public bool CountsRequest { get; init; } = true;

    /// <summary>The admission holds one of <see cref="MaxConcurrent"/>'s slots until it is released.</summary>
    public bool HoldsSlot { get; init; } = true;

    /// <summary>The admission reserves <see cref="Tokens"/> against <see cref="Tpm"/> and <see cref="Cost"/> against <see cref="Credits"/>.</summary>
    public bool ReservesBudget { get; init; } = true;
}
