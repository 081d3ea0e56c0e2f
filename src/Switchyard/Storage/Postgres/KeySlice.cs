namespace Switchyard.Storage.Postgres;

/// <summary>
/// One process's slice of a key's shared budget (PostgreSQL storage): what it was granted of the
/// current rate window, of the key's slots in flight and of its credits, and what of that its own
/// requests use. Requests are admitted and settled against the slice alone; only a shortfall goes
/// to the database. Every member is used under the slice's lock.
/// </summary>
internal sealed class KeySlice
{
    // The least a credit need can be: a key whose credits are used up admits nothing, even at no cost.
    private const decimal LeastCredit = 0.00000001m;

    /// <summary>One database call per key at a time; admissions that need one wait here, then look again.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    // The limits the slice was granted under; other limits (an edit, a top-up) mean a fresh slice.
    public int? Rpm;
    public int? Tpm;
    public int? Slots;
    public decimal? Credits;

    // The database's current rate window, as far as this process may use it (ends early rather than late).
    public long Window;
    public long WindowEnds;
    public int RequestsGranted;
    public int RequestsUsed;
    public long TokensGranted;
    public long TokensUsed;

    // The fleet's window counts at the last grant, for the x-ratelimit-* headers.
    public int FleetRequests;
    public long FleetTokens;

    public int SlotsGranted;
    public int SlotsUsed;

    public decimal CreditsGranted;
    public decimal CreditsReserved;

    /// <summary>Charges settled but not yet in the ledger; they stay in the slice until the ledger moves them to spent.</summary>
    public decimal CreditsHeld;

    /// <summary>Units on their way back to the database without anyone waiting for them; the next lease waits for them first.</summary>
    public Task Returning = Task.CompletedTask;

    /// <summary>The last grant gave no more than was needed: the key is near a limit, so units go back as soon as they are free.</summary>
    public bool Tight;

    /// <summary>The database's last refusal, repeated until <see cref="RefusedUntil"/> unless something is released first.</summary>
    public AdmissionResult? Refused;
    public long RefusedUntil;

    // Demand since each part's last ask, to size its next one. The two parts of a request ask
    // apart (slots and rate units from its headers, tokens and credits once its body is read), so
    // each keeps its own measure: with one shared measure, each part's ask reset the other's, an
    // ask then saw no admissions since, asked for its need alone and made the slice tight, and
    // every release handed its units straight back (a key with all four limits: a lease and two
    // returns per request, a twentieth of its throughput).
    public readonly Demand RequestDemand = new();
    public readonly Demand BudgetDemand = new();
    public long LastAdmitted;

    public bool SameLimits(Admission admission) =>
        Rpm == admission.Rpm && Tpm == admission.Tpm && Slots == admission.MaxConcurrent && Credits == admission.Credits;

    public void TakeLimits(Admission admission)
    {
        Rpm = admission.Rpm;
        Tpm = admission.Tpm;
        Slots = admission.MaxConcurrent;
        Credits = admission.Credits;
    }

    /// <summary>Forgets a rate window that has ended: its unused units died with it in the database too.</summary>
    public void Roll(long now)
    {
        if (Window != 0 && now >= WindowEnds)
        {
            Window = 0;
            RequestsGranted = RequestsUsed = 0;
            TokensGranted = TokensUsed = 0;
        }
    }

    /// <summary>What the slice lacks to admit this request, per dimension; all zero when it can admit it now.</summary>
    public Shortfall Lacks(Admission admission) => new(
        admission.Rpm is null || !admission.CountsRequest ? 0 : Math.Max(0, RequestsUsed + 1 - RequestsGranted),
        admission.Tpm is null || !admission.ReservesBudget ? 0 : Math.Max(0, TokensUsed + admission.Tokens - TokensGranted),
        admission.MaxConcurrent is null || !admission.HoldsSlot ? 0 : Math.Max(0, SlotsUsed + 1 - SlotsGranted),
        admission.Credits is null || !admission.ReservesBudget ? 0 : Math.Max(0, CreditsReserved + CreditsHeld + Math.Max(admission.Cost, LeastCredit) - CreditsGranted));

