using Switchyard.Media;

namespace Switchyard.Tests.Media;

/// <summary>
/// Durations read from real containers (2.5 s tones made with ffmpeg: see Fixtures/Audio/README.md),
/// fed in every chunking from a byte at a time to the whole file, as an upload arrives.
/// </summary>
public sealed class AudioDurationTests
{
    public static TheoryData<string, double, double> Files => new()
    {
        { "tone.wav", 2.5, 2.5 },
        { "tone.flac", 2.5, 2.5 },
        { "tone.mp3", 2.5, 2.7 },          // Xing frame count, encoder padding included
        { "tone.ogg", 2.5, 2.5 },          // Vorbis: last granule position / sample rate
        { "tone.opus.ogg", 2.5, 2.51 },    // Opus: granule at 48 kHz less the pre-skip
        { "tone.m4a", 2.5, 2.52 },         // moov after mdat
        { "tone.faststart.m4a", 2.5, 2.52 }, // moov before mdat
        { "tone.webm", 2.5, 2.51 },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Reads_the_duration_of_each_container_however_the_bytes_arrive(string file, double min, double max)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Audio", file));

        foreach (var chunk in new[] { 1, 7, 1000, 4096, bytes.Length })
        {
            var duration = new AudioDuration();
            for (var offset = 0; offset < bytes.Length; offset += chunk)
            {
                duration.Write(bytes.AsSpan(offset, Math.Min(chunk, bytes.Length - offset)));
            }

            Assert.InRange(duration.Seconds ?? -1, min, max);
            Assert.Equal(bytes.Length, duration.Bytes);
        }
    }

    [Theory]
    [InlineData("tone.wav", 40)]
    [InlineData("tone.flac", 20)]
    [InlineData("tone.ogg", 30)]
    [InlineData("tone.m4a", 100)]
    [InlineData("tone.webm", 30)]
    public void Says_nothing_rather_than_something_wrong_for_a_damaged_file(string file, int keep)
    {
        var bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Audio", file));
        var duration = new AudioDuration();

        duration.Write(bytes.AsSpan(0, keep));

        Assert.Null(duration.Seconds);
    }

    [Fact]
    public void Says_nothing_of_bytes_that_are_no_audio_container()
    {
        var duration = new AudioDuration();

        duration.Write(new byte[10_000]);

        Assert.Null(duration.Seconds);
    }
}
