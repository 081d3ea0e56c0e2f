using System.Buffers.Binary;
using System.Text;

namespace Switchyard.Media;

/// <summary>
/// Reads an audio file's duration from its container while the file streams past, so a
/// transcription is billed for its seconds whatever format the client asks the answer in
/// (<c>text</c>, <c>srt</c> and <c>json</c> say nothing of duration). WAV, FLAC, MP3 (Xing/VBRI or
/// constant bitrate), Ogg (Vorbis, Opus), MP4/M4A (the movie header, wherever the moov box is) and
/// WebM/Matroska (the segment's Duration) are understood; anything else is <see cref="Seconds"/> null.
/// Memory is bounded: the first 64 KB, one Ogg page or MP4 box header and, for MP4, at most 64 KB of moov.
/// </summary>
internal sealed class AudioDuration
{
    private const int HeadBytes = 64 * 1024;
    private const int MoovBytes = 64 * 1024;

    private readonly byte[] _head = new byte[HeadBytes];
    private int _headLength;
    private long _total;

    // Sequential walkers over Ogg pages and MP4 top-level boxes: the header being gathered, and what to skip after it.
    private readonly byte[] _structure = new byte[27];
    private int _structureLength;
    private long _skip;
    private int _oggSegments = -1;
    private long _pageBody;
    private long _maxGranule = -1;
    private byte[]? _moov;
    private int _moovLength;
    private long _moovRemaining;

    private enum Container
    {
        Unknown,
        Wav,
        Flac,
        Mp3,
        Ogg,
        Mp4,
        WebM,
    }

    private Container _container;
    private bool _detected;

    /// <summary>Bytes seen so far.</summary>
    public long Bytes => _total;

