using System.Net;
using System.Text;
using Switchyard.Dialects;

namespace Switchyard.Media;

/// <summary>
/// A multipart/form-data body written while it is read from the client: the fields read so far
/// (with the model renamed for the upstream), then the file part copied as it arrives, then any
/// fields that follow it. Field values and file bytes reach the upstream exactly as sent. A failure
/// reading the client's side (too large, malformed, truncated) is kept apart from the upstream's, so
/// it is answered as the client's 4xx, not as an upstream 502.
/// </summary>
internal sealed class MultipartRelayContent : HttpContent
{
    private readonly string _boundary = "switchyard-" + Guid.NewGuid().ToString("N");
    private readonly TranscriptionUpload _upload;
    private readonly Func<string, string> _renameModel;

    /// <param name="upload">The upload: its fields so far, its file (read only while this content is sent) and the fields after it.</param>
    /// <param name="renameModel">Maps the client's model id to the upstream's name.</param>
    public MultipartRelayContent(TranscriptionUpload upload, Func<string, string> renameModel)
    {
        _upload = upload;
        _renameModel = renameModel;
        Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={_boundary}");
    }

    /// <summary>Bytes of the file part relayed so far.</summary>
    public long FileBytes { get; private set; }

    /// <summary>The file's duration, read from its container as it was relayed.</summary>
    public AudioDuration Duration { get; } = new();

    /// <summary>The client's upload failed while it was relayed (too large, malformed, truncated): the error to answer with.</summary>
    public GatewayError? ClientError { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in _upload.Fields)
        {
            await WriteFieldAsync(stream, name, value, cancellationToken);
        }

        var file = _upload.File;
        await WriteAsync(stream, $"--{_boundary}\r\nContent-Disposition: form-data; name={Quoted(file.FieldName)}; filename={Quoted(file.FileName)}\r\nContent-Type: {file.ContentType}\r\n\r\n", cancellationToken);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await FromClientAsync(() => file.Content.ReadAsync(buffer, cancellationToken))) > 0)
        {
            Duration.Write(buffer.AsSpan(0, read));
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            FileBytes += read;
        }

        await WriteAsync(stream, "\r\n", cancellationToken);
        var rest = _upload.ReadRemainingFieldsAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (rest)
        {
            while (await FromClientAsync(rest.MoveNextAsync))
            {
                await WriteFieldAsync(stream, rest.Current.Name, rest.Current.Value, cancellationToken);
            }
        }

        await WriteAsync(stream, $"--{_boundary}--\r\n", cancellationToken);
    }

    /// <summary>Runs a read of the client's body, recording a failure of the upload itself as <see cref="ClientError"/>.</summary>
    private async ValueTask<T> FromClientAsync<T>(Func<ValueTask<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception exception) when (TranscriptionUpload.ClientError(exception) is { } error)
        {
            ClientError = error;
            throw;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    private Task WriteFieldAsync(Stream stream, string name, string value, CancellationToken cancellationToken) =>
        WriteAsync(stream, $"--{_boundary}\r\nContent-Disposition: form-data; name={Quoted(name)}\r\n\r\n{(name == "model" ? _renameModel(value) : value)}\r\n", cancellationToken);

    /// <summary>A client's field or file name as a quoted-string: quotes and backslashes escaped, line breaks dropped, so it cannot add parameters or headers upstream.</summary>
    private static string Quoted(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal) + "\"";

    private static async Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
}
