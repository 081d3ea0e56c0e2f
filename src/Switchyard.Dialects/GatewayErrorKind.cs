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
}
