using System.ClientModel;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Console;

/// <summary>
/// The console in a real browser (Debian's chromium through Playwright) against a real gateway:
/// what an admin and a key holder can see and do, and that what they typed is shown as text.
/// With SWITCHYARD_SCREENSHOTS set, these tests also take the screenshots docs/console.md shows.
/// </summary>
public sealed class ConsoleTests(Chromium chromium)
{
    private static readonly Regex SignInPage = new(@"/ui/signin([?#]|$)");

    public const string HostileName = "<img src=x onerror=alert(1)>";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_creates_a_key_sees_its_request_and_cost_tops_it_up_and_revokes_it()
    {
        await using var gateway = await StartAsync();
        var (context, page, dialogs) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var _ = context;

        // Signed out, / leads to the sign-in page; the master key signs in as admin.
        await page.GotoAsync("/");
        Assert.Equal("/ui/signin", new Uri(page.Url).AbsolutePath);
        await Screenshots.TakeAsync(page, "signin");
        await SignInAsync(page, GatewayInstance.MasterKey);
        Assert.Equal("admin", await page.GetByTestId("role").InnerTextAsync());

        // Create a key: its secret is shown once.
        await page.GotoAsync("/ui/keys");
        var create = page.GetByTestId("create-key");
        await create.Locator("input[name=name]").FillAsync("ci-bot");
        await create.Locator("input[name=credits]").FillAsync("100");
        await create.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = await page.GetByTestId("secret").InnerTextAsync();
        await Screenshots.TakeAsync(page, "keys");
        Assert.StartsWith("sk-sy-", secret, StringComparison.Ordinal);
        await page.GotoAsync("/ui/keys");
        Assert.Equal(0, await page.GetByTestId("secret").CountAsync());

        // Use it through the official OpenAI SDK.
        var completion = await gateway.OpenAIClient(secret).GetChatClient("echo").CompleteChatAsync(["hello console"], cancellationToken: Ct);
        Assert.Contains("hello console", completion.Value.Content[0].Text, StringComparison.Ordinal);
        using var admin = gateway.AdminClient();
        var keyId = (await admin.GetFromJsonAsync<JsonElement>("/admin/keys", Ct)).GetProperty("data").EnumerateArray()
            .Single(k => k.GetProperty("name").GetString() == "ci-bot").GetProperty("id").GetString()!;
        var logged = Assert.Single(await AdminApi.RequestsAsync(gateway, $"keyId={keyId}", atLeast: 1))!;
        var cost = ((decimal)logged["cost"]!).ToString("#,0.########", CultureInfo.InvariantCulture);
        Assert.NotEqual("0", cost);

        // The request log shows it; its page shows the deployment, the timings and the cost.
        await page.GotoAsync("/ui/requests");
        var row = page.GetByTestId("requests").Locator("tbody tr", new() { HasText = "ci-bot" });
        Assert.Equal(1, await row.CountAsync());
        await Screenshots.TakeAsync(page, "requests");
        await row.GetByRole(AriaRole.Link).ClickAsync();
        Assert.Equal("echo/echo", await page.GetByTestId("request-deployment").InnerTextAsync());
        Assert.Equal(cost, await page.GetByTestId("request-cost").InnerTextAsync());
        Assert.Equal("200", await page.GetByTestId("request-status").InnerTextAsync());
        await Screenshots.TakeAsync(page, "request");

        // Usage per key carries the same cost.
        await page.GotoAsync($"/ui/usage?groupBy=key&keyId={keyId}");
        Assert.Equal(cost, await page.GetByTestId("usage-total-cost").InnerTextAsync());
        await Screenshots.TakeAsync(page, "usage");
        var csv = await page.APIRequest.GetAsync($"/ui/usage.csv?keyId={keyId}");
        Assert.Contains($",{keyId},ci-bot,echo,1,", await csv.TextAsync(), StringComparison.Ordinal);

        // The playground calls the gateway as the chosen key, streamed, and shows usage and cost.
        await page.GotoAsync("/ui/playground");
        var playground = page.GetByTestId("playground");
        await playground.Locator("select[name=key]").SelectOptionAsync(keyId);
        await playground.Locator("textarea[name=message]").FillAsync("stream to me");
        await playground.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("usage-out")).ToContainTextAsync("cost");
        Assert.Contains("stream to me", await page.GetByTestId("answer").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("\"model\": \"echo\"", await page.GetByTestId("sent").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "playground");
        Assert.Equal(2, (await AdminApi.RequestsAsync(gateway, $"keyId={keyId}", atLeast: 2)).Count);

        // Top up.
        await page.GotoAsync($"/ui/keys/{keyId}");
        await page.GetByTestId("topup").Locator("input[name=amount]").FillAsync("5");
        await page.GetByTestId("topup").GetByRole(AriaRole.Button).ClickAsync();
        Assert.Equal("Credits changed.", await page.GetByTestId("notice").InnerTextAsync());
        Assert.Equal("105", await page.GetByTestId("key-credits").InnerTextAsync());
        Assert.Equal(105m, (await admin.GetFromJsonAsync<JsonElement>($"/admin/keys/{keyId}", Ct)).GetProperty("credits").GetProperty("granted").GetDecimal());

        // Revoke (the confirmation is accepted): the SDK is refused from now on.
        await page.GetByTestId("revoke").GetByRole(AriaRole.Button).ClickAsync();
        Assert.StartsWith("revoked", await page.GetByTestId("key-status").InnerTextAsync(), StringComparison.Ordinal);
        await Screenshots.TakeAsync(page, "key");
        var refused = await Assert.ThrowsAsync<ClientResultException>(() => gateway.OpenAIClient(secret).GetChatClient("echo").CompleteChatAsync(["again"], cancellationToken: Ct));
        Assert.Equal(401, refused.Status);
        Assert.Single(dialogs, d => d.StartsWith("confirm", StringComparison.Ordinal));

        // The remaining pages, for the docs.
        await page.GotoAsync("/ui");
        await Screenshots.TakeAsync(page, "overview");
        await page.GotoAsync("/ui/models");
        Assert.Equal(1, await page.GetByTestId("model").CountAsync());
        await Screenshots.TakeAsync(page, "models");
        await page.GotoAsync("/ui/alerts");
        await Screenshots.TakeAsync(page, "alerts");
    }

