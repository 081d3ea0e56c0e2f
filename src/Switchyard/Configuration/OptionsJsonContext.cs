using System.Text.Json.Serialization;

namespace Switchyard.Configuration;

/// <summary>Sections of the configuration as JSON, to tell whether a reload changed them.</summary>
[JsonSerializable(typeof(ConsoleOptions))]
[JsonSerializable(typeof(AlertsOptions))]
[JsonSerializable(typeof(ProviderOptions))]
internal sealed partial class OptionsJsonContext : JsonSerializerContext;
