using Switchyard.Configuration;

namespace Switchyard.Tests.Configuration;

public sealed class ConsoleOptionsValidatorTests
{
    private static IReadOnlyList<string> Validate(ConsoleOptions console, AlertsOptions alerts, Dictionary<string, string>? environment = null) =>
        SwitchyardOptionsValidator.Validate(new SwitchyardOptions { Console = console, Alerts = alerts },
            name => environment is not null && environment.TryGetValue(name, out var value) ? value : null);

    [Fact]
    public void Accepts_single_sign_on_and_webhooks_with_secrets_from_the_environment()
    {
        var problems = Validate(
            new ConsoleOptions
            {
                Oidc = new ConsoleOidcOptions
                {
                    Authority = "https://login.example.com",
                    ClientId = "switchyard",
                    ClientSecret = "env:OIDC",
                    Roles = [new ConsoleRoleMapping { Claim = "groups", Value = "admins", Role = "admin" }],
                },
            },
            new AlertsOptions
            {
                Webhooks =
                [
                    new WebhookOptions { Url = "https://hooks.example.com/x", Secret = "env:HOOK", Events = ["key.credits", "deployment.benched"] },
                    new WebhookOptions { Url = "env:SLACK", Format = "slack" },
                ],
            },
            new() { ["OIDC"] = "s", ["HOOK"] = "h", ["SLACK"] = "https://hooks.slack.com/services/T/B/X" });

        Assert.Empty(problems);
    }

    [Fact]
    public void Reports_every_console_and_alerts_problem_with_its_path_and_never_echoes_a_webhook_address()
    {
        var problems = Validate(
            new ConsoleOptions
            {
                SessionMinutes = 0,
                Oidc = new ConsoleOidcOptions
                {
                    Authority = "login.example.com",
                    ClientSecret = "env:MISSING",
                    Scopes = ["profile"],
                    Roles = [new ConsoleRoleMapping { Claim = "groups", Value = "x", Role = "owner" }],
                },
            },
            new AlertsOptions
            {
                MaxAttempts = 0,
                Webhooks = [new WebhookOptions { Url = "ftp://secret-token@example.com", Events = ["key.spent"], Format = "teams" }],
            });

        Assert.Equal(
        [
            "console.sessionMinutes: must be positive",
            "console.oidc.authority: is not an absolute http(s) URL",
            "console.oidc.clientId: is required",
            "console.oidc.clientSecret: environment variable MISSING is not set",
            "console.oidc.scopes: must include 'openid'",
            "console.oidc.roles[0].role: 'owner' is not one of admin, viewer",
            "alerts.maxAttempts: must be from 1 to 20",
            "alerts.webhooks[0].url: is not an absolute http(s) URL",
            "alerts.webhooks[0].format: 'teams' is not one of json, slack",
            "alerts.webhooks[0].events[0]: 'key.spent' is not one of key.credits, team.credits, key.revoked, deployment.benched, deployment.recovered",
        ], problems);
        Assert.DoesNotContain(problems, p => p.Contains("secret-token", StringComparison.Ordinal));
    }
}
