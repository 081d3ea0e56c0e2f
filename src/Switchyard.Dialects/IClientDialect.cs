using System.Buffers;
using System.Text.Json.Serialization.Metadata;

namespace Switchyard.Dialects;

/// <summary>A dialect clients call: the surface it belongs to, its routes, and its error envelope.</summary>
public interface IClientDialect
{
    Surface Surface { get; }

    IReadOnlyList<ClientRoute> Routes { get; }

    /// <summary>Top-level fields a request body must carry; checked before the model is resolved.</summary>
    IReadOnlyList<string> RequiredFields => [];

    /// <summary>Finds the media URLs a request carries, which an upstream would fetch itself; null when the dialect carries none.</summary>
    MediaUrlReader? MediaUrls => null;

    /// <summary>The wire type of a request body: its properties are the known fields and their types (<see cref="Json.RequestShape"/>).</summary>
    JsonTypeInfo? RequestShape => null;

    /// <summary>Fields that count something (output tokens, choices) and may not be negative; dotted paths for nested ones.</summary>
    IReadOnlyList<string> CountFields => [];

    /// <summary>Writes a whole error answer in this dialect's envelope.</summary>
    void WriteError(GatewayError error, IBufferWriter<byte> output);

    /// <summary>The HTTP status of an error answer; <see cref="GatewayError.Status"/> unless the dialect says otherwise.</summary>
    int StatusOf(GatewayError error) => error.Status;
}
