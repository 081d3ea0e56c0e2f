namespace Switchyard.Dialects;

/// <summary>What went wrong, independent of any dialect. Each dialect maps a kind to its status and envelope.</summary>
public enum GatewayErrorKind
{
    InvalidRequest,
    Unauthenticated,
    ModelNotAllowed,
    ModelNotFound,
    NotFound,
    PayloadTooLarge,
    Unprocessable,
    RateLimited,
    CreditExhausted,
    UpstreamFailed,
    AllDeploymentsBusy,
    UpstreamTimeout,
    Internal,

    /// <summary>The client's body arrived too slowly (408).</summary>
    RequestTimeout,

    /// <summary>The gateway itself is at a bound it keeps to stay up for everyone (503 with Retry-After).</summary>
    GatewayBusy,

    /// <summary>The change conflicts with the resource's state (409), such as deleting a team that still has keys.</summary>
    Conflict,
}
