using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchyard.Storage;

namespace Switchyard.Limits;

/// <summary>
/// The <c>x-ratelimit-*</c> headers OpenAI sends (docs/behaviour.md): limit, remaining and reset, for
/// requests when the key (or its team) has <c>rpm</c> and for tokens when it has <c>tpm</c>, on
/// answers and 429s alike; where both have a limit, the one with less left. One request's
/// admissions are gathered here and written once, when its response starts or is refused: a
/// request is admitted in up to four parts (key and team, before and after its body), and the
/// same header set more than once was a tenth of what governance cost a request.
/// </summary>
internal sealed class RateLimitHeaders
{
    // Every reset within a rate window, formatted once: these headers go out on every limited answer.
    private const int WindowDurations = AdmissionResult.WindowSeconds;

    private static readonly string[] Durations = Enumerable.Range(0, WindowDurations + 1).Select(Format).ToArray();

    // The limit last written of each kind: a key's limit is the same on all its answers.
    private static LimitText? s_requestsLimit;
    private static LimitText? s_tokensLimit;

    private Budget? _requests;
    private Budget? _tokens;

    /// <summary>
    /// Takes in the limits <paramref name="admission"/> has (the requests headers only for the part
    /// that counted the request, or a refusal). With <paramref name="tighterOnly"/> (a team's, after
    /// its key's), an admitted request's headers change only where this budget has less left than
    /// the one already taken in, or where that one had no such limit; a refusal's always do.
    /// </summary>
    public void Add(Admission admission, AdmissionResult result, bool tighterOnly = false)
    {
        // A part that counted no request (the budget part, after the body) leaves the requests
        // headers as the part that counted it set them, unless it refuses.
        if (admission.Rpm is { } rpm && (admission.CountsRequest || !result.Admitted))
        {
            var remaining = Math.Max(0, rpm - result.RequestsUsed);
            if (!tighterOnly || !result.Admitted || _requests is not { } taken || taken.Remaining > remaining)
            {
                _requests = new Budget(rpm, remaining, result.UntilReset);
            }
        }

        if (admission.Tpm is { } tpm)
        {
            var remaining = Math.Max(0, tpm - result.TokensUsed);
            if (!tighterOnly || !result.Admitted || _tokens is not { } taken || taken.Remaining > remaining)
            {
                _tokens = new Budget(tpm, remaining, result.UntilReset);
            }
        }
    }

    /// <summary>Sets the headers of what was taken in so far (again, if called again: the same values).</summary>
    public void WriteTo(IHeaderDictionary headers)
    {
        if (_requests is { } requests)
        {
            headers["x-ratelimit-limit-requests"] = LimitText.Of(ref s_requestsLimit, requests.Limit);
            headers["x-ratelimit-remaining-requests"] = requests.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-requests"] = Duration(requests.UntilReset);
        }

        if (_tokens is { } tokens)
        {
            headers["x-ratelimit-limit-tokens"] = LimitText.Of(ref s_tokensLimit, tokens.Limit);
            headers["x-ratelimit-remaining-tokens"] = tokens.Remaining.ToString(CultureInfo.InvariantCulture);
            headers["x-ratelimit-reset-tokens"] = Duration(tokens.UntilReset);
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

    private readonly record struct Budget(long Limit, long Remaining, TimeSpan UntilReset);

    /// <summary>A limit and its text, swapped whole so a reader never pairs one limit with another's text.</summary>
    private sealed record LimitText(long Value, string Text)
    {
        public static string Of(ref LimitText? last, long value)
        {
            if (Volatile.Read(ref last) is { } known && known.Value == value)
            {
                return known.Text;
            }

            var text = value.ToString(CultureInfo.InvariantCulture);
            Volatile.Write(ref last, new LimitText(value, text));
            return text;
        }
    }
}
