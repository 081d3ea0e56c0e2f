using Microsoft.AspNetCore.Http;
using Switchyard.Limits;
using Switchyard.Storage;

namespace Switchyard.Tests.Limits;

/// <summary>
/// Which part of an admission writes which <c>x-ratelimit-*</c> headers: the requests headers come
/// from the part that counted the request; the budget part, after the body, writes only the tokens
/// headers unless it refuses.
/// </summary>
public sealed class RateLimitHeadersTests
{
    private static readonly Admission Limits = new() { KeyId = "k", Rpm = 10, Tpm = 1000, Tokens = 0, Cost = 0m };

    [Fact]
    public void The_request_part_writes_both_and_an_admitted_budget_part_only_the_tokens()
    {
        var headers = new HeaderDictionary();
        RateLimitHeaders.Write(headers, Limits with { ReservesBudget = false }, new AdmissionResult(LimitRefusal.None, 0, 3, 0, TimeSpan.FromSeconds(20)));
        RateLimitHeaders.Write(headers, Limits with { CountsRequest = false, HoldsSlot = false, ReservesBudget = true, Tokens = 250 }, new AdmissionResult(LimitRefusal.None, 0, 4, 250, TimeSpan.FromSeconds(19)));

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
        var headers = new HeaderDictionary();
        RateLimitHeaders.Write(headers, Limits with { ReservesBudget = false }, new AdmissionResult(LimitRefusal.None, 0, 3, 900, TimeSpan.FromSeconds(20)));
        RateLimitHeaders.Write(headers, Limits with { CountsRequest = false, HoldsSlot = false, ReservesBudget = true, Tokens = 250 }, new AdmissionResult(LimitRefusal.Tokens, 0, 5, 900, TimeSpan.FromSeconds(19)));

        Assert.Equal("5", headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("19s", headers["x-ratelimit-reset-requests"]);
        Assert.Equal("100", headers["x-ratelimit-remaining-tokens"]);
    }
}