    /// <summary>Takes the request's units from the slice; call only when <see cref="Lacks"/> is all zero.</summary>
    public AdmissionResult Take(Admission admission, long now, TimeSpan untilReset)
    {
        if (admission.Rpm is not null && admission.CountsRequest)
        {
            RequestsUsed++;
        }

        if (admission.Tpm is not null && admission.ReservesBudget)
        {
            TokensUsed += admission.Tokens;
        }

        if (admission.MaxConcurrent is not null && admission.HoldsSlot)
        {
            SlotsUsed++;
        }

        if (admission.Credits is not null && admission.ReservesBudget)
        {
            CreditsReserved += admission.Cost;
        }

        var demand = DemandOf(admission);
        demand.Admitted++;
        demand.Tokens += admission.Tokens;
        demand.Cost += admission.Cost;
        LastAdmitted = now;
        return new AdmissionResult(LimitRefusal.None, Window,
            FleetRequests - RequestsGranted + RequestsUsed, FleetTokens - TokensGranted + TokensUsed, untilReset);
    }

    /// <summary>
    /// What to ask of the database: each lacking dimension's need, and a want that also covers the
    /// demand expected over <paramref name="horizon"/> at the rate seen since the last grant, capped
    /// at a share of the limit so that other processes always find some left.
    /// </summary>
    public LeaseAsk Ask(Admission admission, Shortfall lacks, long now, TimeProvider time, TimeSpan horizon, int share)
    {
        var demand = DemandOf(admission);
        var seconds = Math.Max(time.GetElapsedTime(demand.Since, now).TotalSeconds, 0.05);
        var expected = (int)Math.Min(int.MaxValue / 4, demand.Admitted / seconds * horizon.TotalSeconds);
        var perRequestTokens = demand.Admitted == 0 ? admission.Tokens : demand.Tokens / demand.Admitted;
        var perRequestCost = demand.Admitted == 0 ? admission.Cost : demand.Cost / demand.Admitted;
        demand.Admitted = 0;
        demand.Tokens = 0;
        demand.Cost = 0;
        demand.Since = now;

        var credits = Math.Max(lacks.Credits, lacks.Credits > 0 ? LeastCredit : 0);
        return new LeaseAsk(
            lacks.Requests, lacks.Requests == 0 ? 0 : lacks.Requests + Math.Min(expected, (admission.Rpm ?? 0) / share),
            lacks.Tokens, lacks.Tokens == 0 ? 0 : lacks.Tokens + Math.Min(expected * perRequestTokens, (admission.Tpm ?? 0) / share),
            lacks.Slots, lacks.Slots == 0 ? 0 : lacks.Slots + Math.Min(expected, (admission.MaxConcurrent ?? 0) / share),
            credits, credits == 0 ? 0 : credits + Math.Min(expected * perRequestCost, (admission.Credits ?? 0) / share));
    }

    /// <summary>A request's budget part is measured apart from the part that counts it (or from an admission of both at once).</summary>
    private Demand DemandOf(Admission admission) => admission.ReservesBudget && !admission.CountsRequest ? BudgetDemand : RequestDemand;

