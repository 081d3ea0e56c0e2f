namespace Switchyard.Alerts;

/// <summary>The alert events a webhook can ask for.</summary>
internal static class AlertEventTypes
{
    /// <summary>A key's spending crossed 50, 80 or 100 % of its credits.</summary>
    public const string KeyCredits = "key.credits";

    /// <summary>A team's spending (all its keys together) crossed 50, 80 or 100 % of its credits.</summary>
    public const string TeamCredits = "team.credits";

    public const string KeyRevoked = "key.revoked";

    public const string DeploymentBenched = "deployment.benched";

    public const string DeploymentRecovered = "deployment.recovered";
}
