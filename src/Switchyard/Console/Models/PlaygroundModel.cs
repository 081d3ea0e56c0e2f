namespace Switchyard.Console.Models;

/// <summary>The playground's choices: chat models, and for admins the keys to call as (a key holder calls as itself).</summary>
public sealed record PlaygroundModel(IReadOnlyList<string> Models, IReadOnlyList<KeyChoice> Keys);
