namespace Switchyard.Dialects.Canonical;

/// <summary>Who wrote a message. An open vocabulary: dialects may carry roles not listed here.</summary>
public readonly record struct Role(string Value)
{
    public static Role System { get; } = new("system");
    public static Role Developer { get; } = new("developer");
    public static Role User { get; } = new("user");
    public static Role Assistant { get; } = new("assistant");
    public static Role Tool { get; } = new("tool");

    /// <summary>True for the roles that carry instructions rather than conversation.</summary>
    public bool IsInstruction => this == System || this == Developer;

    public override string ToString() => Value;
}
