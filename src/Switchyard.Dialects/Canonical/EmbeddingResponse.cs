namespace Switchyard.Dialects.Canonical;

/// <summary>Vectors in input order, with usage.</summary>
public sealed class EmbeddingResponse
{
    public required List<float[]> Vectors { get; init; }

    public required string Model { get; set; }

    public Usage Usage { get; set; } = Usage.Empty;
}
