using Switchyard.Configuration;

namespace Switchyard.Routing;

/// <summary>The routing options in force; replaced whole on a configuration reload.</summary>
internal sealed class RoutingSettings
{
    private volatile RoutingOptions _current = new();

    public RoutingOptions Current
    {
        get => _current;
        set => _current = value;
    }
}
