namespace Switchyard.Configuration;

internal sealed class StorageOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Kind { get; set; } = "sqlite";

    public string Path { get; set; } = "switchyard.db";

    public string? ConnectionString { get; set; }

    /// <summary>
    /// The local file ledger rows go to while the store cannot take them; default beside the
    /// SQLite file (<c>switchyard.db.spool</c>), or <c>switchyard.spool</c> in the working
    /// directory with PostgreSQL.
    /// </summary>
    public string? SpoolPath { get; set; }

    public string ResolvedSpoolPath => SpoolPath is { Length: > 0 } path ? path : Kind == "sqlite" ? Path + ".spool" : "switchyard.spool";

    public override string ToString() => $"{Kind} ({(Kind == "sqlite" ? Path : "connection string redacted")})";
}
