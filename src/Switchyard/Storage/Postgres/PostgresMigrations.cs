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
        // 2: leases. A gateway takes slices of a key's budget (rate-window units, slots in flight,
        // credits) in one call and spends them locally; key_state counts every slice as taken, so the
        // fleet can never exceed a limit. Slots and credits are also recorded per holder, so the
        // slices of a process that stopped renewing (crashed) are handed back by the others.
        """
        CREATE TABLE lease_holders (
            holder     uuid PRIMARY KEY,
            expires_at timestamptz NOT NULL
        );
        CREATE TABLE key_leases (
            key_id  text NOT NULL,
            holder  uuid NOT NULL,
            slots   integer NOT NULL DEFAULT 0,
            credits numeric(24, 8) NOT NULL DEFAULT 0,
            PRIMARY KEY (key_id, holder)
        );

        -- Grants what is asked of each limited dimension, or refuses naming the first limit that
        -- cannot cover its need (1 requests, 2 tokens, 3 concurrency, 4 credits; -1: the holder's
        -- leases were reclaimed). A dimension grants its want while at least twice that is left,
        -- else just its need, so the last units of a limit are handed out one request at a time.
        -- Locks key_state, then the lease, then the holder row: the order every writer follows.
        CREATE FUNCTION switchyard_lease(
            p_key text, p_holder uuid, p_ttl double precision,
            p_rpm integer, p_tpm bigint, p_slots integer, p_credits numeric,
            need_r integer, want_r integer, need_t bigint, want_t bigint,
            need_s integer, want_s integer, need_c numeric, want_c numeric,
            OUT refusal integer, OUT grant_r integer, OUT grant_t bigint, OUT grant_s integer, OUT grant_c numeric,
            OUT window_start bigint, OUT window_requests integer, OUT window_tokens bigint, OUT until_reset double precision)
        LANGUAGE plpgsql AS $$
        DECLARE
            k key_state%ROWTYPE;
            now_s double precision := extract(epoch FROM clock_timestamp());
            w bigint := (floor(now_s)::bigint / 60) * 60;
            wr integer;
            wt bigint;
            left_c numeric;
        BEGIN
            refusal := 0; grant_r := 0; grant_t := 0; grant_s := 0; grant_c := 0;
            INSERT INTO key_state (key_id) VALUES (p_key) ON CONFLICT DO NOTHING;
            SELECT * INTO k FROM key_state s WHERE s.key_id = p_key FOR UPDATE;
            IF k.window_start >= w THEN wr := k.window_requests; wt := k.window_tokens; ELSE wr := 0; wt := 0; END IF;
            window_start := GREATEST(k.window_start, w);
            until_reset := GREATEST(0, window_start + 60 - now_s);

            IF p_rpm IS NOT NULL AND need_r > 0 THEN
                IF p_rpm - wr < need_r THEN refusal := 1;
                ELSE grant_r := CASE WHEN p_rpm - wr >= 2 * want_r THEN want_r ELSE need_r END; END IF;
            END IF;
            IF refusal = 0 AND p_tpm IS NOT NULL AND need_t > 0 THEN
                IF p_tpm - wt < need_t THEN refusal := 2;
                ELSE grant_t := CASE WHEN p_tpm - wt >= 2 * want_t THEN want_t ELSE need_t END; END IF;
            END IF;
            IF refusal = 0 AND p_slots IS NOT NULL AND need_s > 0 THEN
                IF p_slots - k.in_flight < need_s THEN refusal := 3;
                ELSE grant_s := CASE WHEN p_slots - k.in_flight >= 2 * want_s THEN want_s ELSE need_s END; END IF;
            END IF;
            IF refusal = 0 AND p_credits IS NOT NULL AND need_c > 0 THEN
                left_c := p_credits - k.spent - k.reserved;
                IF left_c <= 0 OR left_c < need_c THEN refusal := 4;
                ELSE grant_c := CASE WHEN left_c >= 2 * want_c THEN want_c ELSE need_c END; END IF;
            END IF;

            window_requests := wr;
            window_tokens := wt;
            IF refusal <> 0 THEN
                grant_r := 0; grant_t := 0; grant_s := 0; grant_c := 0;
                RETURN;
            END IF;

            IF grant_s <> 0 OR grant_c <> 0 THEN
                INSERT INTO key_leases AS l (key_id, holder, slots, credits) VALUES (p_key, p_holder, grant_s, grant_c)
                ON CONFLICT (key_id, holder) DO UPDATE SET slots = l.slots + excluded.slots, credits = l.credits + excluded.credits;
            END IF;
            UPDATE lease_holders h SET expires_at = clock_timestamp() + make_interval(secs => p_ttl)
            WHERE h.holder = p_holder AND h.expires_at > clock_timestamp();
            IF NOT FOUND THEN
                -- Reclaimed: this holder's slices are gone; nothing of this call is kept.
                RAISE EXCEPTION USING ERRCODE = 'SY001', MESSAGE = 'lease holder reclaimed';
            END IF;

            window_requests := wr + grant_r;
            window_tokens := wt + grant_t;
            UPDATE key_state s SET
                window_start = switchyard_lease.window_start,
                window_requests = switchyard_lease.window_requests,
                window_tokens = switchyard_lease.window_tokens,
                in_flight = s.in_flight + grant_s,
                reserved = s.reserved + grant_c
            WHERE s.key_id = p_key;
        END;
        $$;

        -- Hands back unused slices: requests and tokens only to the window they were taken in
        -- (d_t may be positive: tokens used beyond the slice, counted late), slots and credits
        -- only while the holder's lease row still has them (a reclaimed lease was already returned).
        CREATE FUNCTION switchyard_return(p_key text, p_holder uuid, p_window bigint, ret_r integer, d_t bigint, ret_s integer, ret_c numeric)
        RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM 1 FROM key_state s WHERE s.key_id = p_key FOR UPDATE;
            UPDATE key_state s SET
                window_requests = CASE WHEN s.window_start = p_window THEN GREATEST(0, s.window_requests - ret_r) ELSE s.window_requests END,
                window_tokens = CASE WHEN s.window_start = p_window THEN GREATEST(0, s.window_tokens + d_t) ELSE s.window_tokens END
            WHERE s.key_id = p_key;
            IF ret_s <> 0 OR ret_c <> 0 THEN
                UPDATE key_leases l SET slots = l.slots - ret_s, credits = l.credits - ret_c
                WHERE l.key_id = p_key AND l.holder = p_holder;
                IF FOUND THEN
                    UPDATE key_state s SET in_flight = s.in_flight - ret_s, reserved = s.reserved - ret_c WHERE s.key_id = p_key;
                    DELETE FROM key_leases l WHERE l.key_id = p_key AND l.holder = p_holder AND l.slots = 0 AND l.credits = 0;
                END IF;
            END IF;
        END;
        $$;

        -- Hands back the slots and credits of holders that stopped renewing. The holders go first,
        -- in a statement of their own, so a holder that renews late finds itself reclaimed.
        CREATE FUNCTION switchyard_reclaim() RETURNS integer LANGUAGE plpgsql AS $$
        DECLARE
            lease record;
            reclaimed integer := 0;
        BEGIN
            FOR lease IN
                SELECT l.key_id, l.holder FROM key_leases l
                WHERE NOT EXISTS (SELECT 1 FROM lease_holders h WHERE h.holder = l.holder)
                ORDER BY l.key_id
            LOOP
                PERFORM 1 FROM key_state s WHERE s.key_id = lease.key_id FOR UPDATE;
                WITH gone AS (
                    DELETE FROM key_leases l WHERE l.key_id = lease.key_id AND l.holder = lease.holder RETURNING l.slots, l.credits)
                UPDATE key_state s SET in_flight = s.in_flight - gone.slots, reserved = s.reserved - gone.credits
                FROM gone WHERE s.key_id = lease.key_id;
                reclaimed := reclaimed + 1;
            END LOOP;
            RETURN reclaimed;
        END;
        $$;
        """,
        // 3: overdraws. A request that cost more than its reservation and its process's slice is
        // charged in full; the excess is added to the process's lease at once, so the fleet sees
        // the key's balance fall before the ledger writes the row, and its next request is a 402.
        // And an index for the authenticator's refresh of known key hashes.
        """
        CREATE FUNCTION switchyard_overdraw(p_key text, p_holder uuid, p_credits numeric)
        RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO key_state (key_id) VALUES (p_key) ON CONFLICT DO NOTHING;
            PERFORM 1 FROM key_state s WHERE s.key_id = p_key FOR UPDATE;
            INSERT INTO key_leases AS l (key_id, holder, credits) VALUES (p_key, p_holder, p_credits)
            ON CONFLICT (key_id, holder) DO UPDATE SET credits = l.credits + excluded.credits;
            UPDATE key_state s SET reserved = s.reserved + p_credits WHERE s.key_id = p_key;
        END;
        $$;

        -- The authenticator refreshes its set of known key hashes by creation time.
        CREATE INDEX keys_created ON keys (created_at);
        """,
        // 4: the console's request page shows where a request's time went.
        """
        ALTER TABLE requests ADD COLUMN queue_ms double precision NULL;
        ALTER TABLE requests ADD COLUMN upstream_ms double precision NULL;
        """,
        // 5: teams. A key may belong to a team, whose limits and credits bind the sum of its keys'
        // use. A team's counters are a key_state row under its id (team_…, never a key's id), leased
        // by the same functions as a key's, and the ledger moves each charge into both rows; each
        // request row names the team it was charged to.
        """
        CREATE TABLE teams (
            id             text PRIMARY KEY,
            name           text NOT NULL UNIQUE,
            rpm            integer NULL,
            tpm            integer NULL,
            max_concurrent integer NULL,
            credits        numeric(24, 8) NULL,
            created_at     timestamptz NOT NULL
        );
        ALTER TABLE keys ADD COLUMN team_id text NULL REFERENCES teams (id);
        CREATE INDEX keys_team ON keys (team_id);
        ALTER TABLE requests ADD COLUMN team_id text NULL;
        CREATE INDEX requests_team_day ON requests (team_id, day);
        """,
    ];
}
