using Google.Apis.Util;

namespace Switchyard.Providers.Vertex;

/// <summary>Google's clock interface over a <see cref="TimeProvider"/>, so token expiry follows the gateway's clock.</summary>
internal sealed class TimeProviderClock(TimeProvider time) : IClock
{
    public DateTime Now => time.GetLocalNow().DateTime;

    public DateTime UtcNow => time.GetUtcNow().UtcDateTime;
}
