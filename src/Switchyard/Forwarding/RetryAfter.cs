namespace Switchyard.Forwarding;

/// <summary>Reads an upstream's <c>Retry-After</c> (seconds or an HTTP date) so it can be passed on.</summary>
internal static class RetryAfter
{
    public static TimeSpan? From(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
