using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchyard.Console.Models;
using Switchyard.Storage;

namespace Switchyard.Console;

/// <summary>
/// A key's fields as the console's forms post them: empty means no limit (or, for the allow-list,
/// all models; for the team, none), every number checked as <c>POST /admin/keys</c> checks it.
/// Errors are sentences for the form.
/// </summary>
internal static class KeyForm
{
    public static (KeyRecord? Fields, string? Error) Read(IFormCollection form, KeyRecord? current, IReadOnlyList<string> models, IReadOnlyList<TeamChoice> teams)
    {
        var name = form["name"].ToString().Trim();
        if (name.Length is 0 or > 200)
        {
            return (null, "A key needs a name of 1 to 200 characters.");
        }

        IReadOnlyList<string>? allowed = null;
        if (form["allowAll"].ToString() != "on")
        {
            allowed = form["allowedModels"].Where(m => !string.IsNullOrEmpty(m)).Select(m => m!).Distinct(StringComparer.Ordinal).ToList();
            if (allowed.FirstOrDefault(m => !models.Contains(m)) is { } unknown)
            {
                return (null, $"'{unknown}' is not a model.");
            }
        }

        if (!Limit(form, "rpm", out var rpm) || !Limit(form, "tpm", out var tpm) || !Limit(form, "maxConcurrent", out var maxConcurrent))
        {
            return (null, "Limits (rpm, tpm, max concurrent) are positive whole numbers, or empty for none.");
        }

        decimal? credits = null;
        if (form["credits"].ToString().Trim() is { Length: > 0 } creditText)
        {
            if (!decimal.TryParse(creditText, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) || amount < 0)
            {
                return (null, "Credits are a number of at least 0, or empty for unlimited spending.");
            }

            credits = amount;
        }

        DateTimeOffset? expires = null;
        if (form["expiresAt"].ToString().Trim() is { Length: > 0 } expiresText)
        {
            if (!DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                return (null, "The expiry is a date and time (2030-01-31T00:00), or empty for none.");
            }

            expires = at;
        }

        var team = form["team"].ToString();
        if (team.Length > 0 && !teams.Any(t => t.Id == team))
        {
            return (null, $"'{team}' is not a team.");
        }

        var fields = (current ?? new KeyRecord { Id = "", Name = name, Prefix = "", Hash = "" }) with
        {
            TeamId = team.Length > 0 ? team : null,
            Name = name,
            AllowedModels = allowed,
            Rpm = rpm,
            Tpm = tpm,
            MaxConcurrent = maxConcurrent,
            ExpiresAt = expires,
        };

        // Credits are changed by top-ups once a key exists, so concurrent spending is never overwritten.
        return (current is null ? fields with { Credits = credits } : fields, null);
    }

    public static bool Amount(IFormCollection form, out decimal amount) =>
        decimal.TryParse(form["amount"].ToString().Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out amount) && amount != 0;

    internal static bool Limit(IFormCollection form, string name, out int? value)
    {
        value = null;
        var text = form[name].ToString().Trim();
        if (text.Length == 0)
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0)
        {
            value = number;
            return true;
        }

        return false;
    }
}
