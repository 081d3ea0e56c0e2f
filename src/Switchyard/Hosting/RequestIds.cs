using System.Security.Cryptography;

namespace Switchyard.Hosting;

/// <summary>
/// The gateway's own request ids: <c>req_</c> and 32 hex digits, as a GUID's would be, but cheap
/// and ordered. The process's start (Unix milliseconds, 12 digits) and 8 random digits, drawn
/// once, then a counter (12 digits): unique without a random draw per request (a syscall each on
/// Linux), and a process's ids sort in the order it made them, so the ledger's primary-key index
/// grows at its end instead of touching a random page per row.
/// </summary>
internal static class RequestIds
{
    private static readonly string Prefix = string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"req_{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() & 0xFFFF_FFFF_FFFF:x12}{RandomNumberGenerator.GetInt32(int.MaxValue):x8}");

    private static long _counter;

    public static string Next()
    {
        var n = Interlocked.Increment(ref _counter) & 0xFFFF_FFFF_FFFF;
        return string.Create(Prefix.Length + 12, n, static (span, n) =>
        {
            Prefix.CopyTo(span);
            n.TryFormat(span[Prefix.Length..], out _, "x12", System.Globalization.CultureInfo.InvariantCulture);
        });
    }
}
