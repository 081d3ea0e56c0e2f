using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Switchyard.Dialects.Framing;
using Switchyard.Dialects.Sse;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Framing;

public sealed class AwsEventStreamReaderTests
{
    // AWS's published event-stream test vectors (aws-sdk-js-v3 eventstream-marshaller TestVectors).
    private static readonly byte[] EmptyMessage = [0, 0, 0, 16, 0, 0, 0, 0, 5, 194, 72, 235, 125, 152, 200, 255];

    private static readonly byte[] Int32Header =
    [
        0, 0, 0, 45, 0, 0, 0, 16, 65, 196, 36, 184, 10, 101, 118, 101, 110, 116, 45, 116, 121, 112, 101, 4, 0, 0, 160, 12,
        123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 54, 244, 128, 160,
    ];

    private static readonly byte[] PayloadNoHeaders =
    [
        0, 0, 0, 29, 0, 0, 0, 0, 253, 82, 140, 90, 123, 39, 102, 111, 111, 39, 58, 39, 98, 97, 114, 39, 125, 195, 101, 57, 54,
    ];

    private static readonly byte[] PayloadOneStringHeader =
    [
        0, 0, 0, 61, 0, 0, 0, 32, 7, 253, 131, 150, 12, 99, 111, 110, 116, 101, 110, 116, 45, 116, 121, 112, 101, 7, 0, 16,
        97, 112, 112, 108, 105, 99, 97, 116, 105, 111, 110, 47, 106, 115, 111, 110, 123, 39, 102, 111, 111, 39, 58, 39, 98,
        97, 114, 39, 125, 141, 156, 8, 177,
    ];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_the_published_test_vectors()
    {
        var body = Concat(EmptyMessage, Int32Header, PayloadNoHeaders, PayloadOneStringHeader);

        var frames = await ReadAsync(new MemoryStream(body));

        Assert.Equal(4, frames.Count);
        Assert.All(frames, f => Assert.Null(f.EventType));
        Assert.Equal([string.Empty, "{'foo':'bar'}", "{'foo':'bar'}", "{'foo':'bar'}"], frames.Select(f => Encoding.UTF8.GetString(f.Data.Span)));
    }

