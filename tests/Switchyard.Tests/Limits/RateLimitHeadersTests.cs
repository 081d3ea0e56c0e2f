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

    [Fact]
    public void The_request_part_writes_both_and_an_admitted_budget_part_only_the_tokens()
    {
        var limits = new RateLimitHeaders();
        limits.Add(Limits with { ReservesBudget = false }, new AdmissionResult(LimitRefusal.None, 0, 3, 0, TimeSpan.FromSeconds(20)));
        limits.Add(Limits with { CountsRequest = false, HoldsSlot = false, ReservesBudget = true, Tokens = 250 }, new AdmissionResult(LimitRefusal.None, 0, 4, 250, TimeSpan.FromSeconds(19)));
        var headers = new HeaderDictionary();
        limits.WriteTo(headers);

        Assert.Equal("10", headers["x-ratelimit-limit-requests"]);
        Assert.Equal("7", headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("20s", headers["x-ratelimit-reset-requests"]);
        Assert.Equal("1000", headers["x-ratelimit-limit-tokens"]);
        Assert.Equal("750", headers["x-ratelimit-remaining-tokens"]);
        Assert.Equal("19s", headers["x-ratelimit-reset-tokens"]);
    }

    [Fact]
    public void A_refusing_budget_part_writes_every_header()
    {
        var limits = new RateLimitHeaders();
        limits.Add(Limits with { ReservesBudget = false }, new AdmissionResult(LimitRefusal.None, 0, 3, 900, TimeSpan.FromSeconds(20)));
        limits.Add(Limits with { CountsRequest = false, HoldsSlot = false, ReservesBudget = true, Tokens = 250 }, new AdmissionResult(LimitRefusal.Tokens, 0, 5, 900, TimeSpan.FromSeconds(19)));
        var headers = new HeaderDictionary();
        limits.WriteTo(headers);

        Assert.Equal("5", headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("19s", headers["x-ratelimit-reset-requests"]);
        Assert.Equal("100", headers["x-ratelimit-remaining-tokens"]);
    }

    [Fact]
    public void A_team_part_replaces_only_what_it_has_less_of_and_its_refusal_replaces_everything()
    {
        var team = Limits with { KeyId = "team_t", ForTeam = true, Rpm = 5, Tpm = 100_000, ReservesBudget = false };
        var limits = new RateLimitHeaders();
        limits.Add(Limits with { ReservesBudget = false }, new AdmissionResult(LimitRefusal.None, 0, 3, 0, TimeSpan.FromSeconds(20)));
        limits.Add(team, new AdmissionResult(LimitRefusal.None, 0, 4, 0, TimeSpan.FromSeconds(30)), tighterOnly: true);
        var headers = new HeaderDictionary();
        limits.WriteTo(headers);

        // The key has 7 requests left and the team 1: the team's; tokens 1,000 against 100,000: the key's.
        Assert.Equal("5", headers["x-ratelimit-limit-requests"]);
        Assert.Equal("1", headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("30s", headers["x-ratelimit-reset-requests"]);
        Assert.Equal("1000", headers["x-ratelimit-limit-tokens"]);
        Assert.Equal("1000", headers["x-ratelimit-remaining-tokens"]);
        Assert.Equal("20s", headers["x-ratelimit-reset-tokens"]);

        limits.Add(team, new AdmissionResult(LimitRefusal.Requests, 0, 5, 99_000, TimeSpan.FromSeconds(29)), tighterOnly: true);
        limits.WriteTo(headers);
        Assert.Equal("0", headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("100000", headers["x-ratelimit-limit-tokens"]);
        Assert.Equal("1000", headers["x-ratelimit-remaining-tokens"]);
        Assert.Equal("29s", headers["x-ratelimit-reset-tokens"]);
    }

    [Fact]
    public void The_limit_text_follows_the_limit_when_keys_with_other_limits_alternate()
    {
        foreach (var rpm in new[] { 10, 20, 10, 10, 30 })
        {
            var limits = new RateLimitHeaders();
            limits.Add(Limits with { Rpm = rpm, Tpm = rpm * 100, ReservesBudget = false }, new AdmissionResult(LimitRefusal.None, 0, 1, 0, TimeSpan.FromSeconds(5)));
            var headers = new HeaderDictionary();
            limits.WriteTo(headers);
            Assert.Equal(rpm.ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-ratelimit-limit-requests"]);
            Assert.Equal((rpm * 100).ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-ratelimit-limit-tokens"]);
            Assert.Equal((rpm - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), headers["x-ratelimit-remaining-requests"]);
        }
    }
}
