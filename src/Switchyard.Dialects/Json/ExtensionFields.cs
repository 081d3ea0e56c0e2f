using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>
/// The fields of a client's dialect that have no neutral slot (<c>Extensions</c>, keyed
/// <c>dialect.field</c>), written back when the upstream speaks that same dialect, so nothing the
/// client sent is lost on the translated path.
/// </summary>
internal static class ExtensionFields
{
    /// <summary>
    /// Writes each <c>{prefix}{scope}{name}</c> entry as the property <c>name</c> of the object being
    /// written. <paramref name="scope"/> is empty for top-level fields, or <c>text.</c>-style for the
    /// fields of a nested object; names nested deeper are left to their own object.
    /// </summary>
    public static void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, JsonElement>? extensions, string prefix, string scope = "")
    {
        foreach (var (name, value) in In(extensions, prefix, scope))
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
    }

    /// <summary>True when there is a field to write in <paramref name="scope"/>.</summary>
    public static bool Any(IReadOnlyDictionary<string, JsonElement>? extensions, string prefix, string scope = "") =>
        In(extensions, prefix, scope).Any();

    private static IEnumerable<(string Name, JsonElement Value)> In(IReadOnlyDictionary<string, JsonElement>? extensions, string prefix, string scope)
    {
        var start = prefix + scope;
        foreach (var (key, value) in extensions ?? new Dictionary<string, JsonElement>())
        {
            if (key.Length > start.Length && key.StartsWith(start, StringComparison.Ordinal) && key.IndexOf('.', start.Length) < 0)
            {
                yield return (key[start.Length..], value);
            }
        }
    }
}
