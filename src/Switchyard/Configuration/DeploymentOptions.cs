namespace Switchyard.Configuration;

internal sealed class DeploymentOptions
{
    public string Provider { get; set; } = "";

    public string? Model { get; set; }

    public double Weight { get; set; } = 1;

    public string? Api { get; set; }
}
