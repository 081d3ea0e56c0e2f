namespace Switchyard.Configuration;

/// <summary>The <c>console</c> and <c>alerts</c> sections: sign-in, sessions and webhooks.</summary>
internal static class ConsoleOptionsValidator
{
    public static readonly string[] Roles = ["admin", "viewer"];
    public static readonly string[] WebhookFormats = ["json", "slack"];

    /// <summary>Every event a webhook may ask for.</summary>
    public static readonly string[] AlertEvents = ["key.credits", "team.credits", "key.revoked", "deployment.benched", "deployment.recovered"];

    public static void Validate(ConfigurationCheck check)
    {
        var options = check.Options;
        if (options.Console.SessionMinutes <= 0)
        {
            check.Problem("console.sessionMinutes", "must be positive");
        }

        if (options.Console.Oidc is { } oidc)
        {
            check.HttpUrl("console.oidc.authority", oidc.Authority, required: true);
            if (string.IsNullOrWhiteSpace(oidc.ClientId))
            {
                check.Problem("console.oidc.clientId", "is required");
            }

            check.Reference("console.oidc.clientSecret", oidc.ClientSecret);
            if (!oidc.Scopes.Contains("openid"))
            {
                check.Problem("console.oidc.scopes", "must include 'openid'");
            }

            if (oidc.Roles.Count == 0)
            {
                check.Problem("console.oidc.roles", "needs at least one claim → role mapping, or no one could sign in");
            }

            for (var i = 0; i < oidc.Roles.Count; i++)
            {
                var mapping = oidc.Roles[i];
                var path = $"console.oidc.roles[{i}]";
                if (string.IsNullOrWhiteSpace(mapping.Claim))
                {
                    check.Problem(path + ".claim", "is required");
                }

                if (string.IsNullOrEmpty(mapping.Value))
                {
                    check.Problem(path + ".value", "is required");
                }

                if (!Roles.Contains(mapping.Role))
                {
                    check.Problem(path + ".role", $"'{mapping.Role}' is not one of {string.Join(", ", Roles)}");
                }
            }
        }

        if (options.Alerts.MaxAttempts is < 1 or > 20)
        {
            check.Problem("alerts.maxAttempts", "must be from 1 to 20");
        }

        for (var i = 0; i < options.Alerts.Webhooks.Count; i++)
        {
            var webhook = options.Alerts.Webhooks[i];
            var path = $"alerts.webhooks[{i}]";
            check.Reference(path + ".url", webhook.Url);
            check.HttpUrl(path + ".url", EnvReferenceResolver.IsReference(webhook.Url) ? check.Resolve(webhook.Url) ?? "" : webhook.Url,
                required: !EnvReferenceResolver.IsReference(webhook.Url));
            check.Reference(path + ".secret", webhook.Secret);
            if (!WebhookFormats.Contains(webhook.Format))
            {
                check.Problem(path + ".format", $"'{webhook.Format}' is not one of {string.Join(", ", WebhookFormats)}");
            }

            for (var e = 0; e < webhook.Events.Count; e++)
            {
                if (!AlertEvents.Contains(webhook.Events[e]))
                {
                    check.Problem($"{path}.events[{e}]", $"'{webhook.Events[e]}' is not one of {string.Join(", ", AlertEvents)}");
                }
            }
        }
    }
}
