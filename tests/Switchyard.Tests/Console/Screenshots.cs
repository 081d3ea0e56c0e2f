using Microsoft.Playwright;

namespace Switchyard.Tests.Console;

/// <summary>Saves page screenshots into the repository's docs/console/, where docs/console.md shows them.</summary>
public static class Screenshots
{
    private static readonly string Folder = Path.Combine(RepositoryRoot(), "docs", "console");

    public static async Task TakeAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Folder, name + ".png"), Type = ScreenshotType.Png });
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

        return Path.GetTempPath();
    }
}
