using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Switchyard.Dialects;

namespace Switchyard.Media;

/// <summary>
/// Reads a transcription upload (<c>POST /v1/audio/transcriptions</c>) far enough to route it: the
/// fields before the file, and the file part itself left unread so it streams to the upstream.
/// When the client sends <c>model</c> after the file (as some SDKs do), the file is spooled to a
/// temporary file, never held in memory.
/// </summary>
internal sealed class TranscriptionUpload : IAsyncDisposable
{
    private static readonly string[] AudioExtensions = [".flac", ".m4a", ".mp3", ".mp4", ".mpeg", ".mpga", ".oga", ".ogg", ".wav", ".webm"];

    private FileStream? _spool;

    private TranscriptionUpload(List<(string Name, string Value)> fields, MultipartFile file, MultipartReader? rest)
    {
        Fields = fields;
        File = file;
        Rest = rest;
    }

    public List<(string Name, string Value)> Fields { get; }

    public MultipartFile File { get; private set; }

    /// <summary>The client's sections after the file, still to be read; null when the file was spooled.</summary>
    public MultipartReader? Rest { get; private set; }

    public string? Field(string name) => Fields.FirstOrDefault(f => f.Name == name).Value;

    public static async Task<TranscriptionUpload> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            throw GatewayException.InvalidRequest("The body must be multipart/form-data with a boundary.", "file");
        }

        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = maxBytes };
        var fields = new List<(string, string)>();
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                var disposition = section.GetContentDispositionHeader()
                    ?? throw GatewayException.InvalidRequest("A multipart section has no Content-Disposition.", "file");
                var name = disposition.Name.Value ?? string.Empty;
                if (name != "file")
                {
                    fields.Add((name, await section.ReadAsStringAsync(cancellationToken)));
                    continue;
                }

                var fileName = disposition.FileName.Value ?? disposition.FileNameStar.Value ?? "audio";
                var type = section.ContentType ?? "application/octet-stream";
                if (!IsAudio(type, fileName))
                {
                    throw GatewayException.InvalidRequest($"'file' must be audio; '{type}' is not an audio content type.", "file");
                }

                var upload = new TranscriptionUpload(fields, new MultipartFile(name, fileName, type, section.Body), reader);
                if (upload.Field("model") is null)
                {
                    await upload.SpoolAsync(cancellationToken);
                }

                return upload;
            }
        }
        catch (InvalidDataException exception)
        {
            throw MalformedOrTooLarge(exception, maxBytes);
        }

        throw GatewayException.InvalidRequest("'file' is required.", "file");
    }

    /// <summary>Moves the file to disk and reads the fields after it (for the model).</summary>
    private async Task SpoolAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Path.GetTempPath(), "switchyard-upload-" + Guid.NewGuid().ToString("N"));
        _spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await File.Content.CopyToAsync(_spool, cancellationToken);
        _spool.Position = 0;
        File = File with { Content = _spool };
        while (await Rest!.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            Fields.Add((section.GetContentDispositionHeader()?.Name.Value ?? string.Empty, await section.ReadAsStringAsync(cancellationToken)));
        }

        Rest = null;
    }

    private static bool IsAudio(string contentType, string fileName) =>
        contentType.StartsWith("audio/", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
        || (contentType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase)
            && AudioExtensions.Contains(Path.GetExtension(fileName), StringComparer.OrdinalIgnoreCase));

    /// <summary>MultipartReader reports both a section over its length limit and broken framing as InvalidDataException.</summary>
    public static GatewayException MalformedOrTooLarge(InvalidDataException exception, long maxBytes) =>
        exception.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
            ? new GatewayException(new GatewayError(GatewayErrorKind.PayloadTooLarge, $"The request body is larger than the gateway's limit of {maxBytes} bytes.") { Code = "request_too_large" })
            : GatewayException.InvalidRequest($"The multipart body is malformed: {exception.Message}", "file");

    public async ValueTask DisposeAsync()
    {
        if (_spool is not null)
        {
            await _spool.DisposeAsync();
        }
    }
}
