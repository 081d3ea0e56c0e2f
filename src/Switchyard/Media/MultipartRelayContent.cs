using System.Net;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Switchyard.Media;

/// <summary>
/// A multipart/form-data body written while it is read from the client: the fields read so far
/// (with the model renamed for the upstream), then the file part copied as it arrives, then any
/// fields that follow it. Field values and file bytes reach the upstream exactly as sent.
/// </summary>
internal sealed class MultipartRelayContent : HttpContent
{
    private readonly string _boundary = "switchyard-" + Guid.NewGuid().ToString("N");
    private readonly IReadOnlyList<(string Name, string Value)> _fields;
    private readonly MultipartFile _file;
    private readonly MultipartReader? _rest;
    private readonly Func<string, string> _renameModel;

    /// <param name="fields">The fields read before the file.</param>
    /// <param name="file">The file part: its stream is read only while this content is sent.</param>
    /// <param name="rest">The client's remaining sections (none when they were read before, with a spooled file).</param>
    /// <param name="renameModel">Maps the client's model id to the upstream's name.</param>
    public MultipartRelayContent(IReadOnlyList<(string Name, string Value)> fields, MultipartFile file, MultipartReader? rest, Func<string, string> renameModel)
    {
        _fields = fields;
        _file = file;
        _rest = rest;
        _renameModel = renameModel;
        Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={_boundary}");
    }

    /// <summary>Bytes of the file part relayed so far.</summary>
    public long FileBytes { get; private set; }

    /// <summary>The client's body failed to parse or passed the size limit while it was relayed.</summary>
    public InvalidDataException? ClientError { get; private set; }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await RelayAsync(stream, cancellationToken);
        }
        catch (InvalidDataException exception)
        {
            ClientError = exception;
            throw;
        }
    }

    private async Task RelayAsync(Stream stream, CancellationToken cancellationToken)
    {
        foreach (var (name, value) in _fields)
        {
            await WriteFieldAsync(stream, name, value, cancellationToken);
        }

        await WriteAsync(stream, $"--{_boundary}\r\nContent-Disposition: form-data; name=\"{_file.FieldName}\"; filename=\"{_file.FileName}\"\r\nContent-Type: {_file.ContentType}\r\n\r\n", cancellationToken);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await _file.Content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            FileBytes += read;
        }

        await WriteAsync(stream, "\r\n", cancellationToken);
        if (_rest is not null)
        {
            while (await _rest.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                var name = section.GetContentDispositionHeader()?.Name.Value ?? string.Empty;
                await WriteFieldAsync(stream, name, await section.ReadAsStringAsync(cancellationToken), cancellationToken);
            }
        }

        await WriteAsync(stream, $"--{_boundary}--\r\n", cancellationToken);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    private Task WriteFieldAsync(Stream stream, string name, string value, CancellationToken cancellationToken) =>
        WriteAsync(stream, $"--{_boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{(name == "model" ? _renameModel(value) : value)}\r\n", cancellationToken);

    private static async Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken) =>
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
}
