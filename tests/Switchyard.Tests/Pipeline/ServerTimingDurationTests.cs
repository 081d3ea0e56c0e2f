using System.Globalization;
using CsCheck;
using Switchyard.Pipeline;

namespace Switchyard.Tests.Pipeline;

/// <summary>
/// <c>Server-Timing</c> durations are written without a custom numeric format (its slow path), and
/// must read exactly as <c>0.###</c> wrote them: at most three decimals, no trailing zeros.
/// </summary>
public sealed class ServerTimingDurationTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(5, "0.001")]
    [InlineData(4, "0")]
    [InlineData(10_000, "1")]
    [InlineData(12_000, "1.2")]
    [InlineData(12_340, "1.234")]
    [InlineData(12_300, "1.23")]
    [InlineData(27_429_845, "2742.985")]
    [InlineData(-12_345, "-1.235")]
    public void Writes_milliseconds_with_at_most_three_decimals(long ticks, string expected) =>
        Assert.Equal(expected, new GatewayRequest.Milliseconds(TimeSpan.FromTicks(ticks)).ToString());

    [Fact]
    public void The_extreme_durations_are_written_not_thrown()
    {
        Assert.Equal("922337203685477.581", new GatewayRequest.Milliseconds(TimeSpan.MaxValue).ToString());
        Assert.Equal("-922337203685477.581", new GatewayRequest.Milliseconds(TimeSpan.MinValue).ToString());
    }

    [Fact]
    public void Any_duration_reads_as_the_custom_format_wrote_it()
    {
        Gen.Long[-10_000_000_000, 10_000_000_000].Sample(ticks =>
        {
            var span = TimeSpan.FromTicks(ticks);
            Assert.Equal(span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture), new GatewayRequest.Milliseconds(span).ToString());
        }, iter: 20_000);
    }
}