    /// <summary>Adds a grant; a new window replaces the old one's units.</summary>
    public void Add(LeaseGrant grant, long sent, bool tight)
    {
        Tight = tight;
        Refused = null;
        if (grant.Window != Window)
        {
            Window = grant.Window;
            RequestsGranted = RequestsUsed = 0;
            TokensGranted = TokensUsed = 0;
        }

        // Measured from before the call was sent, so this process stops using the window before the database does.
        WindowEnds = sent + (long)(grant.UntilReset.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        RequestsGranted += grant.Requests;
        TokensGranted += grant.Tokens;
        SlotsGranted += grant.Slots;
        CreditsGranted += grant.Credits;
        FleetRequests = grant.WindowRequests;
        FleetTokens = grant.WindowTokens;
    }

    /// <summary>
    /// Ends an admitted request locally; returns the part of its cost the slice holds until the
    /// ledger moves it to spent: all of it while the slice covers it, else the slice's rest.
    /// </summary>
    public decimal Release(Admission admission, long windowStart, long tokensUsed, decimal cost)
    {
        Refused = null;
        if (admission.MaxConcurrent is not null && admission.HoldsSlot)
        {
            SlotsUsed--;
        }

        if (admission.Tpm is not null && admission.ReservesBudget && windowStart == Window && Window != 0)
        {
            TokensUsed = Math.Max(0, TokensUsed + tokensUsed - admission.Tokens);
        }

        if (admission.Credits is null || !admission.ReservesBudget)
        {
            return 0m;
        }

        CreditsReserved -= admission.Cost;
        var held = cost;
        if (cost > admission.Cost)
        {
            // The reservation covers the cost it promised; beyond it, what the slice has left.
            held = admission.Cost + Math.Min(cost - admission.Cost, Math.Max(0, CreditsGranted - CreditsReserved - CreditsHeld - admission.Cost));
        }

        CreditsHeld += held;
        return held;
    }

    /// <summary>Undoes an admission taken from the slice whose request never ran: its units are the slice's again.</summary>
    public void Cancel(Admission admission, long windowStart)
    {
        Refused = null;
        if (windowStart == Window && Window != 0)
        {
            if (admission.Rpm is not null && admission.CountsRequest)
            {
                RequestsUsed = Math.Max(0, RequestsUsed - 1);
            }

            if (admission.Tpm is not null && admission.ReservesBudget)
            {
                TokensUsed = Math.Max(0, TokensUsed - admission.Tokens);
            }
        }

        if (admission.MaxConcurrent is not null && admission.HoldsSlot)
        {
            SlotsUsed--;
        }

        if (admission.Credits is not null && admission.ReservesBudget)
        {
            CreditsReserved -= admission.Cost;
        }
    }

    /// <summary>
    /// Shrinks the slice to what its requests use and returns the rest to hand back. Shrinking
    /// first means that if the database call fails, the database keeps more than this process
    /// thinks it holds, never less.
    /// </summary>
    public LeaseReturn Surplus()
    {
        var surplus = new LeaseReturn(
            Window,
            Math.Max(0, RequestsGranted - RequestsUsed),
            Window == 0 ? 0 : TokensUsed - TokensGranted,
            Math.Max(0, SlotsGranted - SlotsUsed),
            Math.Max(0, CreditsGranted - CreditsReserved - CreditsHeld));
        RequestsGranted -= surplus.Requests;
        TokensGranted += surplus.TokensDelta;
        SlotsGranted -= surplus.Slots;
        CreditsGranted -= surplus.Credits;
        return surplus;
    }

    /// <summary>Tokens this process's requests used beyond the slice (their input estimate fell short), to be counted in the database.</summary>
    public LeaseReturn Overdraft()
    {
        var over = Window == 0 ? 0 : Math.Max(0, TokensUsed - TokensGranted);
        TokensGranted += over;
        return new LeaseReturn(Window, 0, over, 0, 0);
    }

    /// <summary>The holder's leases were reclaimed: the slots and credits are no longer this process's.</summary>
    public void Lose()
    {
        SlotsGranted = 0;
        CreditsGranted = 0;
    }
}

/// <summary>Admissions of one kind since its last ask, and what they reserved.</summary>
internal sealed class Demand
{
    public long Since;
    public int Admitted;
    public long Tokens;
    public decimal Cost;
}

internal readonly record struct Shortfall(int Requests, long Tokens, int Slots, decimal Credits)
{
    public bool None => Requests == 0 && Tokens == 0 && Slots == 0 && Credits == 0;

    /// <summary>Does the slice lack what this limit refused?</summary>
    public bool In(LimitRefusal refusal) => refusal switch
    {
        LimitRefusal.Requests => Requests > 0,
        LimitRefusal.Tokens => Tokens > 0,
        LimitRefusal.Concurrency => Slots > 0,
        LimitRefusal.Credits => Credits > 0,
        _ => false,
    };
}

internal readonly record struct LeaseAsk(int NeedRequests, int WantRequests, long NeedTokens, long WantTokens, int NeedSlots, int WantSlots, decimal NeedCredits, decimal WantCredits);

internal readonly record struct LeaseGrant(long Window, TimeSpan UntilReset, int Requests, long Tokens, int Slots, decimal Credits, int WindowRequests, long WindowTokens);

internal readonly record struct LeaseReturn(long Window, int Requests, long TokensDelta, int Slots, decimal Credits)
{
    public bool Empty => Requests == 0 && TokensDelta == 0 && Slots == 0 && Credits == 0;
}
