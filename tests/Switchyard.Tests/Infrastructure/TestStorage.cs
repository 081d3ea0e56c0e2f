using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// A store for a test gateway: SQLite in the gateway's own directory (the default) or a fresh
/// PostgreSQL schema. Tests that must hold on both take the kind as a theory parameter.
/// </summary>
public sealed class TestStorage : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private TestStorage(string kind, TestPostgres? postgres)
    {
        Kind = kind;
        Database = postgres;
    }

    public string Kind { get; }

    /// <summary>The PostgreSQL schema, for PostgreSQL storage.</summary>
    public TestPostgres? Database { get; }

    public static async Task<TestStorage> CreateAsync(string kind) =>
        new(kind, kind == Postgres ? await TestPostgres.CreateAsync() : null);

    /// <summary>Points a gateway's configuration at this store (SQLite keeps the per-gateway default).</summary>
    public void Apply(JsonObject config)
    {
        if (Database is { } postgres)
        {
            config["storage"] = new JsonObject { ["kind"] = "postgres", ["connectionString"] = postgres.ConnectionString };
        }
    }

    public ValueTask DisposeAsync() => Database?.DisposeAsync() ?? ValueTask.CompletedTask;
}