    public void Write(ReadOnlySpan<byte> chunk)
    {
        var before = _headLength;
        if (_headLength < HeadBytes)
        {
            var take = Math.Min(chunk.Length, HeadBytes - _headLength);
            chunk[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }

        _total += chunk.Length;
        if (!_detected && _headLength >= 12)
        {
            _detected = true;
            _container = Detect(_head.AsSpan(0, _headLength));
            if (_container is Container.Ogg or Container.Mp4)
            {
                // The walkers start at the first byte, which earlier (shorter) chunks brought.
                Walk(_head.AsSpan(0, before));
            }
        }

        if (_container is Container.Ogg or Container.Mp4)
        {
            Walk(chunk);
        }
    }

    /// <summary>The duration in seconds, or null when the container is not understood or says nothing usable.</summary>
    public double? Seconds
    {
        get
        {
            var head = _head.AsSpan(0, _headLength);
            try
            {
                var seconds = _container switch
                {
                    Container.Wav => Wav(head, _total),
                    Container.Flac => Flac(head),
                    Container.Mp3 => Mp3(head, _total),
                    Container.Ogg => Ogg(head, _maxGranule),
                    Container.Mp4 => _moov is null ? null : Mp4(_moov.AsSpan(0, _moovLength)),
                    Container.WebM => WebM(head),
                    _ => null,
                };
                return seconds is double s && double.IsFinite(s) && s >= 0 ? s : null;
            }
            catch (Exception exception) when (exception is ArgumentOutOfRangeException or IndexOutOfRangeException)
            {
                // A header cut short: the container says nothing usable.
                return null;
            }
        }
    }

    private static Container Detect(ReadOnlySpan<byte> head) => head switch
    {
        _ when head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WAVE"u8) => Container.Wav,
        _ when head.StartsWith("fLaC"u8) => Container.Flac,
        _ when head.StartsWith("OggS"u8) => Container.Ogg,
        _ when head[4..8].SequenceEqual("ftyp"u8) => Container.Mp4,
        _ when head.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]) => Container.WebM,
        _ when head.StartsWith("ID3"u8) || (head[0] == 0xFF && (head[1] & 0xE0) == 0xE0) => Container.Mp3,
        _ => Container.Unknown,
    };

    private static double? Wav(ReadOnlySpan<byte> head, long total)
    {
        uint byteRate = 0;
        for (var offset = 12; offset + 8 <= head.Length;)
        {
            var id = head.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(head[(offset + 4)..]);
            if (id.SequenceEqual("fmt "u8))
            {
                byteRate = BinaryPrimitives.ReadUInt32LittleEndian(head[(offset + 16)..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                // Streamed WAVs declare 0 or 0xFFFFFFFF; the bytes that arrived are the truth either way.
                var data = Math.Min(size == 0 ? long.MaxValue : size, total - offset - 8);
                return byteRate == 0 ? null : (double)data / byteRate;
            }

            offset += 8 + (int)Math.Min(size + (size & 1), int.MaxValue - offset - 8);
        }

        return null;
    }

    private static double? Flac(ReadOnlySpan<byte> head)
    {
        // STREAMINFO is the first metadata block: sample rate (20 bits) and total samples (36 bits) at bytes 18-25.
        if ((head[4] & 0x7F) != 0)
        {
            return null;
        }

        var bits = BinaryPrimitives.ReadUInt64BigEndian(head[18..]);
        var rate = (bits >> 44) & 0xFFFFF;
        var samples = bits & 0xFFFFFFFFF;
        return rate == 0 || samples == 0 ? null : (double)samples / rate;
    }

    private static readonly int[] Mpeg1Layer3Kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    private static readonly int[] Mpeg2Layer3Kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    private static readonly int[] Mpeg1Rates = [44100, 48000, 32000];

    private static double? Mp3(ReadOnlySpan<byte> head, long total)
    {
        var offset = 0;
        if (head.StartsWith("ID3"u8))
        {
            var size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F);
            offset = 10 + size + ((head[5] & 0x10) != 0 ? 10 : 0);
        }

        // The first Layer III frame header after the tag.
        for (; offset + 4 <= head.Length; offset++)
        {
            if (head[offset] != 0xFF || (head[offset + 1] & 0xE0) != 0xE0)
            {
                continue;
            }

            var version = (head[offset + 1] >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
            var layer = (head[offset + 1] >> 1) & 3;   // 1 = Layer III
            var bitrateIndex = head[offset + 2] >> 4;
            var rateIndex = (head[offset + 2] >> 2) & 3;
            if (version == 1 || layer != 1 || bitrateIndex is 0 or 15 || rateIndex == 3)
            {
                continue;
            }

            var rate = Mpeg1Rates[rateIndex] >> (version == 3 ? 0 : version == 2 ? 1 : 2);
            var samplesPerFrame = version == 3 ? 1152 : 576;
            var mono = head[offset + 3] >> 6 == 3;
            var sideInfo = version == 3 ? (mono ? 17 : 32) : (mono ? 9 : 17);
            var xing = offset + 4 + sideInfo;
            if (xing + 12 <= head.Length && (head.Slice(xing, 4).SequenceEqual("Xing"u8) || head.Slice(xing, 4).SequenceEqual("Info"u8))
                && (head[xing + 7] & 1) != 0)
            {
                return (double)BinaryPrimitives.ReadUInt32BigEndian(head[(xing + 8)..]) * samplesPerFrame / rate;
            }

            var vbri = offset + 4 + 32;
            if (vbri + 18 <= head.Length && head.Slice(vbri, 4).SequenceEqual("VBRI"u8))
            {
                return (double)BinaryPrimitives.ReadUInt32BigEndian(head[(vbri + 14)..]) * samplesPerFrame / rate;
            }

            // Constant bitrate: the audio bytes at the first frame's bitrate.
            var kbps = (version == 3 ? Mpeg1Layer3Kbps : Mpeg2Layer3Kbps)[bitrateIndex];
            return (total - offset) * 8.0 / (kbps * 1000);
        }

        return null;
    }

    private static double? Ogg(ReadOnlySpan<byte> head, long granule)
    {
        // The first page's packet names the codec: Vorbis gives its sample rate; Opus always counts 48 kHz, less its pre-skip.
        if (granule < 0 || head.Length < 28)
        {
            return null;
        }

        var body = head[(27 + head[26])..];
        if (body.StartsWith("\u0001vorbis"u8))
        {
            var rate = BinaryPrimitives.ReadUInt32LittleEndian(body[12..]);
            return rate == 0 ? null : (double)granule / rate;
        }

        if (body.StartsWith("OpusHead"u8))
        {
            var preSkip = BinaryPrimitives.ReadUInt16LittleEndian(body[10..]);
            return Math.Max(0, granule - preSkip) / 48000.0;
        }

        return null;
    }

    private static double? Mp4(ReadOnlySpan<byte> moov)
    {
        // mvhd: version, flags, then (v0) 32-bit or (v1) 64-bit times, the timescale and the duration.
        for (var offset = 0; offset + 8 <= moov.Length;)
        {
            var size = (long)BinaryPrimitives.ReadUInt32BigEndian(moov[offset..]);
            if (moov.Slice(offset + 4, 4).SequenceEqual("mvhd"u8))
            {
                var box = moov[(offset + 8)..];
                return box[0] == 1
                    ? (double)BinaryPrimitives.ReadUInt64BigEndian(box[24..]) / Nonzero(BinaryPrimitives.ReadUInt32BigEndian(box[20..]))
                    : (double)BinaryPrimitives.ReadUInt32BigEndian(box[16..]) / Nonzero(BinaryPrimitives.ReadUInt32BigEndian(box[12..]));
            }

            if (size < 8)
            {
                return null;
            }

            offset += (int)Math.Min(size, int.MaxValue);
        }

        return null;
    }

    private static double Nonzero(uint value) => value == 0 ? double.NaN : value;

    private static double? WebM(ReadOnlySpan<byte> head)
    {
        // EBML header, then Segment; its Info holds TimecodeScale (ns per tick, default 1 ms) and Duration (ticks, a float).
        var offset = 0;
        _ = ReadId(head, ref offset);
        var header = ReadSize(head, ref offset);
        offset += (int)header;
        if (ReadId(head, ref offset) != 0x18538067)
        {
            return null;
        }

        _ = ReadSize(head, ref offset);
        while (offset < head.Length)
        {
            var id = ReadId(head, ref offset);
            var size = ReadSize(head, ref offset);
            if (id != 0x1549A966)
            {
                if (id == 0x1F43B675 || size < 0)
                {
                    return null; // a Cluster before Info, or an element of unknown size: no Info to be had
                }

                offset += (int)Math.Min(size, int.MaxValue - offset);
                continue;
            }

            var end = offset + (int)size;
            double scale = 1_000_000;
            double? duration = null;
            while (offset < end)
            {
                var child = ReadId(head, ref offset);
                var length = (int)ReadSize(head, ref offset);
                var value = head.Slice(offset, length);
                if (child == 0x2AD7B1)
                {
                    ulong ticks = 0;
                    foreach (var b in value)
                    {
                        ticks = ticks << 8 | b;
                    }

                    scale = ticks;
                }
                else if (child == 0x4489)
                {
                    duration = length == 4 ? BinaryPrimitives.ReadSingleBigEndian(value) : BinaryPrimitives.ReadDoubleBigEndian(value);
                }

                offset += length;
            }

            return duration * scale / 1e9;
        }

        return null;
    }

    private static long ReadId(ReadOnlySpan<byte> data, ref int offset)
    {
        var first = data[offset];
        var length = first == 0 ? 8 : System.Numerics.BitOperations.LeadingZeroCount((uint)first) - 23;
        long id = 0;
        for (var i = 0; i < length; i++)
        {
            id = id << 8 | data[offset + i];
        }

        offset += length;
        return id;
    }

    /// <summary>An EBML size; -1 for "unknown" (all value bits set).</summary>
    private static long ReadSize(ReadOnlySpan<byte> data, ref int offset)
    {
        var first = data[offset];
        var length = first == 0 ? 8 : System.Numerics.BitOperations.LeadingZeroCount((uint)first) - 23;
        long size = first & (0xFF >> length);
        var allOnes = size == 0xFF >> length;
        for (var i = 1; i < length; i++)
        {
            size = size << 8 | data[offset + i];
            allOnes &= data[offset + i] == 0xFF;
        }

        offset += length;
        return allOnes ? -1 : size;
    }

    /// <summary>Steps over Ogg pages (noting the largest granule position) or MP4 top-level boxes (keeping the moov) as bytes pass.</summary>
    private void Walk(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            if (_moovRemaining > 0)
            {
                var take = (int)Math.Min(chunk.Length, _moovRemaining);
                var keep = Math.Min(take, MoovBytes - _moovLength);
                chunk[..keep].CopyTo(_moov.AsSpan(_moovLength));
                _moovLength += keep;
                _moovRemaining -= take;
                chunk = chunk[take..];
                continue;
            }

            if (_skip > 0)
            {
                var skipped = (int)Math.Min(chunk.Length, _skip);
                _skip -= skipped;
                chunk = chunk[skipped..];
                continue;
            }

            var need = _container == Container.Ogg ? (_oggSegments >= 0 ? _oggSegments : 27) : Mp4HeaderLength();
            var gather = Math.Min(need - _structureLength, chunk.Length);
            if (_container == Container.Ogg && _oggSegments >= 0)
            {
                // The segment table: its lacing values sum to the page's body length.
                foreach (var lacing in chunk[..gather])
                {
                    _pageBody += lacing;
                }

                _structureLength += gather;
                chunk = chunk[gather..];
                if (_structureLength == _oggSegments)
                {
                    _skip = _pageBody;
                    _pageBody = 0;
                    _oggSegments = -1;
                    _structureLength = 0;
                }

                continue;
            }

            chunk[..gather].CopyTo(_structure.AsSpan(_structureLength));
            _structureLength += gather;
            chunk = chunk[gather..];
            if (_structureLength < need)
            {
                continue;
            }

            if (_container == Container.Ogg)
            {
                if (!_structure.AsSpan(0, 4).SequenceEqual("OggS"u8))
                {
                    _container = Container.Unknown; // lost the page boundaries: claim nothing
                    return;
                }

                var granule = BinaryPrimitives.ReadInt64LittleEndian(_structure.AsSpan(6));
                _maxGranule = Math.Max(_maxGranule, granule);
                _oggSegments = _structure[26];
                _structureLength = 0;
                if (_oggSegments == 0)
                {
                    _oggSegments = -1;
                }

                continue;
            }

            if (need == 8 && BinaryPrimitives.ReadUInt32BigEndian(_structure) == 1)
            {
                continue; // a 64-bit size follows
            }

            var size = need == 16 ? (long)BinaryPrimitives.ReadUInt64BigEndian(_structure.AsSpan(8)) : BinaryPrimitives.ReadUInt32BigEndian(_structure);
            var body = size == 0 ? long.MaxValue : size - need;
            if (body < 0)
            {
                _container = Container.Unknown;
                return;
            }

            if (_structure.AsSpan(4, 4).SequenceEqual("moov"u8) && _moov is null)
            {
                _moov = new byte[(int)Math.Min(body, MoovBytes)];
                _moovRemaining = body;
            }
            else
            {
                _skip = body;
            }

            _structureLength = 0;
        }
    }

    private int Mp4HeaderLength() =>
        _structureLength >= 8 && BinaryPrimitives.ReadUInt32BigEndian(_structure) == 1 ? 16 : 8;

    public override string ToString() => $"{_container}, {_total} bytes, {Seconds?.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} s";
}
