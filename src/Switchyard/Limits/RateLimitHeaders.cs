using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchyard.Storage;

namespace Switchyard.Limits;

/// <summary>
/// The <c>x-ratelimit-*</c> headers OpenAI sends (docs/behaviour.md): limit, remaining and reset, for
/// requests when the key (or its team) has <c>rpm</c> and for tokens when it has <c>tpm</c>, on
/// answers and 429s alike; where both have a limit, the one with less left.
/// </summary>
internal static class RateLimitHeaders
{
    // Every reset within a rate window, formatted once: these headers go out on every limited answer.
    private const int WindowDurations = AdmissionResult.WindowSeconds;

    private static readonly string[] Durations = Enumerable.Range(0, WindowDurations + 1).Select(Format).ToArray();

    /// <summary>
    /// Writes the headers of the limits <paramref name="admission"/> has (the requests headers only
    /// for the part that counted the request, or a refusal). With <paramref name="tighterOnly"/>
    /// (a team's, after its key's), an admitted request's headers change only where this budget has
    /// less left than the one already written, or where that one had no such limit; a refusal's always do.
    /// </summary>
    public static void Write(IHeaderDictionary headers, Admission admission, AdmissionResult result, bool tighterOnly = false)
    {
        var reset = Duration(result.UntilReset);

        // A part that counted no request (the budget part, after the body) leaves the requests
        // headers as the part that counted it wrote them, unless it refuses.
        if (admission.Rpm is { } rpm && (admission.CountsRequest || !result.Admitted))
        {
            var remaining = Math.Max(0, rpm - result.RequestsUsed);
            if (!tighterOnly || !result.Admitted || Looser(headers, "x-ratelimit-remaining-requests", remaining))
            {
                headers["x-ratelimit-limit-requests"] = rpm.ToString(CultureInfo.InvariantCulture);
                headers["x-ratelimit-remaining-requests"] = remaining.ToString(CultureInfo.InvariantCulture);
                headers["x-ratelimit-reset-requests"] = reset;
            }
        }

        if (admission.Tpm is { } tpm)
        {
            var remaining = Math.Max(0, tpm - result.TokensUsed);
            if (!tighterOnly || !result.Admitted || Looser(headers, "x-ratelimit-remaining-tokens", remaining))
            {
                headers["x-ratelimit-limit-tokens"] = tpm.ToString(CultureInfo.InvariantCulture);
                headers["x-ratelimit-remaining-tokens"] = remaining.ToString(CultureInfo.InvariantCulture);
                headers["x-ratelimit-reset-tokens"] = reset;
            }
        }
    }

    /// <summary>Is what the header says is left more than <paramref name="remaining"/> (or is there no such header)?</summary>
    private static bool Looser(IHeaderDictionary headers, string name, long remaining) =>
        !long.TryParse(headers[name].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var written) || written > remaining;

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
