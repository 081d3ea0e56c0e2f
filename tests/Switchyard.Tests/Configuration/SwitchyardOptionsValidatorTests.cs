using Switchyard.Configuration;

namespace Switchyard.Tests.Configuration;

public sealed class SwitchyardOptionsValidatorTests
{
    private static IReadOnlyList<string> Validate(ObservabilityOptions observability, Dictionary<string, string>? environment = null) =>
        SwitchyardOptionsValidator.Validate(new SwitchyardOptions { Observability = observability },
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null);

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rejects_a_minimum_body_rate_that_is_no_number_of_bytes(double rate)
    {
        var problems = SwitchyardOptionsValidator.Validate(new SwitchyardOptions { Limits = new LimitsOptions { MinBodyBytesPerSecond = rate } }, _ => null);

        Assert.Contains(problems, problem => problem.Contains("limits.minBodyBytesPerSecond", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    public void Accepts_a_minimum_body_rate_of_zero_or_more(double rate)
    {
        var problems = SwitchyardOptionsValidator.Validate(new SwitchyardOptions { Limits = new LimitsOptions { MinBodyBytesPerSecond = rate } }, _ => null);

        Assert.DoesNotContain(problems, problem => problem.Contains("limits.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86_401)]
    [InlineData(1e9)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rejects_a_provider_timeout_that_no_timer_could_wait(double seconds) =>
        Assert.Contains("providers[0].timeoutSeconds: must be more than 0 and at most 86400 (a day)", ValidateTimeout(seconds));

    [Theory]
    [InlineData(0.5)]
    [InlineData(600)]
    [InlineData(86_400)]
    public void Accepts_a_provider_timeout_up_to_a_day(double seconds) =>
        Assert.DoesNotContain(ValidateTimeout(seconds), problem => problem.Contains("timeoutSeconds", StringComparison.Ordinal));

    [Theory]
    [InlineData("retryBudgetSeconds")]
    [InlineData("queueTimeoutSeconds")]
    [InlineData("benchSeconds")]
    public void Rejects_a_routing_wait_that_no_timer_could_wait(string name)
    {
        foreach (var seconds in new[] { 0, -1, 86_401, 1e9, double.NaN, double.PositiveInfinity })
        {
            var routing = name switch
            {
                "retryBudgetSeconds" => new RoutingOptions { RetryBudgetSeconds = seconds },
                "queueTimeoutSeconds" => new RoutingOptions { QueueTimeoutSeconds = seconds },
                _ => new RoutingOptions { BenchSeconds = seconds },
            };

            var problems = SwitchyardOptionsValidator.Validate(new SwitchyardOptions { Routing = routing }, _ => null);

            Assert.Contains($"routing.{name}: must be more than 0 and at most 86400 (a day)", problems);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(86_400_001)]
    [InlineData(double.NaN)]
    public void Rejects_a_backoff_that_no_timer_could_wait(double milliseconds) =>
        Assert.Contains(
            "routing.backoffMilliseconds: must not be negative, and at most a day",
            SwitchyardOptionsValidator.Validate(new SwitchyardOptions { Routing = new RoutingOptions { BackoffMilliseconds = milliseconds } }, _ => null));

    [Theory]
    [InlineData(0)]
    [InlineData(36_501)]
    [InlineData(1e9)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Rejects_a_retention_no_expiry_date_could_hold(double days) =>
        Assert.Contains("conversations.retentionDays: must be more than 0 and at most 36500 (a century)", ValidateRetention(days));

    [Theory]
    [InlineData(0.5)]
    [InlineData(36_500)]
    public void Accepts_a_retention_up_to_a_century(double days) =>
        Assert.DoesNotContain(ValidateRetention(days), problem => problem.StartsWith("conversations", StringComparison.Ordinal));

    private static IReadOnlyList<string> ValidateRetention(double days) =>
        SwitchyardOptionsValidator.Validate(new SwitchyardOptions { Conversations = new ConversationsOptions { RetentionDays = days } }, _ => null);

    [Fact]
    public void Accepts_the_default_routing_section() =>
        Assert.DoesNotContain(SwitchyardOptionsValidator.Validate(new SwitchyardOptions(), _ => null), problem => problem.StartsWith("routing", StringComparison.Ordinal));

    private static IReadOnlyList<string> ValidateTimeout(double seconds) =>
        SwitchyardOptionsValidator.Validate(
            new SwitchyardOptions { Providers = [new ProviderOptions { Name = "a", Type = "echo", TimeoutSeconds = seconds }] }, _ => null);

    [Fact]
    public void Accepts_the_default_observability_section()
    {
        var problems = Validate(new ObservabilityOptions());

        Assert.Empty(problems);
    }

    [Fact]
    public void Accepts_a_token_from_the_environment_and_an_otlp_collector()
    {
        var problems = Validate(new ObservabilityOptions
        {
            MetricsAuth = "token",
            MetricsToken = "env:SCRAPE",
            OtlpEndpoint = "http://collector:4318",
            OtlpProtocol = "http/protobuf",
            OtlpHeaders = new() { ["x-api-key"] = "env:COLLECTOR_KEY" },
            TraceSampleRatio = 0.25,
            JsonLogs = true,
        }, new() { ["SCRAPE"] = "scrape-token-0123456789", ["COLLECTOR_KEY"] = "k" });

        Assert.Empty(problems);
    }

    [Fact]
    public void Reports_every_observability_problem_with_its_path()
    {
        var problems = Validate(new ObservabilityOptions
        {
            MetricsAuth = "token",
            MetricsToken = "short",
            OtlpEndpoint = "collector:4317",
            OtlpProtocol = "thrift",
            OtlpHeaders = new() { ["authorization"] = "env:MISSING_COLLECTOR_TOKEN" },
            TraceSampleRatio = 1.5,
            ServiceName = " ",
        });

        Assert.Equal(
        [
            "observability.metricsToken: is required for metricsAuth 'token' and must be at least 16 characters",
            "observability.otlpEndpoint: 'collector:4317' is not an absolute http(s) URL",
            "observability.otlpProtocol: 'thrift' is not one of grpc, http/protobuf",
            "observability.otlpHeaders.authorization: environment variable MISSING_COLLECTOR_TOKEN is not set",
            "observability.traceSampleRatio: must be between 0 and 1",
            "observability.serviceName: must not be empty",
        ], problems);
    }

    [Fact]
    public void Rejects_an_unknown_metrics_auth_mode()
    {
        var problems = Validate(new ObservabilityOptions { MetricsAuth = "basic" });

        Assert.Equal(["observability.metricsAuth: 'basic' is not one of open, masterKey, token"], problems);
    }
}
