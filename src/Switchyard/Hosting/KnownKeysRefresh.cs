using Microsoft.Extensions.Hosting;
using Switchyard.Auth;
using Switchyard.Storage;

namespace Switchyard.Hosting;

/// <summary>
/// Every few seconds, adds the keys made elsewhere (the CLI, another process of a fleet) to the
/// authenticator's known keys, so such a key works here even while invented keys have used up
/// the lookup budget.
/// </summary>
internal sealed class KnownKeysRefresh(ApiKeyAuthenticator authenticator, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await authenticator.RefreshKnownKeysAsync(stoppingToken);
                }
                catch (Exception exception) when (StoreFailure.IsUnavailable(exception))
                {
                    // The store is down: the next tick tries again; keys known so far keep working.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
