using Npgsql;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// A fresh schema in the PostgreSQL that <c>SWITCHYARD_TEST_POSTGRES</c> names (.ci/postgres makes
/// one and prints its connection string), dropped on dispose. Without the variable the test is
/// skipped on a developer's machine and fails in CI, where PostgreSQL tests must run.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    public const string Variable = "SWITCHYARD_TEST_POSTGRES";

    private readonly string _server;

    private TestPostgres(string server, string schema)
    {
        _server = server;
        Schema = schema;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
    }

    public string Schema { get; }

    /// <summary>The server's connection string with this schema as its search path.</summary>
    public string ConnectionString { get; }

    public static async Task<TestPostgres> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail($"{Variable} is not set: CI must run the PostgreSQL tests (.ci/run starts PostgreSQL and sets it).");
            }

            Assert.Skip($"{Variable} is not set; run .ci/postgres and export its output to run the PostgreSQL tests.");
        }

        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema};", connection);
        await command.ExecuteNonQueryAsync();
        return new TestPostgres(server, schema);
    }

    /// <summary>Runs one scalar query in this schema.</summary>
    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE;", connection);
        await command.ExecuteNonQueryAsync();
    }
}
