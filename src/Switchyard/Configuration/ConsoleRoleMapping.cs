namespace Switchyard.Configuration;

/// <summary>One claim value that grants a console role: <c>admin</c> or <c>viewer</c>.</summary>
internal sealed class ConsoleRoleMapping
{
    public string Claim { get; set; } = "";

    public string Value { get; set; } = "";

    public string Role { get; set; } = "";
}
