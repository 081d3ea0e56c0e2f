namespace Switchyard.Storage;

/// <summary>
/// The fields of a key that one change sets; a field not sent is left as the store has it, so a
/// change never writes back a value it only read (a concurrent top-up would be lost).
/// </summary>
internal sealed record KeyChanges
{
    public Change<string> Name { get; init; }

    public Change<IReadOnlyList<string>?> AllowedModels { get; init; }

    public Change<int?> Rpm { get; init; }

    public Change<int?> Tpm { get; init; }

    public Change<int?> MaxConcurrent { get; init; }

    /// <summary>Sets the credits granted outright; a top-up is <see cref="IKeyStore.AddCreditsAsync"/>.</summary>
    public Change<decimal?> Credits { get; init; }

    public Change<DateTimeOffset?> ExpiresAt { get; init; }

    /// <summary>The key's team (an existing team's id), or null to take it out of its team.</summary>
    public Change<string?> Team { get; init; }

    public bool None => !Name.Set && !AllowedModels.Set && !Rpm.Set && !Tpm.Set && !MaxConcurrent.Set && !Credits.Set && !ExpiresAt.Set && !Team.Set;
}

/// <summary>A value to set, or (the default) nothing to set.</summary>
internal readonly record struct Change<T>(T Value)
{
    public bool Set { get; } = true;
}
