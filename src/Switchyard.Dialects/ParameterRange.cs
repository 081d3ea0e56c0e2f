namespace Switchyard.Dialects;

/// <summary>A top-level numeric parameter's documented range.</summary>
public readonly record struct ParameterRange(string Name, double Min, double Max);
