namespace Switchyard.Console;

/// <summary>The sign-in page: where to go after, what went wrong, and the single sign-on button's label when it is configured.</summary>
public sealed record SignInModel(string? ReturnUrl, string? Error, string? SsoName);
