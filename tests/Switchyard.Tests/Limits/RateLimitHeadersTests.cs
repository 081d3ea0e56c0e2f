using Microsoft.AspNetCore.Http;
using Switchyard.Limits;
using Switchyard.Storage;

namespace Switchyard.Tests.Limits;

/// <summary>
/// Which part of an admission writes which <c>x-ratelimit-*</c> headers: the requests headers come
/// from the part that counted the request; the budget part, after the body, writes only the tokens
/// headers unless it refuses; a team's part only where the team has less left. The parts are
/// gathered and written once.
/// </summary>
public sealed class RateLimitHeadersTests
{
    private static readonly Admission Limits = new() { KeyId = "k", Rpm = 10, Tpm = 1000, Tokens = 0, Cost = 0m };

    private static readonly Admission RequestPart = Limits with { ReservesBudget = false };

    private static readonly Admission BudgetPart = Limits with { CountsRequest = false, HoldsSlot = false, ReservesBudget = true, Tokens = 250 };

    private static AdmissionResult Result(LimitRefusal refusal, int requests, long tokens, int secondsLeft) =>
        new(refusal, 0, requests, tokens, TimeSpan.FromSeconds(secondsLeft));

    private static void AssertBudget(HeaderDictionary headers, string of, string limit, string remaining, string reset)
    {
        Assert.Equal(limit, headers["x-ratelimit-limit-" + of]);
        Assert.Equal(remaining, headers["x-ratelimit-remaining-" + of]);
        Assert.Equal(reset, headers["x-ratelimit-reset-" + of]);
    }

    private static HeaderDictionary Written(RateLimitHeaders limits)
    {
        var headers = new HeaderDictionary();
        limits.WriteTo(headers);
        return headers;
    }

    [Fact]
    public void The_request_part_writes_both_and_an_admitted_budget_part_only_the_tokens()
    {
        var limits = new RateLimitHeaders();
        limits.Add(RequestPart, Result(LimitRefusal.None, 3, 0, 20));
        limits.Add(BudgetPart, Result(LimitRefusal.None, 4, 250, 19));
        var headers = Written(limits);

        AssertBudget(headers, "requests", "10", "7", "20s");
        AssertBudget(headers, "tokens", "1000", "750", "19s");
    }

    [Fact]
    public void A_refusing_budget_part_writes_every_header()
    {
        var limits = new RateLimitHeaders();
        limits.Add(RequestPart, Result(LimitRefusal.None, 3, 900, 20));
        limits.Add(BudgetPart, Result(LimitRefusal.Tokens, 5, 900, 19));
        var headers = Written(limits);

        Assert.Equal("5", headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("19s", headers["x-ratelimit-reset-requests"]);
        Assert.Equal("100", headers["x-ratelimit-remaining-tokens"]);
    }

    [Fact]
    public void A_team_part_replaces_only_what_it_has_less_of_and_its_refusal_replaces_everything()
    {
        var team = RequestPart with { KeyId = "team_t", ForTeam = true, Rpm = 5, Tpm = 100_000 };
        var limits = new RateLimitHeaders();
        limits.Add(RequestPart, Result(LimitRefusal.None, 3, 0, 20));
        limits.Add(team, Result(LimitRefusal.None, 4, 0, 30), tighterOnly: true);
        var headers = Written(limits);

        // The key has 7 requests left and the team 1: the team's; tokens 1,000 against 100,000: the key's.
        AssertBudget(headers, "requests", "5", "1", "30s");
        AssertBudget(headers, "tokens", "1000", "1000", "20s");

        limits.Add(team, Result(LimitRefusal.Requests, 5, 99_000, 29), tighterOnly: true);
        headers = Written(limits);
        Assert.Equal("0", headers["x-ratelimit-remaining-requests"]);
        AssertBudget(headers, "tokens", "100000", "1000", "29s");
    }

    [Fact]
    public void The_limit_text_follows_the_limit_when_keys_with_other_limits_alternate()
    {
        foreach (var rpm in new[] { 10, 20, 10, 10, 30 })
        {
            var limits = new RateLimitHeaders();
            limits.Add(RequestPart with { Rpm = rpm, Tpm = rpm * 100 }, Result(LimitRefusal.None, 1, 0, 5));
            var headers = Written(limits);
            Assert.Equal(rpm.ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-ratelimit-limit-requests"]);
            Assert.Equal((rpm * 100).ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-ratelimit-limit-tokens"]);
            Assert.Equal((rpm - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-ratelimit-remaining-requests"]);
        }
    }
}
