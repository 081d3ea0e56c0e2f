namespace Switchyard.Configuration;

internal sealed class MediaOptions
{
    /// <summary>Hosts images may be fetched from even though they resolve to private or loopback addresses.</summary>
    public List<string> AllowHosts { get; set; } = [];

    public long MaxBytes { get; set; } = 20 * 1024 * 1024;
}
