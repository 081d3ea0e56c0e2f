namespace Switchyard.Agents.FakeModel;

/// <summary>A request the real API would refuse; answered with <see cref="Status"/> in the dialect's error envelope.</summary>
internal sealed class ApiRejection(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
