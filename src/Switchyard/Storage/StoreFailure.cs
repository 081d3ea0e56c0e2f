using Microsoft.Data.Sqlite;
using Npgsql;
using Switchyard.Dialects;

namespace Switchyard.Storage;

/// <summary>
/// Tells a store that is down, slow or full (PostgreSQL restarting or unreachable, SQLite locked,
/// a disk full) from a bug: the first is a 503 with <c>Retry-After</c> in the caller's envelope,
/// the second stays a 500.
/// </summary>
internal static class StoreFailure
{
    /// <summary>How long a request waits for the store before it is answered with a 503.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public static bool IsUnavailable(Exception exception) => exception switch
    {
        NpgsqlException postgres => postgres.IsTransient || postgres is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "53100" or "53200" },
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 /* BUSY */ or 6 /* LOCKED */ or 8 /* READONLY */ or 10 /* IOERR */ or 13 /* FULL */ or 14 /* CANTOPEN */ or 15 /* PROTOCOL */,
        TimeoutException or StoreTimeoutException => true,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };

    public static GatewayError Error() =>
        new(GatewayErrorKind.AllDeploymentsBusy, "The gateway's database is unavailable or too slow at the moment; try again shortly.")
        {
            Code = "store_unavailable",
            RetryAfter = TimeSpan.FromSeconds(5),
        };

    /// <summary>
    /// The same for a call that usually answers from memory (counters, lease slices): the timer and
    /// the request's abort are hooked up only when it did not answer at once, so the common case
    /// costs no timer-queue entry.
    /// </summary>
    public static ValueTask<T> WithinTimeoutAsync<TState, T>(TState state, Func<TState, CancellationToken, ValueTask<T>> call, CancellationToken cancellationToken)
    {
        var timeout = new CancellationTokenSource();
        ValueTask<T> pending;
        try
        {
            pending = call(state, timeout.Token);
        }
        catch
        {
            timeout.Dispose();
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            timeout.Dispose();
            return pending;
        }

        return WaitAsync(pending, timeout, cancellationToken);

        static async ValueTask<T> WaitAsync(ValueTask<T> pending, CancellationTokenSource timeout, CancellationToken cancellationToken)
        {
            using var _ = timeout;
            await using var aborted = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), timeout);
            timeout.CancelAfter(RequestTimeout);
            try
            {
                return await pending.AsTask().WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new StoreTimeoutException();
            }
        }
    }

    /// <summary>Runs a store call that a request waits for, giving up after <see cref="RequestTimeout"/>.</summary>
    public static async Task<T> WithinTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        try
        {
            return await call(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StoreTimeoutException();
        }
    }
}

/// <summary>A store call a request waited for did not answer in time.</summary>
internal sealed class StoreTimeoutException : Exception
{
    public StoreTimeoutException()
        : base("The store did not answer in time.")
    {
    }

    public StoreTimeoutException(string message)
        : base(message)
    {
    }

    public StoreTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