    [Fact]
    public async Task Admin_creates_a_team_puts_a_key_in_it_and_sees_the_teams_usage_and_limits()
    {
        await using var gateway = await StartAsync();
        using var admin = gateway.AdminClient();
        var member = await (await admin.PostAsJsonAsync("/admin/keys", new { name = "member" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var memberId = member.GetProperty("id").GetString()!;
        var (context, page, dialogs) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var _ = context;
        await SignInAsync(page, GatewayInstance.MasterKey);

        // Create a team with credits and an rpm; a second one named to break the page, if anything could.
        await page.GetByRole(AriaRole.Link, new() { Name = "Teams" }).ClickAsync();
        var create = page.GetByTestId("create-team");
        await create.Locator("input[name=name]").FillAsync("research");
        await create.Locator("input[name=rpm]").FillAsync("100");
        await create.Locator("input[name=credits]").FillAsync("10");
        await create.GetByRole(AriaRole.Button, new() { Name = "Create team" }).ClickAsync();
        var created = await page.GetByTestId("notice").InnerTextAsync();
        var teamId = new Uri(page.Url).AbsolutePath["/ui/teams/".Length..];
        await page.GotoAsync("/ui/teams");
        await page.GetByTestId("create-team").Locator("input[name=name]").FillAsync(HostileName);
        await page.GetByTestId("create-team").GetByRole(AriaRole.Button, new() { Name = "Create team" }).ClickAsync();

        // Put the key in the team from the key's own page.
        await page.GotoAsync($"/ui/keys/{memberId}");
        await page.GetByTestId("edit-key").Locator("select[name=team]").SelectOptionAsync(teamId);
        await page.GetByTestId("edit-key").GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var keyTeam = await page.GetByTestId("key-team-name").InnerTextAsync();

        // The key is used through the OpenAI SDK; the team page shows what it spent, its key and its request.
        var completion = await gateway.OpenAIClient(member.GetProperty("key").GetString()!).GetChatClient("echo").CompleteChatAsync(["for the team"], cancellationToken: Ct);
        var cost = (decimal)Assert.Single(await AdminApi.RequestsAsync(gateway, $"teamId={teamId}", atLeast: 1))!["cost"]!;
        await page.GotoAsync($"/ui/teams/{teamId}");
        var spent = await page.GetByTestId("team-spent").InnerTextAsync();
        var teamKeys = await page.GetByTestId("team-keys").Locator("tbody tr").AllInnerTextsAsync();
        var teamRequests = await page.GetByTestId("requests").Locator("tbody tr").CountAsync();
        await Screenshots.TakeAsync(page, "team");

        // Top it up; deleting it is refused while it has a key.
        await page.GetByTestId("team-topup").Locator("input[name=amount]").FillAsync("5");
        await page.GetByTestId("team-topup").GetByRole(AriaRole.Button).ClickAsync();
        var credited = await page.GetByTestId("notice").InnerTextAsync();
        var credits = await page.GetByTestId("team-credits").InnerTextAsync();
        await page.GetByTestId("team-delete").GetByRole(AriaRole.Button).ClickAsync();
        var refusedDelete = await page.GetByTestId("error").InnerTextAsync();

        // Usage per team and the request log filtered by team carry the same request.
        await page.GotoAsync($"/ui/usage?groupBy=team&teamId={teamId}");
        var usageTotal = await page.GetByTestId("usage-total-cost").InnerTextAsync();
        var usageGroups = await page.GetByTestId("usage").Locator("tbody tr td:first-child").AllInnerTextsAsync();
        await page.GotoAsync("/ui/requests");
        await page.Locator("select[name=teamId]").SelectOptionAsync(teamId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var filtered = await page.GetByTestId("requests").Locator("tbody tr").CountAsync();
        await page.GotoAsync("/ui/teams");
        var teamsListed = await page.GetByTestId("teams").Locator("tbody tr").AllInnerTextsAsync();
        var images = await page.Locator("img").CountAsync();
        await Screenshots.TakeAsync(page, "teams");

        Assert.Contains("for the team", completion.Value.Content[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("Team created", created, StringComparison.Ordinal);
        Assert.StartsWith("team_", teamId, StringComparison.Ordinal);
        Assert.Equal("research", keyTeam.Trim());
        Assert.NotEqual(0m, cost);
        Assert.Equal(cost.ToString("#,0.########", CultureInfo.InvariantCulture), spent);
        Assert.Equal("member", Assert.Single(teamKeys).Split('\t')[0]);
        Assert.Equal(1, teamRequests);
        Assert.Equal("Credits changed.", credited);
        Assert.Equal("15", credits);
        Assert.Contains("still has keys", refusedDelete, StringComparison.Ordinal);
        Assert.Equal(cost.ToString("#,0.########", CultureInfo.InvariantCulture), usageTotal);
        Assert.Equal(["research"], usageGroups);
        Assert.Equal(1, filtered);
        Assert.Equal(2, teamsListed.Count);
        Assert.Contains(teamsListed, row => row.StartsWith(HostileName, StringComparison.Ordinal));
        Assert.Equal(0, images);
        Assert.Single(dialogs, d => d.StartsWith("confirm", StringComparison.Ordinal));
        var team = await admin.GetFromJsonAsync<JsonElement>($"/admin/teams/{teamId}", Ct);
        Assert.Equal(15m, team.GetProperty("credits").GetProperty("granted").GetDecimal());
        Assert.Equal(100, team.GetProperty("rpm").GetInt32());
        Assert.Equal(teamId, (await admin.GetFromJsonAsync<JsonElement>($"/admin/keys/{memberId}", Ct)).GetProperty("team").GetString());
    }

    [Fact]
    public async Task A_key_holder_sees_only_its_own_key_and_names_render_as_text()
    {
        await using var gateway = await StartAsync();
        using var admin = gateway.AdminClient();
        var hostile = await (await admin.PostAsJsonAsync("/admin/keys", new { name = HostileName }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var other = await (await admin.PostAsJsonAsync("/admin/keys", new { name = "other" }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var hostileId = hostile.GetProperty("id").GetString()!;
        var otherId = other.GetProperty("id").GetString()!;
        await gateway.OpenAIClient(hostile.GetProperty("key").GetString()!).GetChatClient("echo").CompleteChatAsync(["mine"], cancellationToken: Ct);
        await gateway.OpenAIClient(other.GetProperty("key").GetString()!).GetChatClient("echo").CompleteChatAsync(["theirs"], cancellationToken: Ct);
        var (context, page, dialogs) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var _ = context;

        await SignInAsync(page, hostile.GetProperty("key").GetString()!);
        await page.GetByRole(AriaRole.Link, new() { Name = "My key" }).ClickAsync();
        var ownPage = new Uri(page.Url).AbsolutePath;
        var heading = await page.Locator("h1").InnerTextAsync();
        var role = await page.GetByTestId("role").InnerTextAsync();
        var images = await page.Locator("img").CountAsync();
        await Screenshots.TakeAsync(page, "key-holder");
        await page.GotoAsync("/ui/requests");
        var rows = await page.GetByTestId("requests").Locator("tbody tr").CountAsync();
        var otherKey = await page.GotoAsync($"/ui/keys/{otherId}");
        var alerts = await page.GotoAsync("/ui/alerts");
        var csv = await (await page.APIRequest.GetAsync("/ui/usage.csv")).TextAsync();

        Assert.Equal("key", role);
        Assert.Equal($"/ui/keys/{hostileId}", ownPage);
        Assert.Equal(HostileName, heading);
        Assert.Equal(0, images);
        Assert.Equal(1, rows);
        Assert.Equal(404, otherKey!.Status);
        Assert.Equal(403, alerts!.Status);
        Assert.Contains(hostileId, csv, StringComparison.Ordinal);
        Assert.DoesNotContain(otherId, csv, StringComparison.Ordinal);

        // The admin's key list shows the name as text too.
        var (adminContext, adminPage, adminDialogs) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var __ = adminContext;
        await SignInAsync(adminPage, GatewayInstance.MasterKey);
        await adminPage.GotoAsync("/ui/keys");
        Assert.Equal(1, await adminPage.GetByTestId("keys").GetByText(HostileName, new() { Exact = true }).CountAsync());
        Assert.Equal(0, await adminPage.Locator("img").CountAsync());
        Assert.Empty(dialogs);
        Assert.Empty(adminDialogs);
    }

    [Fact]
    public async Task The_first_load_is_under_300_KB_compressed_and_changes_need_the_form_token()
    {
        await using var gateway = await StartAsync();
        var (context, page, _) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var __ = context;
        var transferred = new List<(string Url, long Bytes, string? Encoding)>();
        page.RequestFinished += async (_, request) =>
        {
            var sizes = await request.SizesAsync();
            var response = await request.ResponseAsync();
            transferred.Add((request.Url, sizes.ResponseHeadersSize + sizes.ResponseBodySize, response is null ? null : await response.HeaderValueAsync("content-encoding")));
        };

        await page.GotoAsync("/ui/signin");
        await SignInAsync(page, GatewayInstance.MasterKey);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var forged = await page.APIRequest.PostAsync("/ui/keys", new() { Form = page.APIRequest.CreateFormData().Set("name", "forged") });
        var keys = await (await page.APIRequest.GetAsync("/ui/keys")).TextAsync();

        var total = transferred.Sum(t => t.Bytes);
        Assert.True(total < 300 * 1024, $"first load transferred {total} bytes: {string.Join(", ", transferred)}");
        Assert.All(transferred.Where(t => t.Url.Contains("/ui/assets/", StringComparison.Ordinal)), t => Assert.Contains(t.Encoding, new[] { "br", "gzip" }));
        Assert.Equal(400, forged.Status);
        Assert.DoesNotContain("forged", keys, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_playground_speaks_every_surface_streamed_and_whole()
    {
        await using var gateway = await StartAsync();
        var (context, page, _) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var __ = context;
        await SignInAsync(page, GatewayInstance.MasterKey);
        await page.GotoAsync("/ui/playground");
        var playground = page.GetByTestId("playground");
        var seen = new List<string>();

        foreach (var surface in new[] { "chat", "responses", "messages", "gemini" })
        {
            foreach (var stream in new[] { true, false })
            {
                await playground.Locator("select[name=surface]").SelectOptionAsync(surface);
                await playground.Locator("input[name=stream]").SetCheckedAsync(stream);
                await playground.Locator("textarea[name=message]").FillAsync($"via {surface} {stream}");
                await playground.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
                await Assertions.Expect(page.GetByTestId("usage-out")).ToContainTextAsync("request id");
                seen.Add($"{surface} {stream}: {await page.GetByTestId("answer").InnerTextAsync()} | {(await page.GetByTestId("usage-out").InnerTextAsync()).Contains("cost:", StringComparison.Ordinal)}");
            }
        }

        Assert.Equal(
            new[] { "chat", "responses", "messages", "gemini" }.SelectMany(s => new[] { $"{s} True: Echo: via {s} True | True", $"{s} False: Echo: via {s} False | True" }),
            seen);
    }

    internal static async Task SignInAsync(IPage page, string key)
    {
        if (new Uri(page.Url).AbsolutePath != "/ui/signin")
        {
            await page.GotoAsync("/ui/signin");
        }

        await page.Locator("#key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // WaitForURL also waits for the next page's load event, which it sometimes misses after a
        // redirect (even asked for the commit alone); the URL assertion polls the address alone, and
        // what the caller reads next waits for itself.
        await Assertions.Expect(page).Not.ToHaveURLAsync(SignInPage);
    }

    private static Task<GatewayInstance> StartAsync() => GatewayInstance.StartAsync(config =>
    {
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "echo", ["type"] = "echo" });
        config["models"]!.AsArray().Add(new JsonObject
        {
            ["id"] = "echo", ["provider"] = "echo",
            ["pricing"] = new JsonObject { ["inputPerMTok"] = 1000, ["outputPerMTok"] = 2000 },
        });
    });
}
