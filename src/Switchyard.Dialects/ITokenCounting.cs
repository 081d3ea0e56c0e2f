using System.Buffers;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects;

/// <summary>
/// A dialect's token-count method. Client side: read a count request (for the gateway's own
/// estimate when the upstream speaks another dialect) and write the count. Upstream side: where
/// the upstream counts exactly; the client's body goes there as sent, its model renamed.
/// </summary>
public interface ITokenCounting
{
    ChatRequest ReadCountRequest(ReadOnlyMemory<byte> body);

    void WriteCount(long inputTokens, IBufferWriter<byte> output);

    /// <summary>The upstream's count path, appended to the provider's base URL.</summary>
    string CountPath(string upstreamModel);
}
