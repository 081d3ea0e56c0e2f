namespace Switchyard.Storage;

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
    /// The whole cost is charged, even beyond the reservation: the upstream served it, so the
    /// ledger records it, and the key's balance may go below zero by what its requests in
    /// flight cost beyond their reservations; its next request is then refused with 402.
    /// </summary>
    ValueTask<Settlement> ReleaseAsync(Admission admission, long windowStart, long tokensUsed, decimal cost, CancellationToken cancellationToken);

    /// <summary>
    /// Undoes an admission whose request never ran (its key admitted it and its team refused):
    /// its request and tokens go back to the window it was counted in, its slot and its credit
    /// reservation are freed, as if it had never been admitted.
    /// </summary>
    ValueTask CancelAsync(Admission admission, long windowStart, CancellationToken cancellationToken);
}
