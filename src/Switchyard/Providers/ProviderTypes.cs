using Switchyard.Dialects;
using Switchyard.Providers.Echo;
using Switchyard.Providers.Native;

namespace Switchyard.Providers;

/// <summary>Every provider type, registered here: the vendors' own APIs from the dialect registry, then the others, a line each.</summary>
internal static class ProviderTypes
{
    public static IReadOnlyList<IProviderType> All { get; } =
    [
        .. DialectRegistry.Apis.Select(api => new NativeProviderType(api)),
        EchoProviderType.Instance,
        Azure.AzureProviderType.Instance,
        Bedrock.BedrockProviderType.Instance,
        Vertex.VertexProviderType.Instance,
    ];

    public static IProviderType? Find(string? name) => All.FirstOrDefault(t => t.Name == name);

    public static string Names => string.Join(", ", All.Select(t => t.Name));
}
