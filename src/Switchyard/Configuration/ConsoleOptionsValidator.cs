namespace Switchyard.Configuration;

/// <summary>The <c>console</c> and <c>alerts</c> sections' checks, reported by path like the rest of <see cref="SwitchyardOptionsValidator"/>.</summary>
internal static class ConsoleOptionsValidator
{
    public static readonly string[] Roles = ["admin", "viewer"];
    public static readonly string[] WebhookFormats = ["json", "slack"];

    /// <summary>Every event a webhook may ask for.</summary>
    public static readonly string[] AlertEvents = ["key.credits", "team.credits", "key.revoked", "deployment.benched", "deployment.recovered"];

    public static void Validate(SwitchyardOptions options, Func<string, string?> environment, Action<string, string> problem)
    {
        if (options.Console.SessionMinutes <= 0)
        {
            problem("console.sessionMinutes", "must be positive");
        }

        if (options.Console.Oidc is { } oidc)
        {
            CheckUrl("console.oidc.authority", oidc.Authority, required: true);
            if (string.IsNullOrWhiteSpace(oidc.ClientId))
            {
                problem("console.oidc.clientId", "is required");
            }

            CheckReference("console.oidc.clientSecret", oidc.ClientSecret);
            if (!oidc.Scopes.Contains("openid"))
            {
                problem("console.oidc.scopes", "must include 'openid'");
            }

            if (oidc.Roles.Count == 0)
            {
                problem("console.oidc.roles", "needs at least one claim → role mapping, or no one could sign in");
            }

            for (var i = 0; i < oidc.Roles.Count; i++)
            {
                var mapping = oidc.Roles[i];
                var path = $"console.oidc.roles[{i}]";
                if (string.IsNullOrWhiteSpace(mapping.Claim))
                {
                    problem(path + ".claim", "is required");
                }

                if (string.IsNullOrEmpty(mapping.Value))
                {
                    problem(path + ".value", "is required");
                }

                if (!Roles.Contains(mapping.Role))
                {
                    problem(path + ".role", $"'{mapping.Role}' is not one of {string.Join(", ", Roles)}");
                }
            }
        }

        if (options.Alerts.MaxAttempts is < 1 or > 20)
        {
            problem("alerts.maxAttempts", "must be from 1 to 20");
        }

        for (var i = 0; i < options.Alerts.Webhooks.Count; i++)
        {
            var webhook = options.Alerts.Webhooks[i];
            var path = $"alerts.webhooks[{i}]";
            CheckReference(path + ".url", webhook.Url);
            CheckUrl(path + ".url", EnvReferenceResolver.IsReference(webhook.Url) ? EnvReferenceResolver.Resolve(webhook.Url, environment) ?? "" : webhook.Url,
                required: !EnvReferenceResolver.IsReference(webhook.Url));
            CheckReference(path + ".secret", webhook.Secret);
            if (!WebhookFormats.Contains(webhook.Format))
            {
                problem(path + ".format", $"'{webhook.Format}' is not one of {string.Join(", ", WebhookFormats)}");
            }

            for (var e = 0; e < webhook.Events.Count; e++)
            {
                if (!AlertEvents.Contains(webhook.Events[e]))
                {
                    problem($"{path}.events[{e}]", $"'{webhook.Events[e]}' is not one of {string.Join(", ", AlertEvents)}");
                }
            }
        }

        void CheckUrl(string path, string value, bool required)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                if (required)
                {
                    problem(path, "is required");
                }
            }
            else if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                // Not echoed: a webhook address may carry a token.
                problem(path, "is not an absolute http(s) URL");
            }
        }

        void CheckReference(string path, string? value)
        {
            if (EnvReferenceResolver.IsReference(value) && EnvReferenceResolver.Resolve(value, environment) is null)
            {
                problem(path, $"environment variable {value![EnvReferenceResolver.Prefix.Length..]} is not set");
            }
        }
    }
}
