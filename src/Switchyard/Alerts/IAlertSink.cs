namespace Switchyard.Alerts;

/// <summary>
/// Where the gateway reports what an alert may be about, at the point it is decided. Each call
/// only queues (never waits, never throws); deciding whether it is news and delivering it happen
/// off the request path.
/// </summary>
internal interface IAlertSink
{
    /// <summary>A request of a key with a credit limit was charged <paramref name="cost"/> (over 0).</summary>
    void CreditsCharged(string keyId, string keyName, decimal granted, decimal cost);

    /// <summary>A request of a key in a team with a credit limit was charged <paramref name="cost"/> (over 0).</summary>
    void TeamCreditsCharged(string teamId, string teamName, decimal granted, decimal cost);

    void KeyRevoked(string keyId, string keyName);

    void DeploymentBenched(string deployment, TimeSpan period);

    void DeploymentRecovered(string deployment);
}
