using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;
using Vigie.Config;
using Vigie.Forensics;
using Vigie.Service.Forensics;
using Vigie.Service.Governance;
using Vigie.Service.Security;
using Vigie.Video;

namespace Vigie.Tests.Service;

/// <summary>Forensic search from the service: the API (roles, validation, audit) and the console in a real browser.</summary>
public class ForensicServiceTests
{
    private static async Task IndexSyntheticCaseAsync(string folder)
    {
        var clip = Path.Combine(TestPaths.TempFolder(), "recording.mp4");
        await Task.Run(() => SyntheticScene.Default.WriteVideo(clip));
        var config = ConfigLoader.Parse("""
            version: 1
            cameras:
              - name: yard
                lines:
                  - { name: A, from: [0.5, 0.0], to: [0.5, 1.0], forbidden: none }
            """);
        await Indexer.RunAsync(new IndexRequest([clip], config, folder, () => PrivacyFilter.PeopleOnly), null, NullLogger.Instance, CancellationToken.None);
    }

    [Fact]
    public async Task An_operator_searches_a_case_sees_thumbnails_and_plays_the_moment_and_it_is_audited()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        await IndexSyntheticCaseAsync(Path.Combine(service.Service<ForensicCases>().Folder, "yard-case"));
        var http = service.As(Roles.Operator);

        var cases = await http.GetFromJsonAsync<JsonElement>("/api/forensic/cases");
        var listed = Assert.Single(cases.EnumerateArray());
        Assert.Equal("yard-case", listed.GetProperty("name").GetString());
        Assert.Contains("A", listed.GetProperty("lines").EnumerateArray().Select(l => l.GetString()));

        var hits = await http.GetFromJsonAsync<JsonElement>("/api/forensic/cases/yard-case/tracks?line=A");
        Assert.True(hits.GetArrayLength() >= 1, "the walkers crossing line A are found");
        var hit = hits[0];
        var thumbnail = await http.GetAsync(hit.GetProperty("thumbnail").GetString());
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        var excerpt = await http.GetAsync($"/api/forensic/cases/yard-case/tracks/{hit.GetProperty("id").GetInt64()}/excerpt");
        Assert.Equal(HttpStatusCode.OK, excerpt.StatusCode);
        Assert.Equal("video/mp4", excerpt.Content.Headers.ContentType?.MediaType);
        Assert.True((await excerpt.Content.ReadAsByteArrayAsync()).Length > 10_000);

        var refused = await http.GetAsync("/api/forensic/cases/yard-case/tracks?class=person&colour=red");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("people are never searched", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/forensic/cases/nope/tracks")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/forensic/cases/..%2F..%2Fdata/tracks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As(Roles.Auditor).GetAsync("/api/forensic/cases")).StatusCode);

        var audit = service.Service<AuditLog>();
        Assert.Contains(await audit.ReadAsync(action: AuditActions.ForensicSearch), e => e.Actor == Roles.Operator && e.Subject == "case:yard-case");
        Assert.Contains(await audit.ReadAsync(action: AuditActions.ForensicExcerpt), e => e.Subject.StartsWith("case:yard-case:track:", StringComparison.Ordinal));

        // The same, as a user does it in the console.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await ConsoleBrowserTests.LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, e) => scriptErrors.Add(e);
        await page.GotoAsync(service.Url);
        await page.FillAsync("#login-form [name=name]", "supervisor");
        await page.FillAsync("#login-form [name=password]", ServiceUnderTest.Password);
        await page.ClickAsync("#login-form button[type=submit]");
        await page.ClickAsync("nav button[data-view=forensic]");
        await Assertions.Expect(page.Locator("#forensic-form [name=case] option")).ToHaveCountAsync(1);
        await page.SelectOptionAsync("#forensic-form [name=line]", "A");
        await page.ClickAsync("#forensic-form button[type=submit]");
        await Assertions.Expect(page.Locator("[data-testid=forensic-summary]")).ToContainTextAsync("object(s)");
        var first = page.Locator("[data-testid=forensic-results] li").First;
        await first.WaitForAsync();
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=forensic-results] img'); return i && i.complete && i.naturalWidth > 0; }");
        await first.ClickAsync();
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('[data-testid=forensic-video]'); return v && v.readyState >= 2 && v.duration > 1; }",
            null, new() { Timeout = 30_000 });
        Assert.Empty(scriptErrors);
    }
}
