namespace Switchyard.Dialects.Canonical;

public enum ResponseFormatKind
{
    Text,
    JsonObject,
    JsonSchema,
}
