using System.Globalization;
using System.Text.Json;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>The JSON shapes of docs/admin-api.md shared by the admin and account routes.</summary>
internal static class KeyObjects
{
    /// <summary>A key object: only the secret's first 8 characters, and the whole secret only in the answer that created it.</summary>
    public static void WriteKey(Utf8JsonWriter writer, KeyRecord key, decimal spent, string? secret = null)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, key.Id);
        writer.WriteString("name"u8, key.Name);
        writer.WriteString("prefix"u8, key.Prefix);
        WriteAllowedModels(writer, key.AllowedModels);
        WriteOptional(writer, "rpm"u8, key.Rpm);
        WriteOptional(writer, "tpm"u8, key.Tpm);
        WriteOptional(writer, "maxConcurrent"u8, key.MaxConcurrent);
        WriteCredits(writer, key.Credits, spent);
        WriteTime(writer, "expiresAt"u8, key.ExpiresAt);
        WriteTime(writer, "createdAt"u8, key.CreatedAt);
        WriteTime(writer, "revokedAt"u8, key.RevokedAt);
        WriteOptional(writer, "team"u8, key.TeamId);
        if (secret is not null)
        {
            writer.WriteString("key"u8, secret);
        }

        writer.WriteEndObject();
    }

    public static void WriteAllowedModels(Utf8JsonWriter writer, IEnumerable<string>? models)
    {
        if (models is null)
        {
            writer.WriteNull("allowedModels"u8);
            return;
        }

        writer.WriteStartArray("allowedModels"u8);
        foreach (var model in models.Order(StringComparer.Ordinal))
        {
            writer.WriteStringValue(model);
        }

        writer.WriteEndArray();
    }

    /// <summary><c>{"granted","spent","remaining"}</c>, or null for a key whose spending is not limited.</summary>
    public static void WriteCredits(Utf8JsonWriter writer, decimal? granted, decimal spent)
    {
        if (granted is not { } total)
        {
            writer.WriteNull("credits"u8);
            return;
        }

        writer.WriteStartObject("credits"u8);
        writer.WriteNumber("granted"u8, Normalize(total));
        writer.WriteNumber("spent"u8, Normalize(spent));
        writer.WriteNumber("remaining"u8, Normalize(total - spent));
        writer.WriteEndObject();
    }

    /// <summary>A team object: its limits, and its credits with what its keys together spent.</summary>
    public static void WriteTeam(Utf8JsonWriter writer, TeamRecord team, decimal spent, int keys)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, team.Id);
        writer.WriteString("name"u8, team.Name);
        WriteOptional(writer, "rpm"u8, team.Rpm);
        WriteOptional(writer, "tpm"u8, team.Tpm);
        WriteOptional(writer, "maxConcurrent"u8, team.MaxConcurrent);
        WriteCredits(writer, team.Credits, spent);
        writer.WriteNumber("keys"u8, keys);
        WriteTime(writer, "createdAt"u8, team.CreatedAt);
        writer.WriteEndObject();
    }

    public static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            writer.WriteString(name, Format(time));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Drops trailing zeros (PostgreSQL's numeric(24,8) reads back as 1.50000000).</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;
}