    [Fact]
    public void Writes_the_published_bytes_for_a_string_header_and_payload()
    {
        var output = new ArrayBufferWriter<byte>();

        AwsEventStreamWriter.Write(output, [("content-type", "application/json")], "{'foo':'bar'}"u8);

        Assert.Equal(PayloadOneStringHeader, output.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task Names_events_by_event_type_and_errors_by_exception_type_or_error_code()
    {
        var output = new ArrayBufferWriter<byte>();
        AwsEventStreamWriter.WriteEvent(output, "messageStart", """{"role":"assistant"}"""u8);
        AwsEventStreamWriter.WriteException(output, "throttlingException", "Too many requests, please wait.");
        AwsEventStreamWriter.WriteError(output, "InternalFailure", "Something \"broke\".");

        var frames = await ReadAsync(new MemoryStream(output.WrittenSpan.ToArray()));

        Assert.Equal(["messageStart", "throttlingException", "InternalFailure"], frames.Select(f => f.EventType));
        Assert.Equal(
            ["""{"role":"assistant"}""", """{"message":"Too many requests, please wait."}""", """{"message":"Something \"broke\"."}"""],
            frames.Select(f => Encoding.UTF8.GetString(f.Data.Span)));
    }

    [Fact]
    public async Task Reads_the_same_frames_wherever_the_upstream_split_the_bytes()
    {
        var body = SampleStream();
        var expected = Describe(await ReadAsync(new MemoryStream(body)));

        for (var i = 0; i <= body.Length; i++)
        {
            var actual = Describe(await ReadAsync(SegmentedStream.SplitAt(body, i)));

            Assert.True(expected.SequenceEqual(actual), $"split at byte {i} changed the frames");
        }

        Assert.Equal(expected, Describe(await ReadAsync(SegmentedStream.OneBytePerRead(body))));
        Assert.Equal(4, expected.Count);
    }

    [Fact]
    public async Task Reads_a_message_larger_than_its_first_buffer()
    {
        var payload = Encoding.UTF8.GetBytes("{\"text\":\"" + new string('a', 200_000) + "\"}");
        var output = new ArrayBufferWriter<byte>();
        AwsEventStreamWriter.WriteEvent(output, "small", "{}"u8);
        AwsEventStreamWriter.WriteEvent(output, "large", payload);
        AwsEventStreamWriter.WriteEvent(output, "small", "{}"u8);

        var frames = await ReadAsync(new MemoryStream(output.WrittenSpan.ToArray()));

        Assert.Equal(["small", "large", "small"], frames.Select(f => f.EventType));
        Assert.Equal(payload, frames[1].Data.ToArray());
    }

    [Fact]
    public async Task Reads_nothing_from_an_empty_body()
    {
        var frames = await ReadAsync(new MemoryStream([]));

        Assert.Empty(frames);
    }

    [Fact]
    public async Task Refuses_a_message_whose_payload_fails_its_checksum()
    {
        var body = SampleStream();
        body[AwsEventStreamFormat.PreludeLength + 20] ^= 0x01;

        var error = await Assert.ThrowsAsync<AwsEventStreamException>(() => ReadAsync(new MemoryStream(body)));

        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_message_whose_prelude_fails_its_checksum()
    {
        var body = SampleStream();
        body[3] ^= 0x01;

        var error = await Assert.ThrowsAsync<AwsEventStreamException>(() => ReadAsync(new MemoryStream(body)));

        Assert.Contains("prelude failed its checksum", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(30)]
    public async Task Refuses_a_body_cut_off_inside_a_message(int keep)
    {
        var body = SampleStream();
        var firstLength = (int)BinaryPrimitives.ReadUInt32BigEndian(body);

        var error = await Assert.ThrowsAsync<AwsEventStreamException>(() => ReadAsync(new MemoryStream(body[..(firstLength + keep)])));

        Assert.Contains("ended inside", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(uint.MaxValue, 0u)]
    [InlineData((uint)AwsEventStreamFormat.DefaultMaxMessageLength + 1, 0u)]
    [InlineData(15u, 0u)]
    [InlineData(40u, 30u)]
    public async Task Refuses_impossible_lengths_before_reading_further(uint total, uint headers)
    {
        var prelude = Prelude(total, headers);
        var reads = new CountingStream(Concat(prelude, new byte[64]));

        var error = await Assert.ThrowsAsync<AwsEventStreamException>(() => ReadAsync(reads));

        Assert.Contains("claims", error.Message, StringComparison.Ordinal);
        Assert.True(reads.BytesRead <= 64 + AwsEventStreamFormat.PreludeLength);
    }

    [Fact]
    public async Task Refuses_a_message_above_the_caller_s_limit()
    {
        var output = new ArrayBufferWriter<byte>();
        AwsEventStreamWriter.WriteEvent(output, "large", new byte[2048]);

        await Assert.ThrowsAsync<AwsEventStreamException>(async () =>
            await AwsEventStreamReader.ReadAsync(new MemoryStream(output.WrittenSpan.ToArray()), maxMessageLength: 1024, Token).ToListAsync(Token));
    }

    [Fact]
    public async Task Refuses_headers_that_run_past_their_length()
    {
        // A string header claiming a 200-byte value inside 10 bytes of headers, with valid checksums.
        byte[] headers = [1, (byte)'x', 7, 0, 200, 0, 0, 0, 0, 0];
        var message = Message(headers, []);

        var error = await Assert.ThrowsAsync<AwsEventStreamException>(() => ReadAsync(new MemoryStream(message)));

        Assert.Contains("malformed headers", error.Message, StringComparison.Ordinal);
    }

    private static Task<List<SseFrame>> ReadAsync(Stream body) => AwsEventStreamReader.ReadAsync(body, Token).ToListAsync(Token).AsTask();

    private static List<string> Describe(List<SseFrame> frames) =>
        frames.Select(f => f.EventType + "|" + Encoding.UTF8.GetString(f.Data.Span)).ToList();

    private static byte[] SampleStream()
    {
        var output = new ArrayBufferWriter<byte>();
        AwsEventStreamWriter.WriteEvent(output, "messageStart", """{"role":"assistant"}"""u8);
        AwsEventStreamWriter.WriteEvent(output, "contentBlockDelta", """{"contentBlockIndex":0,"delta":{"text":"Grüß Gott 👋"},"p":"abcdefgh"}"""u8);
        AwsEventStreamWriter.WriteEvent(output, "messageStop", """{"stopReason":"end_turn"}"""u8);
        AwsEventStreamWriter.WriteEvent(output, "metadata", """{"usage":{"inputTokens":3,"outputTokens":5,"totalTokens":8},"metrics":{"latencyMs":12}}"""u8);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Prelude(uint total, uint headers)
    {
        var prelude = new byte[AwsEventStreamFormat.PreludeLength];
        BinaryPrimitives.WriteUInt32BigEndian(prelude, total);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(4), headers);
        BinaryPrimitives.WriteUInt32BigEndian(prelude.AsSpan(8), Crc32.HashToUInt32(prelude.AsSpan(0, 8)));
        return prelude;
    }

    private static byte[] Message(byte[] headers, byte[] payload)
    {
        var total = (uint)(AwsEventStreamFormat.MinimumMessageLength + headers.Length + payload.Length);
        var message = Concat(Prelude(total, (uint)headers.Length), headers, payload, new byte[4]);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(message.Length - 4), Crc32.HashToUInt32(message.AsSpan(0, message.Length - 4)));
        return message;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A memory stream that counts what was read from it.</summary>
    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes)
    {
        public long BytesRead { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            var read = base.Read(buffer);
            BytesRead += read;
            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = base.Read(buffer.Span);
            BytesRead += read;
            return ValueTask.FromResult(read);
        }
    }
}
