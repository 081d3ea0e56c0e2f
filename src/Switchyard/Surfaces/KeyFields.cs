using System.Globalization;
using System.Text.Json;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>
/// The fields of a key as <c>POST</c> and <c>PATCH /admin/keys</c> send them. A PATCH changes only
/// the fields it names, and <c>null</c> removes a limit, so each field knows whether it was sent.
/// </summary>
internal sealed class KeyFields
{
    public string? Name { get; private set; }

    public Optional<IReadOnlyList<string>?> AllowedModels { get; private set; }

    public Optional<int?> Rpm { get; private set; }

    public Optional<int?> Tpm { get; private set; }

    public Optional<int?> MaxConcurrent { get; private set; }

    public Optional<decimal?> Credits { get; private set; }

    public Optional<DateTimeOffset?> ExpiresAt { get; private set; }

    /// <summary>The id of the team the key belongs to, or null for none; whether it exists is checked where it is written.</summary>
    public Optional<string?> Team { get; private set; }

    public static KeyFields Read(JsonElement body, bool requireName)
    {
        var fields = new KeyFields();
        if (body.TryGetProperty("name", out var name))
        {
            fields.Name = name.ValueKind == JsonValueKind.String && name.GetString() is { Length: > 0 } text
                ? text
                : throw AdminSurface.Invalid("'name' must be a non-empty string.", "name");
        }
        else if (requireName)
        {
            throw AdminSurface.Invalid("'name' is required.", "name");
        }

        if (body.TryGetProperty("allowedModels", out var models))
        {
            fields.AllowedModels = new(models.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Array when models.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String) =>
                    models.EnumerateArray().Select(m => m.GetString()!).Distinct(StringComparer.Ordinal).ToList(),
                _ => throw AdminSurface.Invalid("'allowedModels' must be an array of model ids, or null for all models.", "allowedModels"),
            });
        }

        fields.Rpm = Limit(body, "rpm");
        fields.Tpm = Limit(body, "tpm");
        fields.MaxConcurrent = Limit(body, "maxConcurrent");
        if (body.TryGetProperty("credits", out var credits))
        {
            fields.Credits = new(credits.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number when credits.TryGetDecimal(out var amount) && amount >= 0 => amount,
                _ => throw AdminSurface.Invalid("'credits' must be a number of at least 0, or null for unlimited spending.", "credits"),
            });
        }

        if (body.TryGetProperty("expiresAt", out var expires))
        {
            fields.ExpiresAt = new(expires.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String when DateTimeOffset.TryParse(expires.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) => at,
                _ => throw AdminSurface.Invalid("'expiresAt' must be an ISO 8601 time, or null.", "expiresAt"),
            });
        }

        if (body.TryGetProperty("team", out var team))
        {
            fields.Team = new(team.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String when team.GetString() is { Length: > 0 } id => id,
                _ => throw AdminSurface.Invalid("'team' must be a team's id, or null for no team.", "team"),
            });
        }

        return fields;
    }

    /// <summary>The fields that were sent, as a change to store: the others stay as stored.</summary>
    public KeyChanges ToChanges() => new()
    {
        Name = Name is null ? default : new(Name),
        AllowedModels = AllowedModels.Sent ? new(AllowedModels.Value) : default,
        Rpm = Rpm.Sent ? new(Rpm.Value) : default,
        Tpm = Tpm.Sent ? new(Tpm.Value) : default,
        MaxConcurrent = MaxConcurrent.Sent ? new(MaxConcurrent.Value) : default,
        Credits = Credits.Sent ? new(Credits.Value) : default,
        ExpiresAt = ExpiresAt.Sent ? new(ExpiresAt.Value) : default,
        Team = Team.Sent ? new(Team.Value) : default,
    };

    internal static Optional<int?> Limit(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value))
        {
            return default;
        }

        return new(value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.Number when value.TryGetInt32(out var number) && number > 0 => number,
            _ => throw AdminSurface.Invalid($"'{name}' must be a positive integer, or null for no limit.", name),
        });
    }

    /// <summary>A field's value and whether the body had it at all.</summary>
    public readonly record struct Optional<T>(T Value)
    {
        public bool Sent { get; } = true;
    }
}
