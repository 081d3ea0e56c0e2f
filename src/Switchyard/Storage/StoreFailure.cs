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
    /// Runs a store call that a request waits for, giving up after <see cref="RequestTimeout"/>
    /// (a <see cref="StoreTimeoutException"/>; the call's token is cancelled then, and when the
    /// request is). Most calls answer from memory (counters, lease slices, cached keys): the timer
    /// and the request's abort are hooked up only when the call did not answer at once, so the
    /// common case costs no timer-queue entry.
    /// </summary>
    public static ValueTask<T> WithinTimeoutAsync<TState, T>(TState state, Func<TState, CancellationToken, ValueTask<T>> call,
        CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var source = new CancellationTokenSource();
        ValueTask<T> pending;
        try
        {
            pending = call(state, source.Token);
        }
        catch
        {
            source.Dispose();
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            source.Dispose();
            return pending;
        }

        return WaitAsync(pending, source, timeout ?? RequestTimeout, cancellationToken);

        static async ValueTask<T> WaitAsync(ValueTask<T> pending, CancellationTokenSource source, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var _ = source;

            // Registered after the call started: a request aborted before then cancels it here, at once.
            await using var aborted = cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), source);
            source.CancelAfter(timeout);
            try
            {
                return await pending.AsTask().WaitAsync(source.Token);
            }
            catch (OperationCanceledException) when (source.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new StoreTimeoutException();
            }
        }
    }

    /// <summary>The same for a call written as a task.</summary>
    public static Task<T> WithinTimeoutAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        WithinTimeoutAsync(call, static (call, token) => new ValueTask<T>(call(token)), cancellationToken).AsTask();
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
