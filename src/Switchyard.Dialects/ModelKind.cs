namespace Switchyard.Dialects;

/// <summary>What a model does, which decides the surfaces that can serve it.</summary>
public enum ModelKind
{
    Chat,
    Embedding,
    Image,
    Audio,
}
