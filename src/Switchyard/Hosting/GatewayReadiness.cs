namespace Switchyard.Hosting;

/// <summary>Set once start-up work (store migrations, master key, configured keys) is done.</summary>
internal sealed class GatewayReadiness
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
