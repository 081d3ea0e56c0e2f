namespace Switchyard.Tests.Infrastructure;

/// <summary>A real 1×1 PNG, for image input tests.</summary>
public static class Pixel
{
    public const string Png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    public static byte[] Bytes => Convert.FromBase64String(Png);
}
