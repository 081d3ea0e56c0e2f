using Switchyard.Configuration;

namespace Switchyard.Diagnostics;

/// <summary>The observability options in force; replaced whole on a configuration reload (export and log format need a restart).</summary>
internal sealed class ObservabilitySettings
{
    private volatile ObservabilityOptions _current = new();

    public ObservabilityOptions Current
    {
        get => _current;
        set => _current = value;
    }
}
