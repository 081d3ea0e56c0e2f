using Switchyard.Configuration;

namespace Switchyard.Media;

/// <summary>
/// The <c>media</c> settings of the configuration in force and the URL policy built from them,
/// rebuilt when a reload brings new settings, so media limits and allowed hosts follow a reload.
/// </summary>
internal sealed class CurrentMediaPolicy(Func<MediaOptions> options, HostResolver? resolve = null)
{
    private Compiled? _compiled;

    public MediaOptions Options => Current.Options;

    public MediaUrlPolicy Policy => Current.Policy;

    private Compiled Current
    {
        get
        {
            var settings = options();
            var compiled = _compiled;
            if (compiled is null || !ReferenceEquals(compiled.Options, settings))
            {
                // Two requests racing over a reload may both build one; either is right.
                compiled = new Compiled(settings, new MediaUrlPolicy(settings, resolve));
                _compiled = compiled;
            }

            return compiled;
        }
    }

    private sealed record Compiled(MediaOptions Options, MediaUrlPolicy Policy);
}
