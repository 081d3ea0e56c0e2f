using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>Where one top-level property sits in a JSON object's bytes.</summary>
public readonly record struct TopLevelProperty(int Start, int NameStart, int NameLength, bool NameEscaped, int ValueStart, int End, JsonTokenType ValueKind)
{
    /// <summary>The property as written, from its name's opening quote to the end of its value.</summary>
    public Range Whole => Start..End;

    public Range Value => ValueStart..End;
}
