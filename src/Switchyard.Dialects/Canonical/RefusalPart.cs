namespace Switchyard.Dialects.Canonical;

public sealed record RefusalPart(string Text) : ContentPart;
