using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Switchyard.Tests.Console.Chromium))]

namespace Switchyard.Tests.Console;

/// <summary>
/// One headless Debian chromium (installed by .ci/run; never a browser Playwright downloads) shared
/// by every browser test of the run; each test opens its own context (fresh cookies and storage).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            // Browser tests are part of the suite: a machine without chromium fails them rather than skipping.
            return;
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
    }

    /// <summary>A fresh context (its own cookie jar) at <paramref name="baseUrl"/>; every dialog is recorded and dismissed.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Dialogs)> OpenAsync(string baseUrl)
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: install Debian's chromium package (.ci/run does).");
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            ColorScheme = ColorScheme.Light,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Type + ": " + dialog.Message);
            if (dialog.Type == DialogType.Confirm)
            {
                await dialog.AcceptAsync();
            }
            else
            {
                await dialog.DismissAsync();
            }
        };
        return (context, page, dialogs);
    }

    public async ValueTask DisposeAsync()
    {
        if (_playwright is not null)
        {
            await Browser.DisposeAsync();
            _playwright.Dispose();
        }
    }
}
