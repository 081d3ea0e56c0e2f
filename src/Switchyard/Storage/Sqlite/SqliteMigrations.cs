namespace Switchyard.Storage.Sqlite;

/// <summary>
/// Versioned schema steps, applied in order at start; a step is never edited once released.
/// Costs are whole units of 1e-8 credits (<c>cost_e8</c>): SQLite has no exact decimal type, and
/// the ledger's sums must equal the charges to the last digit.
/// </summary>
internal static class SqliteMigrations
{
    public static readonly string[] Steps =
    [
        """
        CREATE TABLE keys (
            id             TEXT PRIMARY KEY,
            name           TEXT NOT NULL,
            prefix         TEXT NOT NULL,
            hash           TEXT NOT NULL UNIQUE,
            allowed_models TEXT NULL,
            rpm            INTEGER NULL,
            tpm            INTEGER NULL,
            max_concurrent INTEGER NULL,
            credits        TEXT NULL,
            expires_at     TEXT NULL,
            created_at     TEXT NOT NULL,
            revoked_at     TEXT NULL
        );
        CREATE TABLE settings (
            name  TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
        """
        CREATE TABLE responses (
            id          TEXT PRIMARY KEY,
            key_id      TEXT NOT NULL,
            model       TEXT NOT NULL,
            items       TEXT NULL,
            response    TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            expires_at  TEXT NOT NULL
        );
        CREATE INDEX responses_expiry ON responses (expires_at);
        """,
        """
        CREATE TABLE requests (
            request_id          TEXT PRIMARY KEY,
            client_request_id   TEXT NULL,
            key_id              TEXT NOT NULL,
            model               TEXT NOT NULL,
            deployment          TEXT NULL,
            surface             TEXT NOT NULL,
            status              INTEGER NOT NULL,
            latency_ms          REAL NOT NULL,
            ttft_ms             REAL NULL,
            attempts            INTEGER NOT NULL,
            input_tokens        INTEGER NOT NULL,
            cached_input_tokens INTEGER NOT NULL,
            cache_write_tokens  INTEGER NOT NULL,
            output_tokens       INTEGER NOT NULL,
            reasoning_tokens    INTEGER NOT NULL,
            cost_e8             INTEGER NOT NULL,
            day                 TEXT NOT NULL,
            created_at          TEXT NOT NULL
        );
        CREATE INDEX requests_key_day ON requests (key_id, day);
        CREATE INDEX requests_created ON requests (created_at);
        """,
        // 4: the authenticator refreshes its set of known key hashes by creation time.
        """
        CREATE INDEX keys_created ON keys (created_at);
        """,
        // 5: the console's request page shows where a request's time went.
        """
        ALTER TABLE requests ADD COLUMN queue_ms REAL NULL;
        ALTER TABLE requests ADD COLUMN upstream_ms REAL NULL;
        """,
        // 6: teams. A key may belong to a team, whose limits and credits bind the sum of its keys'
        // use; each request row names the team it was charged to, so a team's spending is the sum
        // of its rows even after a key moves to another team.
        """
        CREATE TABLE teams (
            id             TEXT PRIMARY KEY,
            name           TEXT NOT NULL UNIQUE,
            rpm            INTEGER NULL,
            tpm            INTEGER NULL,
            max_concurrent INTEGER NULL,
            credits        TEXT NULL,
            created_at     TEXT NOT NULL
        );
        ALTER TABLE keys ADD COLUMN team_id TEXT NULL REFERENCES teams (id);
        CREATE INDEX keys_team ON keys (team_id);
        ALTER TABLE requests ADD COLUMN team_id TEXT NULL;
        CREATE INDEX requests_team_day ON requests (team_id, day);
        """,
    ];
}
