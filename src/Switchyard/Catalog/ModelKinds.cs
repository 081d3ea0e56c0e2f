using Switchyard.Dialects;

namespace Switchyard.Catalog;

internal static class ModelKinds
{
    public static bool TryParse(string? value, out ModelKind kind)
    {
        (var ok, kind) = value switch
        {
            "chat" => (true, ModelKind.Chat),
            "embedding" => (true, ModelKind.Embedding),
            "image" => (true, ModelKind.Image),
            "audio" => (true, ModelKind.Audio),
            _ => (false, ModelKind.Chat),
        };
        return ok;
    }

    public static string Name(ModelKind kind) => kind switch
    {
        ModelKind.Embedding => "embedding",
        ModelKind.Image => "image",
        ModelKind.Audio => "audio",
        _ => "chat",
    };
}
