namespace Switchyard.Storage;

/// <summary>The fields of a team that one change sets; the others stay as the store has them (a top-up made meanwhile is kept).</summary>
internal sealed record TeamChanges
{
    public Change<string> Name { get; init; }

    public Change<int?> Rpm { get; init; }

    public Change<int?> Tpm { get; init; }

    public Change<int?> MaxConcurrent { get; init; }

    /// <summary>Sets the credits granted outright; a top-up is <see cref="ITeamStore.AddCreditsAsync"/>.</summary>
    public Change<decimal?> Credits { get; init; }

    public bool None => !Name.Set && !Rpm.Set && !Tpm.Set && !MaxConcurrent.Set && !Credits.Set;
}
