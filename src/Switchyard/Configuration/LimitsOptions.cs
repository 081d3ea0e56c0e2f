namespace Switchyard.Configuration;

internal sealed class LimitsOptions
{
    /// <summary>Largest request body accepted; larger ones are a 413 in the surface's envelope.</summary>
    public long MaxBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// The bytes of all request bodies being read at once; past it new bodies are refused with a
    /// 503 and <c>Retry-After</c>, so many slow or large uploads cannot exhaust the process's memory.
    /// </summary>
    public long MaxBufferedBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>
    /// The slowest a body may arrive, after a grace of five seconds; a slower one is cut off with a
    /// 408, so a caller cannot hold a connection and a key's slot by trickling bytes. 0 turns the check off.
    /// </summary>
    public double MinBodyBytesPerSecond { get; set; } = 1024;
}
