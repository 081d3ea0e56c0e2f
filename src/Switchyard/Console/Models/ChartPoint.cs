namespace Switchyard.Console.Models;

/// <summary>One bar of a chart: its label (an hour or a day) and value; <see cref="Alert"/> bars are drawn in the error colour.</summary>
public sealed record ChartPoint(string Label, double Value, bool Alert = false);
