using System.Globalization;
using Microsoft.AspNetCore.Http;
using Switchyard.Storage;
using Switchyard.Surfaces;

namespace Switchyard.Console;

/// <summary>A team's fields as the console's forms post them, checked as <c>POST /admin/teams</c> checks them; empty means no limit.</summary>
internal static class TeamForm
{
    public static (TeamRecord? Fields, string? Error) Read(IFormCollection form, TeamRecord? current)
    {
        var name = form["name"].ToString().Trim();
        if (name.Length is 0 or > TeamFields.MaxNameLength)
        {
            return (null, $"A team needs a name of 1 to {TeamFields.MaxNameLength} characters.");
        }

        if (!KeyForm.Limit(form, "rpm", out var rpm) || !KeyForm.Limit(form, "tpm", out var tpm) || !KeyForm.Limit(form, "maxConcurrent", out var maxConcurrent))
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

        var fields = (current ?? new TeamRecord { Id = "", Name = name }) with { Name = name, Rpm = rpm, Tpm = tpm, MaxConcurrent = maxConcurrent };

        // Credits are changed by top-ups once a team exists, so concurrent spending is never overwritten.
        return (current is null ? fields with { Credits = credits } : fields, null);
    }

    /// <summary>What differs from <paramref name="before"/>, so a form never writes back a value it only read.</summary>
    public static TeamChanges Changes(TeamRecord before, TeamRecord after) => new()
    {
        Name = after.Name != before.Name ? new(after.Name) : default,
        Rpm = after.Rpm != before.Rpm ? new(after.Rpm) : default,
        Tpm = after.Tpm != before.Tpm ? new(after.Tpm) : default,
        MaxConcurrent = after.MaxConcurrent != before.MaxConcurrent ? new(after.MaxConcurrent) : default,
    };
}
