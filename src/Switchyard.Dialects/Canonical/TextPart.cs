namespace Switchyard.Dialects.Canonical;

public sealed record TextPart(string Text) : ContentPart;
