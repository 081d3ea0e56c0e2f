namespace Switchyard.Configuration;

internal sealed class LimitsOptions
{
    /// <summary>Largest request body accepted; larger ones are a 413 in the surface's envelope.</summary>
    public long MaxBodyBytes { get; set; } = 32 * 1024 * 1024;
}
