namespace Switchyard.Console.Models;

public sealed record BenchedDeployment(string Model, string Deployment, TimeSpan Period);
