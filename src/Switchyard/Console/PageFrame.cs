namespace Switchyard.Console;

/// <summary>What every console page's frame needs: who is signed in, the form token, and where the page sits in the navigation.</summary>
public sealed record PageFrame(ConsoleUser User, string Csrf, string Section, string Title);
