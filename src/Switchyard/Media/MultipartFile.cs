namespace Switchyard.Media;

/// <summary>The file part of an upload: its field, name, type, and a stream that yields its bytes once.</summary>
internal sealed record MultipartFile(string FieldName, string FileName, string ContentType, Stream Content);
