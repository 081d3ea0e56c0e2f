namespace Switchyard.Dialects;

/// <summary>Lists an upstream's models, for a start with no configuration file.</summary>
public interface IModelDiscovery
{
    /// <summary>The listing path, appended to the provider's base URL.</summary>
    string Path { get; }

    /// <summary>The models in a listing answer, each with the kind its name suggests.</summary>
    IReadOnlyList<(string Id, ModelKind Kind)> Read(ReadOnlySpan<byte> answer);
}
