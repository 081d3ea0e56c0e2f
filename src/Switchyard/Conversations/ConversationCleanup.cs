using Microsoft.Extensions.Hosting;
using Switchyard.Storage;

namespace Switchyard.Conversations;

/// <summary>Deletes stored responses past their retention, hourly (reads already ignore them).</summary>
internal sealed class ConversationCleanup(IConversationStore store, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            await store.DeleteExpiredAsync(time.GetUtcNow(), stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
