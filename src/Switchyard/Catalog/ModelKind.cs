namespace Switchyard.Catalog;

public enum ModelKind
{
    Chat,
    Embedding,
    Image,
    Audio,
}
