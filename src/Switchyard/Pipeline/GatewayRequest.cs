using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Conversations;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Limits;
using Switchyard.Metering;

namespace Switchyard.Pipeline;

/// <summary>
/// Everything about one request, in one place, from the first byte to its ledger row: set on
/// <see cref="HttpContext.Features"/> by the first middleware and filled by the steps of its route
/// (authenticate, read the body, resolve the model, admit, serve, settle), each of which only adds
/// to it. Attempts read it; each attempt works on its own copy of the neutral request.
/// </summary>
internal sealed class GatewayRequest : IDisposable
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private PooledBufferWriter? _bodyBuffer;
    private int _keepMediaUrls;
    private ChatRequest? _neutral;
    private ChatRequest? _inlined;

    public GatewayRequest(HttpContext context) => Context = context;

    public HttpContext Context { get; }

    public CancellationToken Aborted => Context.RequestAborted;

    // The route, set when a gateway route starts.

    /// <summary>The route's dialect: it reads the body and writes every answer and error.</summary>
    public IClientDialect? Dialect { get; set; }

    public ClientRoute? Route { get; set; }

    public GatewayOperation? Operation { get; set; }

    // Who asks.

    public Caller? Caller { get; set; }

    // What they sent.

    public ReadOnlyMemory<byte> Body { get; private set; }

    public JsonTopLevel TopLevel { get; } = new();

    /// <summary>The body's input in UTF-8 bytes of text and tokens of inline media, before any tokenizing.</summary>
    public TokenEstimator.InputBound InputBound { get; private set; }

    /// <summary>The first media URLs of the body that an upstream would fetch itself, in the route's dialect (as many as <c>media.maxImages</c>).</summary>
    public IReadOnlyList<MediaUrl> MediaUrls { get; private set; } = [];

    /// <summary>How many media URLs the body carries, kept in <see cref="MediaUrls"/> or not.</summary>
    public int MediaUrlCount { get; private set; }

    /// <summary>The model as the client named it (body or path); every answer reports this id.</summary>
    public string? ModelId { get; set; }

    public bool Stream { get; set; }

    /// <summary>Stream as one progressively written JSON array instead of SSE (Gemini without <c>alt=sse</c>).</summary>
    public bool JsonArray { get; set; }

    public ParamAdjustments Adjustments { get; } = new();

    /// <summary>The conversation this request continues and records, on a dialect that stores answers.</summary>
    public ConversationTurn? Turn { get; set; }

    // What serves it.

    /// <summary>The catalog snapshot the request was resolved in; attempts use the same one.</summary>
    public ModelCatalog? Catalog { get; set; }

    public ModelEntry? Model { get; set; }

    /// <summary>The deployment of the last attempt (the one that served, when one did).</summary>
    public Deployment? Deployment { get; set; }

    // What it costs.

    /// <summary>Set once the request was admitted against its key's limits: from then on it is settled.</summary>
    public bool Admitted { get; set; }

    public Reservation Reservation { get; set; }

    /// <summary>The key's hold on its <c>rpm</c> and <c>maxConcurrent</c>, taken before the body is read; null for a key without them.</summary>
    public KeyLease? RequestLease { get; set; }

    /// <summary>The <c>x-ratelimit-*</c> headers of a limited key's admissions, written when the response starts.</summary>
    public RateLimitHeaders? RateLimits { get; set; }

    /// <summary>The key's hold on its <c>tpm</c> and credits for this request's worst case; null for a key without them.</summary>
    public KeyLease? Lease { get; set; }

    /// <summary>The request is never charged (a token count): it is admitted and logged, at no cost.</summary>
    public bool Uncharged { get; set; }

    /// <summary>The limits refused the request; its ledger row was written then.</summary>
    public bool Refused { get; set; }

    /// <summary>Kept current as an answer is relayed, so a request that ends early is charged for what it relayed.</summary>
    public RelayedUsage Relayed { get; } = new();

    /// <summary>An answer reached the client: from here on the request is charged.</summary>
    public bool Committed { get; private set; }

    /// <summary>How the request's attempts ended, once they have.</summary>
    public AttemptOutcome? Outcome { get; set; }

    /// <summary>
    /// Every byte of a successful answer was handed to the connection: a client that closes after
    /// that (as agents do the moment they read a stream's end) got its whole answer, so the request
    /// is logged and metered with its status, not 499.
    /// </summary>
    public bool Delivered { get; set; }

    /// <summary>
    /// The answer's end is on its way out: a request of the same key or team refused for a slot
    /// waits for this one's instead (a client may send its next request the moment it reads the end).
    /// </summary>
    public void MarkFinishing()
    {
        RequestLease?.MarkFinishing();
        Lease?.MarkFinishing();
    }

    /// <summary>The status the request log, metrics and ledger record: 499, as nginx logs it, when the client left before its answer was delivered.</summary>
    public int FinalStatus => Context.RequestAborted.IsCancellationRequested && !Delivered
        ? StatusCodes.Status499ClientClosedRequest
        : Context.Response.StatusCode;

    // Where the time went.

    /// <summary>Time spent waiting for upstreams (to response headers, summed over attempts).</summary>
    public TimeSpan Upstream { get; set; }

    public int Attempts { get; set; }

    /// <summary>Time spent waiting for a slot at a provider's concurrency limit.</summary>
    public TimeSpan Queue { get; set; }

    /// <summary>When the first byte of the answer left for the client (the request log's time to first token).</summary>
    public TimeSpan? FirstByte { get; private set; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    /// <summary>The request's span and metrics, once a gateway route started them.</summary>
    public RequestTelemetry? Telemetry { get; set; }

    public void MarkFirstByte() => FirstByte ??= Elapsed;

    /// <summary>
    /// Reads what every later step needs of a body in one pass: its top level (<see cref="TopLevel"/>),
    /// its input's byte bound (<see cref="InputBound"/>) and the media URLs an upstream would fetch
    /// (<see cref="MediaUrls"/>, the first <paramref name="keepMediaUrls"/> of them, and
    /// <see cref="MediaUrlCount"/>); a 400 when it is not a JSON object.
    /// </summary>
    public void IndexBody(ReadOnlySpan<byte> body, int keepMediaUrls)
    {
        var tokens = new BodyTokens(Dialect?.MediaUrls, keepMediaUrls);
        TopLevel.RescanEveryToken(body, ref tokens);
        InputBound = tokens.Input.Bound;
        MediaUrls = tokens.Media.Found ?? (IReadOnlyList<MediaUrl>)[];
        MediaUrlCount = tokens.Media.Count;
        _keepMediaUrls = keepMediaUrls;
    }

    /// <summary>
    /// Indexes the pooled body buffer (<see cref="IndexBody"/>) and takes ownership of it; it is
    /// returned when the request ends. A body that is no JSON object stays the caller's.
    /// </summary>
    public void SetBody(PooledBufferWriter buffer, int keepMediaUrls)
    {
        IndexBody(buffer.WrittenSpan, keepMediaUrls);
        _bodyBuffer?.Dispose();
        _bodyBuffer = buffer;
        Body = buffer.WrittenMemory;
    }

    /// <summary>Replaces the body (a continued conversation's rebuilt one) and indexes it as the first; the pooled buffer stays owned until the end.</summary>
    public void ReplaceBody(ReadOnlyMemory<byte> body)
    {
        IndexBody(body.Span, _keepMediaUrls);
        Body = body;
        _neutral = null;
        _inlined = null;
    }

    /// <summary>
    /// The neutral request, parsed on first use with the route's codec; its model and streaming are
    /// what the client asked for in the body or the path. Attempts take copies, never this one.
    /// </summary>
    public ChatRequest Neutral(IClientCodec codec)
    {
        if (_neutral is null)
        {
            var request = codec.ReadRequest(Body, Adjustments);
            request.Echo = Turn?.Echo ?? request.Echo;
            request.Model = ModelId!;
            request.Stream = Stream;
            _neutral = request;
        }

        return _neutral;
    }

    /// <summary>
    /// The neutral request with images given by URL fetched into it, for upstreams that take images
    /// inline only; fetched once per request, whichever attempts need it.
    /// </summary>
    public async ValueTask<ChatRequest> InlinedAsync(IClientCodec codec, Media.ImageFetcher images)
    {
        if (_inlined is null)
        {
            var neutral = Neutral(codec);
            var copy = neutral with { Messages = [.. neutral.Messages] };
            await Media.ImageInliner.InlineAsync(copy, images, Aborted);
            _inlined = copy;
        }

        return _inlined;
    }

    /// <summary>Records an attempt's outcome; the forwarders keep <see cref="Relayed"/> current themselves.</summary>
    public void Attempted(Deployment deployment, bool committed, Usage? usage)
    {
        Deployment = deployment;
        if (!committed)
        {
            return;
        }

        Committed = true;
        if (usage is not null && (Relayed.Reported is null || !Stream))
        {
            Relayed.Reported = usage;
            Relayed.Completed = !Stream || Relayed.Completed;
        }
    }

    /// <summary>Committed, or a successful answer had started when the request ended some other way (the client left mid-stream).</summary>
    public bool Charged => Committed || (Context.Response.HasStarted && Context.Response.StatusCode < 400);

    /// <summary>
    /// <c>gateway</c> is the time spent in Switchyard itself up to the response headers; <c>upstream</c>
    /// the time waiting for the upstream's headers.
    /// </summary>
    public string ToServerTiming()
    {
        var gateway = Elapsed - Upstream - Queue;
        if (gateway < TimeSpan.Zero)
        {
            gateway = TimeSpan.Zero;
        }

        if (Attempts == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"gateway;dur={new Milliseconds(gateway)}");
        }

        return Queue > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture,
                $"gateway;dur={new Milliseconds(gateway)}, upstream;dur={new Milliseconds(Upstream)};desc=\"attempts={Attempts} deployment={Deployment?.Name}\", queue;dur={new Milliseconds(Queue)}")
            : string.Create(CultureInfo.InvariantCulture,
                $"gateway;dur={new Milliseconds(gateway)}, upstream;dur={new Milliseconds(Upstream)};desc=\"attempts={Attempts} deployment={Deployment?.Name}\"");
    }

    /// <summary>
    /// A duration in milliseconds as <c>0.###</c> would write it (at most three decimals, no trailing
    /// zeros), from whole microseconds: a custom numeric format is the slow path of number
    /// formatting, and this header goes out on every answer.
    /// </summary>
    internal readonly struct Milliseconds(TimeSpan span) : ISpanFormattable
    {
        public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
        {
            // Ticks are tenths of a microsecond: round half away from zero, as the format does
            // (unsigned, so no duration overflows).
            var magnitude = span.Ticks < 0 ? (ulong)(-(span.Ticks + 1)) + 1 : (ulong)span.Ticks;
            var micros = (magnitude + 5) / 10;
            var (whole, fraction) = Math.DivRem(micros, 1000UL);
            var sign = span.Ticks < 0 && micros > 0 ? "-" : "";
            if (fraction == 0)
            {
                return destination.TryWrite(CultureInfo.InvariantCulture, $"{sign}{whole}", out charsWritten);
            }

            // Three digits, then the trailing zeros dropped.
            var digits = fraction % 100 == 0 ? 1 : fraction % 10 == 0 ? 2 : 3;
            var shown = digits == 1 ? fraction / 100 : digits == 2 ? fraction / 10 : fraction;
            return digits switch
            {
                1 => destination.TryWrite(CultureInfo.InvariantCulture, $"{sign}{whole}.{shown}", out charsWritten),
                2 => destination.TryWrite(CultureInfo.InvariantCulture, $"{sign}{whole}.{shown:D2}", out charsWritten),
                _ => destination.TryWrite(CultureInfo.InvariantCulture, $"{sign}{whole}.{shown:D3}", out charsWritten),
            };
        }

        public string ToString(string? format, IFormatProvider? formatProvider) =>
            string.Create(CultureInfo.InvariantCulture, $"{this}");

        public override string ToString() => ToString(null, null);
    }

    public void Dispose()
    {
        _bodyBuffer?.Dispose();
        _bodyBuffer = null;
    }

    /// <summary>The readers of <see cref="IndexBody"/>'s one pass.</summary>
    private struct BodyTokens(MediaUrlReader? media, int keepMediaUrls) : IJsonTokenSink
    {
        public InputBoundCounter Input;
        public MediaUrlTokens Media = media?.Tokens(keepMediaUrls) ?? default;
        private readonly bool _media = media is not null;

        public void OnToken(ref Utf8JsonReader reader)
        {
            Input.OnToken(ref reader);
            if (_media)
            {
                Media.OnToken(ref reader);
            }
        }
    }
}
