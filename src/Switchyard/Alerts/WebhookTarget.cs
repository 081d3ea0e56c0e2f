using Switchyard.Configuration;

namespace Switchyard.Alerts;

/// <summary>A configured webhook with its secrets resolved; <see cref="Display"/> is what the console shows of it.</summary>
public sealed record WebhookTarget(int Index, Uri Url, string? Secret, string Format, IReadOnlySet<string>? Events)
{
    /// <summary>Scheme and host only: a path or query may hold a token (Slack's do).</summary>
    public string Display => $"#{Index} {Url.Scheme}://{Url.Authority}";

    public bool Wants(string eventType) => Events is null || Events.Contains(eventType);

    internal static IReadOnlyList<WebhookTarget> Resolve(AlertsOptions options, Func<string, string?> environment)
    {
        var targets = new List<WebhookTarget>();
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var webhook = options.Webhooks[i];
            if (EnvReferenceResolver.Resolve(webhook.Url, environment) is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                targets.Add(new WebhookTarget(i, uri, EnvReferenceResolver.Resolve(webhook.Secret, environment), webhook.Format,
                    webhook.Events.Count == 0 ? null : webhook.Events.ToHashSet(StringComparer.Ordinal)));
            }
        }

        return targets;
    }

    public override string ToString() => Display;
}
