namespace Switchyard.Configuration;

internal sealed class StorageOptions
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Kind { get; set; } = "sqlite";

    public string Path { get; set; } = "switchyard.db";

    public string? ConnectionString { get; set; }

    public override string ToString() => $"{Kind} ({(Kind == "sqlite" ? Path : "connection string redacted")})";
}
