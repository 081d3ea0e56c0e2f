namespace Switchyard.Storage.Postgres;

/// <summary>
/// Versioned schema steps, applied in order at start; a step is never edited once released.
/// The same tables as SQLite's, plus <c>key_state</c>: the counters a fleet shares (rate
/// windows, requests in flight, credits reserved and spent), one row per key, changed only by
/// single atomic statements.
/// </summary>
internal static class PostgresMigrations
{
    public static readonly string[] Steps =
    [
        """
        CREATE TABLE keys (
            id             text PRIMARY KEY,
            name           text NOT NULL,
            prefix         text NOT NULL,
            hash           text NOT NULL UNIQUE,
            allowed_models text NULL,
            rpm            integer NULL,
            tpm            integer NULL,
            max_concurrent integer NULL,
            credits        numeric(24, 8) NULL,
            expires_at     timestamptz NULL,
            created_at     timestamptz NOT NULL,
            revoked_at     timestamptz NULL
        );
        CREATE TABLE settings (
            name  text PRIMARY KEY,
            value text NOT NULL
        );
        CREATE TABLE responses (
            id          text PRIMARY KEY,
            key_id      text NOT NULL,
            model       text NOT NULL,
            items       text NULL,
            response    text NOT NULL,
            created_at  timestamptz NOT NULL,
            expires_at  timestamptz NOT NULL
        );
        CREATE INDEX responses_expiry ON responses (expires_at);
        CREATE TABLE requests (
            request_id          text PRIMARY KEY,
            client_request_id   text NULL,
            key_id              text NOT NULL,
            model               text NOT NULL,
            deployment          text NULL,
            surface             text NOT NULL,
            status              integer NOT NULL,
            latency_ms          double precision NOT NULL,
            ttft_ms             double precision NULL,
            attempts            integer NOT NULL,
            input_tokens        bigint NOT NULL,
            cached_input_tokens bigint NOT NULL,
            cache_write_tokens  bigint NOT NULL,
            output_tokens       bigint NOT NULL,
            reasoning_tokens    bigint NOT NULL,
            cost                numeric(24, 8) NOT NULL,
            day                 date NOT NULL,
            created_at          timestamptz NOT NULL
        );
        CREATE INDEX requests_key_day ON requests (key_id, day);
        CREATE INDEX requests_created ON requests (created_at);
        CREATE TABLE key_state (
            key_id          text PRIMARY KEY,
            spent           numeric(24, 8) NOT NULL DEFAULT 0,
            reserved        numeric(24, 8) NOT NULL DEFAULT 0,
            in_flight       integer NOT NULL DEFAULT 0,
            window_start    bigint NOT NULL DEFAULT 0,
            window_requests integer NOT NULL DEFAULT 0,
            window_tokens   bigint NOT NULL DEFAULT 0
        );
        """,
    ];
}
