namespace Switchyard.Limits;

/// <summary>
/// Where a key's rate windows, requests in flight and credit reservations are counted. Each
/// call is atomic: concurrent admissions of one key never both take the last unit of a limit.
/// </summary>
internal interface IRateLimitStore
{
    /// <summary>Admits the request and takes its reservation, or refuses it and changes nothing.</summary>
    ValueTask<AdmissionResult> TryAdmitAsync(Admission admission, CancellationToken cancellationToken);

    /// <summary>
    /// Ends an admitted request: frees its slot, corrects its window's tokens to
    /// <paramref name="tokensUsed"/>, and settles its credit reservation to <paramref name="cost"/>.
    /// Returns the credits charged: the cost, or less when the cost exceeded the reservation and
    /// the balance could not cover the difference (a key never spends credits it does not have).
    /// </summary>
    ValueTask<decimal> ReleaseAsync(Admission admission, long windowStart, long tokensUsed, decimal cost, CancellationToken cancellationToken);

    /// <summary>
    /// True when the charges returned by <see cref="ReleaseAsync"/> stay held in the key's
    /// reservation until the ledger writes their rows (the ledger then moves them to spent).
    /// </summary>
    bool HoldsChargesUntilLedgered { get; }
}
