namespace Switchyard.Dialects;

/// <summary>
/// An expected failure as a value: the kind decides status, envelope and whether another
/// deployment may be tried. Messages never carry upstream keys or addresses.
/// </summary>
public sealed record GatewayError(GatewayErrorKind Kind, string Message)
{
    /// <summary>The request parameter at fault, when there is one.</summary>
    public string? Param { get; init; }

    /// <summary>A dialect-neutral machine code such as <c>model_not_found</c>; defaults per kind.</summary>
    public string? Code { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The upstream's HTTP status, when the error came from an upstream.</summary>
    public int? UpstreamStatus { get; init; }

    /// <summary>True when trying another deployment could succeed (429, 5xx, timeouts, connection failures).</summary>
    public bool AllowsFailover { get; init; }

    /// <summary>The HTTP status the gateway answers with.</summary>
    public int Status => Kind switch
    {
        GatewayErrorKind.InvalidRequest => 400,
        GatewayErrorKind.Unauthenticated => 401,
        GatewayErrorKind.CreditExhausted => 402,
        GatewayErrorKind.ModelNotAllowed => 403,
        GatewayErrorKind.ModelNotFound or GatewayErrorKind.NotFound => 404,
        GatewayErrorKind.RequestTimeout => 408,
        GatewayErrorKind.Conflict => 409,
        GatewayErrorKind.PayloadTooLarge => 413,
        GatewayErrorKind.Unprocessable => 422,
        GatewayErrorKind.RateLimited => 429,
        GatewayErrorKind.UpstreamFailed => 502,
        GatewayErrorKind.AllDeploymentsBusy or GatewayErrorKind.GatewayBusy => 503,
        GatewayErrorKind.UpstreamTimeout => 504,
        _ => 500,
    };

    public static GatewayError InvalidRequest(string message, string? param = null) =>
        new(GatewayErrorKind.InvalidRequest, message) { Param = param };

    /// <summary>The request body arrived slower than the minimum rate and was cut off.</summary>
    public static GatewayError BodyTooSlow() =>
        new(GatewayErrorKind.RequestTimeout, "The request body arrived too slowly.");

    public static GatewayError Internal() =>
        new(GatewayErrorKind.Internal, "The gateway failed to handle the request.");
}
