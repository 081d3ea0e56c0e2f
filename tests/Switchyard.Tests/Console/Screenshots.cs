using Microsoft.Playwright;

namespace Switchyard.Tests.Console;

/// <summary>
/// Saves page screenshots for docs/console.md, only when <c>SWITCHYARD_SCREENSHOTS</c> names a folder
/// (relative to the repository's root, such as <c>docs/screenshots</c>): an ordinary test run writes
/// nothing into the repository. Each is the browser's viewport (1280×800), as a PNG.
/// </summary>
public static class Screenshots
{
    public const string Variable = "SWITCHYARD_SCREENSHOTS";

    public static async Task TakeAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } folder)
        {
            return;
        }

        folder = Path.Combine(RepositoryRoot(), folder);
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), Type = ScreenshotType.Png });
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Switchyard.slnx")))
            {
                return folder.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
