using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Pipeline;

/// <summary>
/// What one attempt on one deployment came to. Until <see cref="Committed"/>, nothing reached the
/// client and the pipeline may try elsewhere when the error allows it.
/// </summary>
internal readonly record struct AttemptOutcome(bool Committed, GatewayError? Error, Usage? Usage)
{
    public static AttemptOutcome Failed(GatewayError error) => new(false, error, null);

    public static AttemptOutcome Served(Usage? usage) => new(true, null, usage);
}
