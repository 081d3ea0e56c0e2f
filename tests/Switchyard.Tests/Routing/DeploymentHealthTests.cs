using Microsoft.Extensions.Time.Testing;
using Switchyard.Configuration;
using Switchyard.Routing;

namespace Switchyard.Tests.Routing;

public sealed class DeploymentHealthTests
{
    [Fact]
    public void Benches_after_three_failures_in_a_row_and_doubles_while_the_probe_keeps_failing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var health = new DeploymentHealth(time, () => new RoutingOptions { BenchAfterFailures = 3, BenchSeconds = 10 });

        Assert.False(health.RecordFailure("d"));
        Assert.False(health.RecordFailure("d"));
        Assert.True(health.RecordFailure("d"));
        Assert.False(health.TryEnter("d"));

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(health.TryEnter("d"));
        Assert.False(health.TryEnter("d"));
        Assert.True(health.RecordFailure("d"));

        time.Advance(TimeSpan.FromSeconds(19));
        Assert.False(health.TryEnter("d"));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(health.TryEnter("d"));
        health.RecordSuccess("d");
        Assert.True(health.TryEnter("d"));
        Assert.False(health.IsBenched("d"));
    }

    [Fact]
    public void Caps_the_bench_at_five_minutes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var health = new DeploymentHealth(time, () => new RoutingOptions { BenchAfterFailures = 1, BenchSeconds = 10 });

        for (var i = 0; i < 12; i++)
        {
            health.RecordFailure("d");
            time.Advance(TimeSpan.FromMinutes(5));
            Assert.True(health.TryEnter("d"));
        }

        health.RecordFailure("d");
        Assert.Equal(TimeSpan.FromMinutes(5), health.RetryAfter(["d"]));
    }

    [Fact]
    public void A_success_between_failures_resets_the_count()
    {
        var health = new DeploymentHealth(new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), () => new RoutingOptions { BenchAfterFailures = 3 });

        health.RecordFailure("d");
        health.RecordFailure("d");
        health.RecordSuccess("d");
        health.RecordFailure("d");
        health.RecordFailure("d");

        Assert.True(health.TryEnter("d"));
    }
}
