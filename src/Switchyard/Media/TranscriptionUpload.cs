using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Switchyard.Dialects;

namespace Switchyard.Media;

/// <summary>
/// Reads a transcription upload (<c>POST /v1/audio/transcriptions</c>) far enough to route it: the
/// fields before the file, and the file part itself left unread so it streams to the upstream.
/// When the client sends <c>model</c> after the file (as some SDKs do), the file is spooled to a
/// temporary file, never held in memory. The upload is bounded as a whole — its total size
/// (413, chunked bodies included), its number of parts and the size of each field (400) — and a
/// malformed or truncated body is a 400 that names the problem, wherever it is found.
/// </summary>
internal sealed class TranscriptionUpload : IAsyncDisposable
{
    private static readonly string[] AudioExtensions = [".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".oga", ".ogg", ".wav", ".webm"];

    private readonly UploadLimits _limits;
    private MultipartReader? _rest;
    private FileStream? _spool;
    private int _parts;

    private TranscriptionUpload(List<(string Name, string Value)> fields, MultipartFile file, MultipartReader rest, UploadLimits limits, int parts)
    {
        Fields = fields;
        File = file;
        _rest = rest;
        _limits = limits;
        _parts = parts;
    }

    /// <summary>The fields read so far: those before the file, and after it once the file was spooled.</summary>
    public List<(string Name, string Value)> Fields { get; }

    public MultipartFile File { get; private set; }

    public string? Field(string name) => Fields.FirstOrDefault(f => f.Name == name).Value;

    public static async Task<TranscriptionUpload> ReadAsync(HttpRequest request, long maxBytes, UploadLimits limits, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw UploadLimitStream.TooLarge(maxBytes);
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            throw GatewayException.InvalidRequest("The body must be multipart/form-data with a boundary.", "file");
        }

        // The whole body is bounded here; sections have no limit of their own, fields are read with theirs.
        var reader = new MultipartReader(boundary, new UploadLimitStream(request.Body, maxBytes));
        var fields = new List<(string, string)>();
        var parts = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                var (name, disposition) = Name(section, ref parts, limits);
                if (name != "file")
                {
                    fields.Add((name, await ReadFieldAsync(section, name, limits, cancellationToken)));
                    continue;
                }

                // Unescaped here, quoted again (MultipartRelayContent) when written upstream.
                var fileName = (disposition.FileName.HasValue ? HeaderUtilities.UnescapeAsQuotedString(disposition.FileName).Value : null)
                    ?? disposition.FileNameStar.Value ?? "audio";
                var type = section.ContentType ?? "application/octet-stream";
                if (!IsAudio(type, fileName))
                {
                    throw GatewayException.InvalidRequest($"'file' must be audio; '{type}' is not an audio content type.", "file");
                }

                var upload = new TranscriptionUpload(fields, new MultipartFile(name, fileName, type, section.Body), reader, limits, parts);
                if (upload.Field("model") is null)
                {
                    await upload.SpoolAsync(cancellationToken);
                }

                return upload;
            }
        }
        catch (Exception exception) when (ClientError(exception) is { } error)
        {
            throw new GatewayException(error);
        }

        throw GatewayException.InvalidRequest("'file' is required.", "file");
    }

    /// <summary>The client's fields after the file, read as the relay reaches them (none once the file was spooled).</summary>
    public async IAsyncEnumerable<(string Name, string Value)> ReadRemainingFieldsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_rest is null)
        {
            yield break;
        }

        while (await _rest.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            var (name, _) = Name(section, ref _parts, _limits);
            yield return (name, await ReadFieldAsync(section, name, _limits, cancellationToken));
        }

        _rest = null;
    }

    /// <summary>
    /// What went wrong with the client's upload, as the error to answer with: its own 413 or 400, a
    /// malformed body, or one that ended before its closing boundary. Null for anything else.
    /// </summary>
    public static GatewayError? ClientError(Exception exception) => exception switch
    {
        GatewayException gateway => gateway.Error,
        InvalidDataException malformed => GatewayError.InvalidRequest($"The multipart body is malformed: {malformed.Message}", "file"),
        // Kestrel cut an upload that arrived slower than limits.minBodyBytesPerSecond: not a truncated body.
        BadHttpRequestException { StatusCode: StatusCodes.Status408RequestTimeout } => GatewayError.BodyTooSlow(),
        IOException => GatewayError.InvalidRequest("The multipart body is truncated: it ended before its closing boundary.", "file"),
        _ => null,
    };

    /// <summary>Moves the file to disk and reads the fields after it (for the model).</summary>
    private async Task SpoolAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "switchyard-upload-" + Guid.NewGuid().ToString("N"));
        _spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await File.Content.CopyToAsync(_spool, cancellationToken);
        _spool.Position = 0;
        File = File with { Content = _spool };
        await foreach (var field in ReadRemainingFieldsAsync(cancellationToken))
        {
            Fields.Add(field);
        }
    }

    private static (string Name, ContentDispositionHeaderValue Disposition) Name(MultipartSection section, ref int parts, UploadLimits limits)
    {
        if (++parts > limits.MaxFields)
        {
            throw GatewayException.InvalidRequest($"The upload has more than {limits.MaxFields} parts.", "file");
        }

        var disposition = section.GetContentDispositionHeader()
            ?? throw GatewayException.InvalidRequest("A multipart section has no Content-Disposition.", "file");
        return (disposition.Name.HasValue ? HeaderUtilities.UnescapeAsQuotedString(disposition.Name).Value ?? string.Empty : string.Empty, disposition);
    }

    /// <summary>A field's value, refused once it passes the field limit rather than read whole.</summary>
    private static async Task<string> ReadFieldAsync(MultipartSection section, string name, UploadLimits limits, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(limits.MaxFieldBytes + 1, 4096)];
        using var value = new MemoryStream();
        int read;
        while ((read = await section.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (value.Length + read > limits.MaxFieldBytes)
            {
                throw GatewayException.InvalidRequest($"The field '{name}' is longer than the gateway's limit of {limits.MaxFieldBytes} bytes.", name);
            }

            value.Write(buffer, 0, read);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value.GetBuffer(), 0, (int)value.Length);
        }
        catch (DecoderFallbackException)
        {
            throw GatewayException.InvalidRequest($"The field '{name}' is not valid UTF-8.", name);
        }
    }

    private static bool IsAudio(string contentType, string fileName) =>
        contentType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
        || (contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            && AudioExtensions.Contains(Path.GetExtension(fileName), StringComparer.OrdinalIgnoreCase));

    public async ValueTask DisposeAsync()
    {
        if (_spool is not null)
        {
            await _spool.DisposeAsync();
        }
    }
}
