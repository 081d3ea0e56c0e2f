using System.Buffers;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Bedrock;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Framing;

namespace Switchyard.Dialects.Tests.Infrastructure;

/// <summary>
/// Bedrock ConverseStream fixtures: a JSON list of <c>{"event","payload"}</c> (readable, diffable)
/// encoded into the AWS event-stream bytes Bedrock sends, and read back through the framing and codec.
/// </summary>
internal static class ConverseEventStreams
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>The fixture as Bedrock's binary body.</summary>
    public static byte[] Encode(string fixture)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var item in FixtureFiles.Json(fixture).AsArray())
        {
            var name = item!["event"]!.GetValue<string>();
            var payload = System.Text.Encoding.UTF8.GetBytes(item["payload"]!.ToJsonString());
            if (name.EndsWith("Exception", StringComparison.Ordinal))
            {
                AwsEventStreamWriter.WriteException(output, name, item["payload"]!["message"]!.GetValue<string>());
            }
            else
            {
                AwsEventStreamWriter.WriteEvent(output, name, payload);
            }
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>The codec's events, with <see cref="ResponseStarted.Created"/> pinned to the epoch (Converse carries no creation time).</summary>
    public static async Task<List<StreamEvent>> ReadAsync(Stream body)
    {
        var events = await ConverseDialect.Instance.ReadStream(AwsEventStreamReader.ReadAsync(body, Token), Token).ToListAsync(Token);
        return events.Select(e => e is ResponseStarted started ? started with { Created = DateTimeOffset.UnixEpoch } : e).ToList();
    }

    public static Task<List<StreamEvent>> ReadAsync(byte[] body) => ReadAsync(new MemoryStream(body));

    public static byte[] Encode(IEnumerable<(string Event, string Payload)> events)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var (name, payload) in events)
        {
            AwsEventStreamWriter.WriteEvent(output, name, System.Text.Encoding.UTF8.GetBytes(payload));
        }

        return output.WrittenSpan.ToArray();
    }

    public static JsonNode Json(byte[] body) => JsonAssert.Parse(body);
}
