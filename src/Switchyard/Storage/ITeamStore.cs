namespace Switchyard.Storage;

/// <summary>
/// Teams, in the configured store beside the keys. A key names its team (<see cref="KeyRecord.TeamId"/>);
/// every change is one statement or one transaction, as for keys.
/// </summary>
internal interface ITeamStore
{
    Task<TeamRecord?> GetAsync(string id, CancellationToken cancellationToken);

    Task<TeamRecord?> FindByNameAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every team, by name.</summary>
    Task<IReadOnlyList<TeamRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Done, or NameTaken.</summary>
    Task<TeamWrite> InsertAsync(TeamRecord team, CancellationToken cancellationToken);

    /// <summary>Sets the fields the change names, and only those; Done with the team as it now stands, NotFound or NameTaken.</summary>
    Task<(TeamWrite Outcome, TeamRecord? Team)> UpdateAsync(string id, TeamChanges changes, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="amount"/> (which may be negative) to the credits granted in one atomic
    /// step; a team without a credit limit starts from zero. Null when no such team exists.
    /// </summary>
    Task<TeamRecord?> AddCreditsAsync(string id, decimal amount, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the team, unless keys that are not revoked belong to it (HasKeys: move or revoke
    /// them first); revoked keys leave it. Done, NotFound or HasKeys.
    /// </summary>
    Task<TeamWrite> DeleteAsync(string id, CancellationToken cancellationToken);
}
