using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Limits;

/// <summary>
/// The <c>x-ratelimit-*</c> headers OpenAI sends (docs/behaviour.md): limit, remaining and reset, for
/// requests when the key has <c>rpm</c> and for tokens when it has <c>tpm</c>, on answers and 429s alike.
/// </summary>
internal static class RateLimitHeaders
{
    // Every reset within a rate window, formatted once: these headers go out on every limited answer.
    private const int WindowDurations = AdmissionResult.WindowSeconds;

    private static readonly string[] Durations = Enumerable.Range(0, WindowDurations + 1).Select(Format).ToArray();

    public static void Write(IHeaderDictionary headers, Admission admission, AdmissionResult result)
    {
        var reset = Duration(result.UntilReset);
        if (admission.Rpm is { } rpm)
        {
            headers["x-ratelimit-limit-requests"] = rpm.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-requests"] = Math.Max(0, rpm - result.RequestsUsed).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = reset;
        }

        if (admission.Tpm is { } tpm)
        {
            headers["x-ratelimit-limit-tokens"] = tpm.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-remaining-tokens"] = Math.Max(0, tpm - result.TokensUsed).ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-tokens"] = reset;
        }
    }

    /// <summary>OpenAI's duration format: <c>17s</c>, <c>1m0s</c>; rounded up, so waiting that long always suffices.</summary>
    public static string Duration(TimeSpan span)
    {
        var seconds = (int)Math.Ceiling(span.TotalSeconds);
        return seconds is >= 0 and <= WindowDurations ? Durations[seconds] : Format(seconds);
    }

    private static string Format(int seconds) =>
        seconds >= 60
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}m{seconds % 60}s")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
}
