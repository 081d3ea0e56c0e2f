namespace Switchyard.Pipeline;

/// <summary>Request limits from the configuration, updated on reload.</summary>
internal sealed class GatewayLimits
{
    private long _maxBodyBytes = 32 * 1024 * 1024;

    public long MaxBodyBytes
    {
        get => Volatile.Read(ref _maxBodyBytes);
        set => Volatile.Write(ref _maxBodyBytes, value);
    }
}
