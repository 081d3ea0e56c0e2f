// What the input estimate costs per request (Metering/TokenEstimator): a chat body of each size
// and kind of text, estimated by byte count (models whose tokenizer the gateway lacks) and by the
// real o200k tokenizer (OpenAI models), timed in process. Prints microseconds per request and
// nanoseconds per KB of body; the first tokenizer use (loading the vocabulary) is timed apart.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Switchyard.Metering;

var load = Stopwatch.StartNew();
TokenEstimator.Count("warm up", TokenEstimator.Counting.O200k);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"o200k vocabulary load: {load.Elapsed.TotalMilliseconds:0} ms"));
load.Restart();
TokenEstimator.Count("warm up", TokenEstimator.Counting.Cl100k);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cl100k vocabulary load: {load.Elapsed.TotalMilliseconds:0} ms"));

var kinds = new Dictionary<string, string>
{
    ["english"] = "The quick brown fox jumps over the lazy dog near the riverbank. ",
    ["cjk"] = "東京都の天気は晴れ、気温は二十三度です。明日は雨が降るでしょう。",
    ["json"] = """{"id":1234,"name":"widget","tags":["a","b"],"price":9.99,"ok":true},""",
};

Console.WriteLine("kind      body KB  counting   us/request   ns/KB");
foreach (var (kind, unit) in kinds)
{
    foreach (var kilobytes in new[] { 1, 16, 256, 1024 })
    {
        var text = new StringBuilder();
        while (Encoding.UTF8.GetByteCount(text.ToString()) < kilobytes * 1024)
        {
            text.Append(unit);
        }

        var body = Encoding.UTF8.GetBytes($$"""{"model":"m","messages":[{"role":"user","content":{{JsonValue.Create(text.ToString()).ToJsonString()}}}]}""");
        foreach (var counting in new[] { TokenEstimator.Counting.Bytes, TokenEstimator.Counting.O200k })
        {
            var iterations = Math.Max(5, 20_000 / kilobytes);
            var runs = new List<double>();
            for (var run = 0; run < 5; run++)
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < iterations; i++)
                {
                    TokenEstimator.EstimateInput(body, counting);
                }

                runs.Add(clock.Elapsed.TotalMicroseconds / iterations);
            }

            var micros = runs.Order().ElementAt(2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind,-9} {body.Length / 1024,7}  {counting,-8} {micros,12:0.0} {micros * 1000 / (body.Length / 1024.0),7:0}"));
        }
    }
}
