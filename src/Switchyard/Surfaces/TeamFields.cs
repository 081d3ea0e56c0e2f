using System.Text.Json;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>
/// The fields of a team as <c>POST</c> and <c>PATCH /admin/teams</c> send them: a PATCH changes only
/// the fields it names, and <c>null</c> removes a limit, as for keys.
/// </summary>
internal sealed class TeamFields
{
    /// <summary>Names are shown in the console and matched against single sign-on's team claim.</summary>
    public const int MaxNameLength = 200;

    public string? Name { get; private set; }

    public KeyFields.Optional<int?> Rpm { get; private set; }

    public KeyFields.Optional<int?> Tpm { get; private set; }

    public KeyFields.Optional<int?> MaxConcurrent { get; private set; }

    public KeyFields.Optional<decimal?> Credits { get; private set; }

    public static TeamFields Read(JsonElement body, bool requireName)
    {
        var fields = new TeamFields();
        if (body.TryGetProperty("name", out var name))
        {
            fields.Name = name.ValueKind == JsonValueKind.String && name.GetString()!.Trim() is { Length: > 0 and <= MaxNameLength } text
                ? text
                : throw AdminSurface.Invalid($"'name' must be a string of 1 to {MaxNameLength} characters.", "name");
        }
        else if (requireName)
        {
            throw AdminSurface.Invalid("'name' is required.", "name");
        }

        fields.Rpm = KeyFields.Limit(body, "rpm");
        fields.Tpm = KeyFields.Limit(body, "tpm");
        fields.MaxConcurrent = KeyFields.Limit(body, "maxConcurrent");
        if (body.TryGetProperty("credits", out var credits))
        {
            fields.Credits = new(credits.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number when credits.TryGetDecimal(out var amount) && amount >= 0 => amount,
                _ => throw AdminSurface.Invalid("'credits' must be a number of at least 0, or null for unlimited spending.", "credits"),
            });
        }

        return fields;
    }

    /// <summary>A new team's fields (its id and time are the store's to give).</summary>
    public TeamRecord ToRecord() => new()
    {
        Id = "",
        Name = Name!,
        Rpm = Rpm.Value,
        Tpm = Tpm.Value,
        MaxConcurrent = MaxConcurrent.Value,
        Credits = Credits.Value,
    };

    /// <summary>The fields that were sent, as a change to store: the others stay as stored.</summary>
    public TeamChanges ToChanges() => new()
    {
        Name = Name is null ? default : new(Name),
        Rpm = Rpm.Sent ? new(Rpm.Value) : default,
        Tpm = Tpm.Sent ? new(Tpm.Value) : default,
        MaxConcurrent = MaxConcurrent.Sent ? new(MaxConcurrent.Value) : default,
        Credits = Credits.Sent ? new(Credits.Value) : default,
    };
}
