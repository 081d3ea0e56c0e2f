using System.Globalization;

namespace Switchyard.Console;

/// <summary>How the console writes numbers and times: invariant culture, UTC, units spelled out.</summary>
internal static class Show
{
    public static string Credits(decimal? value) => value is { } v ? v.ToString("#,0.########", CultureInfo.InvariantCulture) : "unlimited";

    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Ms(double? value) => value is { } v ? v.ToString(v < 10 ? "0.0#" : "#,0", CultureInfo.InvariantCulture) + " ms" : "–";

    public static string Share(double? value) => value is { } v ? (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %" : "–";

    public static string Time(DateTimeOffset? value) => value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "–";

    public static string Limit(int? value) => value is { } v ? v.ToString("#,0", CultureInfo.InvariantCulture) : "none";

    public static string Price(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Number(decimal? value) => value is { } v ? v.ToString("0.########", CultureInfo.InvariantCulture) : "";

    public static string Number(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "";

    public static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("#,0", CultureInfo.InvariantCulture) + " s";
}
