namespace Switchyard.Configuration;

/// <summary>Holds the <see cref="GatewaySnapshot"/> in force; a swap is one assignment, so a reader sees the old one or the new one, whole.</summary>
internal sealed class SnapshotMonitor(GatewaySnapshot initial)
{
    private volatile GatewaySnapshot _current = initial;

    public GatewaySnapshot Current => _current;

    public void Swap(GatewaySnapshot next) => _current = next;
}
