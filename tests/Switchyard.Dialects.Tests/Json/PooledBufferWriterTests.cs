using CsCheck;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Tests.Json;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void A_writer_that_rents_on_first_write_offers_its_whole_first_capacity_then()
    {
        using var writer = PooledBufferWriter.RentOnFirstWrite(8192);

        Assert.Equal(0, writer.WrittenCount);
        Assert.True(writer.WrittenSpan.IsEmpty);
        Assert.True(writer.GetSpan().Length >= 8192);
    }

    [Fact]
    public void A_released_writer_is_empty_and_rents_its_first_capacity_again_on_the_next_write()
    {
        using var writer = new PooledBufferWriter(4096);
        writer.Write("abc"u8);

        writer.Release();

        Assert.Equal(0, writer.WrittenCount);
        Assert.True(writer.GetSpan(1).Length >= 4096);
        writer.Write("de"u8);
        Assert.Equal("de"u8.ToArray(), writer.WrittenSpan.ToArray());
    }

    /// <summary>Any mix of writes, clears and releases holds exactly what was written since the last clear or release.</summary>
    [Fact]
    public void Holds_what_was_written_since_the_last_clear_or_release_whatever_the_mix()
    {
        var step = Gen.OneOf(
            Gen.Byte.Array[0, 3000].Select(bytes => (Kind: 0, Bytes: bytes)),
            Gen.Const((Kind: 1, Bytes: Array.Empty<byte>())),
            Gen.Const((Kind: 2, Bytes: Array.Empty<byte>())));
        Gen.Select(Gen.Bool, Gen.Int[1, 5000], step.Array[0, 20]).Sample((rentNow, capacity, steps) =>
        {
            using var writer = rentNow ? new PooledBufferWriter(capacity) : PooledBufferWriter.RentOnFirstWrite(capacity);
            var expected = new List<byte>();
            foreach (var (kind, bytes) in steps)
            {
                switch (kind)
                {
                    case 0:
                        writer.Write(bytes);
                        expected.AddRange(bytes);
                        break;
                    case 1:
                        writer.Clear();
                        expected.Clear();
                        break;
                    default:
                        writer.Release();
                        expected.Clear();
                        break;
                }

                Assert.Equal(expected.Count, writer.WrittenCount);
            }

            Assert.Equal(expected.ToArray(), writer.WrittenSpan.ToArray());
        }, iter: 2_000);
    }
}
