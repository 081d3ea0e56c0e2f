namespace Switchyard.Storage;

/// <summary>
/// The <c>SET</c> list of an <c>UPDATE</c> that writes only the fields a patch names, shared by the
/// SQLite and PostgreSQL key and team stores. Each named field's value goes onto the row object the
/// statement binds (its member is the parameter), so the query stays one typed, generated call.
/// </summary>
internal sealed class SetClause
{
    private readonly List<string> _assignments = [];

    /// <summary>Adds <c>column = @member</c> and stores the value with <paramref name="assign"/> when <paramref name="change"/> is set.</summary>
    public void Add<T>(Change<T> change, string column, string member, Action<T> assign)
    {
        if (change.Set)
        {
            _assignments.Add($"{column} = @{member}");
            assign(change.Value);
        }
    }

    public override string ToString() => string.Join(", ", _assignments);
}
