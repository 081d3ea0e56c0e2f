using System.Buffers;

namespace Switchyard.Dialects;

/// <summary>A dialect's model listing routes.</summary>
public interface IModelListing
{
    /// <summary>The listing shows every model the caller may use, whatever surfaces it is on (OpenAI's does).</summary>
    bool ListsAllSurfaces => false;

    /// <summary>The model id a get-model path names (Gemini's paths may carry a <c>models/</c> prefix).</summary>
    string ModelId(string path) => path;

    void WriteList(IEnumerable<ModelInfo> models, IBufferWriter<byte> output);

    void WriteModel(ModelInfo model, IBufferWriter<byte> output);

    GatewayError NotFound(string id);
}
