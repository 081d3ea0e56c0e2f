using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Console;

/// <summary>
/// Single sign-on in a real browser against an OpenID provider played by the test: an admin may
/// change things; a viewer sees every page but neither finds the buttons nor gets past the routes;
/// an account whose claims map to no role is turned away.
/// </summary>
public sealed class SingleSignOnTests(Chromium chromium)
{
    // The sign-in ends in a chain of redirects; Playwright's WaitForURL then also waits for the last
    // page's load event, which it sometimes misses when the chain ends mid-click. Its URL assertion
    // polls the address alone; what is asserted next waits for its own elements.
    private static readonly Regex Overview = new(@"^https?://[^/]+/ui/?(\?.*)?$");

    private static readonly Regex SsoRefused = new(@"[?&]error=sso");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_admin_signs_in_through_the_provider_and_may_change_keys()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var gateway = await StartAsync(provider);
        provider.NextUser = new() { ["sub"] = "u-1", ["name"] = "Ada Admin", ["groups"] = new[] { "staff", "llm-admins" }, ["team"] = "platform" };
        var (context, page, _) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var __ = context;

        await page.GotoAsync("/ui/signin");
        await page.GetByTestId("sso").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Overview);
        var role = await page.GetByTestId("role").InnerTextAsync();
        var who = await page.GetByTestId("who").InnerTextAsync();
        await page.GotoAsync("/ui/keys");
        var create = page.GetByTestId("create-key");
        await create.Locator("input[name=name]").FillAsync("made-by-sso");
        await create.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = await page.GetByTestId("secret").InnerTextAsync();

        Assert.Equal("admin", role);
        Assert.Equal("Ada Admin", who);
        Assert.Equal(1, provider.IssuedTokens);
        Assert.StartsWith("sk-sy-", secret, StringComparison.Ordinal);
        using var admin = gateway.AdminClient();
        Assert.Contains("made-by-sso", await admin.GetStringAsync("/admin/keys", Ct), StringComparison.Ordinal);
        var cookies = await context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "switchyard.session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, session.SameSite);
        Assert.DoesNotContain(cookies, c => c.Value.Contains(GatewayInstance.MasterKey, StringComparison.Ordinal) || c.Value.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_viewer_sees_every_page_but_can_change_nothing()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var gateway = await StartAsync(provider);
        using var admin = gateway.AdminClient();
        var key = await (await admin.PostAsJsonAsync("/admin/keys", new { name = "watched", credits = 50 }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        var keyId = key.GetProperty("id").GetString()!;
        await gateway.OpenAIClient(key.GetProperty("key").GetString()!).GetChatClient("echo").CompleteChatAsync(["seen by a viewer"], cancellationToken: Ct);
        provider.NextUser = new() { ["sub"] = "u-2", ["name"] = "Vic Viewer", ["groups"] = new[] { "llm-viewers" } };
        var (context, page, _) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var __ = context;

        await page.GotoAsync("/ui/signin");
        await page.GetByTestId("sso").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Overview);
        var role = await page.GetByTestId("role").InnerTextAsync();
        await page.GotoAsync("/ui/keys");
        var listed = await page.GetByTestId("keys").GetByText("watched").CountAsync();
        var createForms = await page.GetByTestId("create-key").CountAsync();
        await page.GotoAsync($"/ui/keys/{keyId}");
        var changeForms = await page.Locator("form[method=post]:not([action='/ui/signout'])").CountAsync();
        await Screenshots.TakeAsync(page, "viewer");
        var playground = await page.GotoAsync("/ui/playground");

        // The routes refuse too, even with the viewer's own valid form token.
        await page.GotoAsync("/ui/requests");
        var requestRows = await page.GetByTestId("requests").Locator("tbody tr").CountAsync();
        var token = await page.Locator("meta[name=csrf-token]").GetAttributeAsync("content");
        var posts = new Dictionary<string, int>();
        foreach (var (path, field, value) in new[] { ("/ui/keys", "name", "sneaky"), ($"/ui/keys/{keyId}/credits", "amount", "1000"), ($"/ui/keys/{keyId}/revoke", "x", "y"), ($"/ui/keys/{keyId}", "name", "renamed") })
        {
            var response = await page.APIRequest.PostAsync(path, new() { Form = page.APIRequest.CreateFormData().Set("__csrf", token!).Set(field, value), MaxRedirects = 0 });
            posts[path] = response.Status;
        }

        var send = await page.APIRequest.PostAsync("/ui/playground/send?surface=chat&model=echo", new()
        {
            Headers = new Dictionary<string, string> { ["X-CSRF-Token"] = token!, ["Content-Type"] = "application/json" },
            Data = "{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
        });

        Assert.Equal("viewer", role);
        Assert.Equal(1, listed);
        Assert.Equal(0, createForms);
        Assert.Equal(0, changeForms);
        Assert.Equal(403, playground!.Status);
        Assert.Equal(1, requestRows);
        Assert.All(posts, post => Assert.True(post.Value == 403, $"{post.Key} answered {post.Value}"));
        Assert.Equal(403, send.Status);
        var after = await admin.GetFromJsonAsync<JsonElement>($"/admin/keys/{keyId}", Ct);
        Assert.Equal("watched", after.GetProperty("name").GetString());
        Assert.Equal(50m, after.GetProperty("credits").GetProperty("granted").GetDecimal());
        Assert.Equal(JsonValueKind.Null, after.GetProperty("revokedAt").ValueKind);
        Assert.DoesNotContain("sneaky", await admin.GetStringAsync("/admin/keys", Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_viewer_whose_team_claim_names_a_team_sees_only_that_team()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var gateway = await StartAsync(provider);
        using var admin = gateway.AdminClient();
        var ids = new Dictionary<string, (string Team, string Key, string Request)>();
        foreach (var name in new[] { "research", "ops" })
        {
            var team = await (await admin.PostAsJsonAsync("/admin/teams", new { name, credits = 10 }, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
            var key = await (await admin.PostAsJsonAsync("/admin/keys", new { name = name + "-key", team = team.GetProperty("id").GetString() }, Ct))
                .Content.ReadFromJsonAsync<JsonElement>(Ct);
            var keyId = key.GetProperty("id").GetString()!;
            await gateway.OpenAIClient(key.GetProperty("key").GetString()!).GetChatClient("echo").CompleteChatAsync([$"from {name}"], cancellationToken: Ct);
            var logged = Assert.Single(await AdminApi.RequestsAsync(gateway, $"keyId={keyId}", atLeast: 1))!;
            ids[name] = (team.GetProperty("id").GetString()!, keyId, (string)logged["id"]!);
        }

        provider.NextUser = new() { ["sub"] = "u-4", ["name"] = "Rita Research", ["groups"] = new[] { "llm-viewers" }, ["team"] = "research" };
        var (context, page, _) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var __ = context;

        await page.GotoAsync("/ui/signin");
        await page.GetByTestId("sso").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(Overview);
        await page.GetByRole(AriaRole.Link, new() { Name = "My team" }).ClickAsync();
        var teamPage = new Uri(page.Url).AbsolutePath;
        var teamKeys = await page.GetByTestId("team-keys").Locator("tbody tr").AllInnerTextsAsync();
        var changeForms = await page.Locator("form[method=post]:not([action='/ui/signout'])").CountAsync();
        await Screenshots.TakeAsync(page, "team-viewer");
        await page.GotoAsync("/ui/keys");
        var keys = await page.GetByTestId("keys").Locator("tbody tr").AllInnerTextsAsync();
        await page.GotoAsync("/ui/requests");
        var requests = await page.GetByTestId("requests").Locator("tbody tr").CountAsync();
        var otherTeam = await page.GotoAsync($"/ui/teams/{ids["ops"].Team}");
        var otherKey = await page.GotoAsync($"/ui/keys/{ids["ops"].Key}");
        var otherRequest = await page.GotoAsync($"/ui/requests/{ids["ops"].Request}");
        var ownRequest = await page.GotoAsync($"/ui/requests/{ids["research"].Request}");
        var otherUsage = await (await page.APIRequest.GetAsync($"/ui/usage.csv?teamId={ids["ops"].Team}")).TextAsync();
        var ownUsage = await (await page.APIRequest.GetAsync("/ui/usage.csv")).TextAsync();
        var alerts = await page.GotoAsync("/ui/alerts");

        Assert.Equal($"/ui/teams/{ids["research"].Team}", teamPage);
        Assert.Equal("research-key", Assert.Single(teamKeys).Split('\t')[0]);
        Assert.Equal(0, changeForms);
        Assert.Equal("research-key", Assert.Single(keys).Split('\t')[0]);
        Assert.Equal(1, requests);
        Assert.Equal(404, otherTeam!.Status);
        Assert.Equal(404, otherKey!.Status);
        Assert.Equal(404, otherRequest!.Status);
        Assert.Equal(200, ownRequest!.Status);
        Assert.DoesNotContain(ids["ops"].Key, otherUsage, StringComparison.Ordinal);
        Assert.Contains(ids["research"].Key, ownUsage, StringComparison.Ordinal);
        Assert.DoesNotContain(ids["ops"].Key, ownUsage, StringComparison.Ordinal);
        Assert.Equal(403, alerts!.Status);

        // A team claim that names no team shows nothing, not everything.
        provider.NextUser = new() { ["sub"] = "u-5", ["name"] = "Lost", ["groups"] = new[] { "llm-viewers" }, ["team"] = "no-such-team" };
        var (lostContext, lost, _) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var ___ = lostContext;
        await lost.GotoAsync("/ui/signin");
        await lost.GetByTestId("sso").ClickAsync();
        await Assertions.Expect(lost).ToHaveURLAsync(Overview);
        await lost.GotoAsync("/ui/keys");
        Assert.Equal(0, await lost.GetByTestId("keys").Locator("tbody tr").CountAsync());
        await lost.GotoAsync("/ui/requests");
        Assert.Equal(0, await lost.GetByTestId("requests").CountAsync());
        await lost.GotoAsync("/ui/teams");
        Assert.Equal(0, await lost.GetByTestId("teams").CountAsync());
    }

    [Fact]
    public async Task An_account_without_a_mapped_role_is_turned_away()
    {
        await using var provider = await OpenIdProvider.StartAsync();
        await using var gateway = await StartAsync(provider);
        provider.NextUser = new() { ["sub"] = "u-3", ["name"] = "Nobody", ["groups"] = new[] { "sales" } };
        var (context, page, _) = await chromium.OpenAsync(gateway.BaseUrl);
        await using var __ = context;

        await page.GotoAsync("/ui/signin");
        await page.GetByTestId("sso").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(SsoRefused);
        var overview = await page.GotoAsync("/ui");

        Assert.Equal(1, provider.IssuedTokens);
        Assert.Equal("/ui/signin", new Uri(page.Url).AbsolutePath);
        Assert.Equal(200, overview!.Status);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "switchyard.session");
    }

    private static Task<GatewayInstance> StartAsync(OpenIdProvider provider) => GatewayInstance.StartAsync(config =>
    {
        config["providers"]!.AsArray().Add(new JsonObject { ["name"] = "echo", ["type"] = "echo" });
        config["models"]!.AsArray().Add(new JsonObject { ["id"] = "echo", ["provider"] = "echo" });
        config["console"] = new JsonObject
        {
            ["oidc"] = new JsonObject
            {
                ["authority"] = provider.Issuer,
                ["clientId"] = OpenIdProvider.ClientId,
                ["clientSecret"] = "env:OIDC_SECRET",
                ["displayName"] = "Sign in with Test IdP",
                ["teamClaim"] = "team",
                ["roles"] = new JsonArray
                {
                    new JsonObject { ["claim"] = "groups", ["value"] = "llm-admins", ["role"] = "admin" },
                    new JsonObject { ["claim"] = "groups", ["value"] = "llm-viewers", ["role"] = "viewer" },
                },
            },
        };
    }, new Dictionary<string, string> { ["OIDC_SECRET"] = OpenIdProvider.ClientSecret });
}
