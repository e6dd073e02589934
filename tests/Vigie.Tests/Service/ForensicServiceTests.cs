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
using Vigie.Tests.Video;
using Vigie.Video;

namespace Vigie.Tests.Service;

/// <summary>Forensic search from the service: the API (roles, validation, audit) and the console in a real browser.</summary>
public class ForensicServiceTests
{
    /// <returns>The recording indexed.</returns>
    private static async Task<string> IndexSyntheticCaseAsync(string folder)
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
        return clip;
    }

    [Fact]
    public async Task A_synopsis_whose_recording_has_gone_fails_with_the_reason_and_leaves_no_partial_video()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        var caseFolder = Path.Combine(service.Service<ForensicCases>().Folder, "yard-case");
        File.Delete(await IndexSyntheticCaseAsync(caseFolder));
        var http = service.As(Roles.Operator);
        var (state, _) = await SynopsisAsync(http, "/api/forensic/cases/yard-case/synopses?line=A&length=10s");
        Assert.Equal("failed", state.GetProperty("state").GetString());
        Assert.Contains("no such file", state.GetProperty("problem").GetString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("video").ValueKind);
        Assert.Empty(Directory.GetFiles(caseFolder, "*.mp4", SearchOption.AllDirectories));
    }

    [Fact]
    public void Videos_left_half_made_by_a_stopped_service_are_removed_and_finished_ones_kept()
    {
        var folder = TestPaths.TempFolder();
        var synopses = Directory.CreateDirectory(Path.Combine(folder, "yard-case", "synopses")).FullName;
        var excerpts = Directory.CreateDirectory(Path.Combine(folder, "yard-case", "excerpts")).FullName;
        foreach (var name in new[] { Path.Combine(synopses, "synopsis-0123456789abcdef.part.mp4"), Path.Combine(synopses, "synopsis-fedcba9876543210.mp4"),
                     Path.Combine(excerpts, "track-7.part.mp4"), Path.Combine(excerpts, "track-8.mp4") })
            File.WriteAllBytes(name, [0, 0, 0, 1]);
        var cases = new ForensicCases(folder, PrivacyFilter.PeopleOnly, NullLogger<ForensicCases>.Instance);
        Assert.Equal(2, cases.RemoveUnfinishedVideos());
        Assert.Equal(["synopsis-fedcba9876543210.mp4"], Directory.GetFiles(synopses).Select(Path.GetFileName));
        Assert.Equal(["track-8.mp4"], Directory.GetFiles(excerpts).Select(Path.GetFileName));
        Assert.Equal(0, new ForensicCases(Path.Combine(folder, "none"), PrivacyFilter.PeopleOnly, NullLogger<ForensicCases>.Instance).RemoveUnfinishedVideos());
    }

    [Fact]
    public async Task A_supervisor_sees_people_unblurred_only_with_a_reason_which_is_audited_and_nothing_unblurred_is_kept()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        var caseFolder = Path.Combine(service.Service<ForensicCases>().Folder, "yard-case");
        await IndexSyntheticCaseAsync(caseFolder);
        var supervisor = service.As(Roles.Supervisor);
        var hits = await supervisor.GetFromJsonAsync<JsonElement>("/api/forensic/cases/yard-case/tracks?line=A");
        var track = $"/api/forensic/cases/yard-case/tracks/{hits[0].GetProperty("id").GetInt64()}";
        const string reason = "Requisition 2026-114 of the judicial police";
        var lift = $"{track}/excerpt/unblurred?reason={Uri.EscapeDataString(reason)}";

        Assert.Equal(HttpStatusCode.Forbidden, (await service.As(Roles.Operator).GetAsync(lift)).StatusCode);
        var noReason = await supervisor.GetAsync($"{track}/excerpt/unblurred?reason=because");
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Contains("reason", await noReason.Content.ReadAsStringAsync());

        var lifted = await supervisor.GetAsync(lift);
        Assert.Equal(HttpStatusCode.OK, lifted.StatusCode);
        Assert.Equal("video/mp4", lifted.Content.Headers.ContentType?.MediaType);
        var unblurredFile = Path.Combine(TestPaths.TempFolder(), "unblurred.mp4");
        await File.WriteAllBytesAsync(unblurredFile, await lifted.Content.ReadAsByteArrayAsync());
        var blurredFile = Path.Combine(TestPaths.TempFolder(), "blurred.mp4");
        await File.WriteAllBytesAsync(blurredFile, await supervisor.GetByteArrayAsync($"{track}/excerpt"));
        // The same frames, but the walkers pixelated in one and not in the other.
        var changed = ChangedPixels(blurredFile, unblurredFile);
        Assert.True(changed > 100_000, $"the lift shows what the blurred excerpt hides ({changed} pixels differ)");

        var entry = Assert.Single(await service.Service<AuditLog>().ReadAsync(action: AuditActions.ForensicUnblur));
        Assert.Equal(Roles.Supervisor, entry.Actor);
        Assert.Contains(reason, entry.Detail);
        Assert.DoesNotContain(Directory.GetFiles(caseFolder, "*.mp4", SearchOption.AllDirectories), f => !Path.GetFileName(f).StartsWith("track-"));
    }

    [Fact]
    public async Task What_a_supervisor_saw_unblurred_is_not_left_in_the_browsers_cache_once_signed_out()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        await IndexSyntheticCaseAsync(Path.Combine(service.Service<ForensicCases>().Folder, "yard-case"));
        // A browser profile on disk, as on a supervision centre's workstation shared between shifts.
        var profile = TestPaths.TempFolder();
        using var playwright = await Playwright.CreateAsync();
        await using (var browser = await ConsoleBrowserTests.LaunchChromiumAsync(playwright, profile))
        {
            var scriptErrors = new List<string>();
            var page = await SearchLineAInTheConsoleAsync(browser.Pages.Single(), service.Url, "supervisor", scriptErrors);
            await page.Locator("[data-testid=forensic-results] li").First.ClickAsync();
            await page.FillAsync("#forensic-unblur [name=reason]", "Judicial requisition 2026-116");
            var lifted = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#forensic-unblur button[type=submit]"),
                r => r.Url.Contains("/excerpt/unblurred", StringComparison.Ordinal));
            Assert.Equal(200, lifted.Status);
            await page.WaitForFunctionAsync(
                "() => { const v = document.querySelector('[data-testid=forensic-video]'); return v.src.startsWith('blob:') && v.readyState >= 2 && v.duration > 1; }",
                null, new() { Timeout = 30_000 });
            await page.ClickAsync("#logout");
            await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
            Assert.Empty(scriptErrors);
        }

        // The page played the video; no copy of it, nor of anything else the API sent, is kept.
        Assert.Empty(FilesHolding(profile, "ftypisom"));
        Assert.Empty(FilesHolding(profile, $"{service.Url}/api/"));
    }

    [Fact]
    public async Task A_synopsis_of_the_search_results_is_made_once_played_and_audited()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        await IndexSyntheticCaseAsync(Path.Combine(service.Service<ForensicCases>().Folder, "yard-case"));
        var http = service.As(Roles.Operator);

        var (synopsis, states) = await SynopsisAsync(http, "/api/forensic/cases/yard-case/synopses?line=A&length=10s");
        Assert.Equal("ready", synopsis.GetProperty("state").GetString());
        Assert.Equal("waiting", states[0]); // the request returned before the synopsis was made
        Assert.True(synopsis.GetProperty("objects").GetInt32() >= 1);
        Assert.True(synopsis.GetProperty("condensation").GetDouble() > 0);
        Assert.Equal(1, synopsis.GetProperty("progress").GetDouble());
        Assert.Equal("yard", synopsis.GetProperty("camera").GetString());
        var video = await http.GetAsync(synopsis.GetProperty("video").GetString());
        Assert.Equal("video/mp4", video.Content.Headers.ContentType?.MediaType);
        Assert.True((await video.Content.ReadAsByteArrayAsync()).Length > 10_000);
        // Asked again (filters in another order), the same synopsis is ready at once, not made again.
        var again = await (await http.PostAsync("/api/forensic/cases/yard-case/synopses?length=10s&line=A", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(synopsis.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal("ready", again.GetProperty("state").GetString());

        var tooLong = await http.PostAsync("/api/forensic/cases/yard-case/synopses?line=A&length=2h", null);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("length", await tooLong.Content.ReadAsStringAsync());
        var nothing = await http.PostAsync("/api/forensic/cases/yard-case/synopses?class=vehicle", null);
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        Assert.Contains("nothing in the index matches", await nothing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/forensic/cases/yard-case/synopses/0123456789abcdef")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/forensic/cases/yard-case/synopses/0123456789abcdef/video")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/forensic/cases/yard-case/synopses/..%2F..%2Findex.db/video")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As(Roles.Auditor).PostAsync("/api/forensic/cases/yard-case/synopses?line=A", null)).StatusCode);
        Assert.True((await service.Service<AuditLog>().ReadAsync(action: AuditActions.ForensicSynopsis)).Count(e => e.Actor == Roles.Operator) >= 2);

        // Deleted, it is gone (file, state, video) and can be asked for again.
        var address = $"/api/forensic/cases/yard-case/synopses/{synopsis.GetProperty("id").GetString()}";
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(address)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(address)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(address + "/video")).StatusCode);
        Assert.Empty(Directory.GetFiles(Path.Combine(service.Service<ForensicCases>().Folder, "yard-case", "synopses")));
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync(address)).StatusCode);
        Assert.Equal($"case:yard-case:synopsis:{synopsis.GetProperty("id").GetString()}",
            Assert.Single(await service.Service<AuditLog>().ReadAsync(action: AuditActions.ForensicSynopsisRemove)).Subject);

        // The same from the console: search, then the synopsis of the results.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await ConsoleBrowserTests.LaunchChromiumAsync(playwright);
        var scriptErrors = new List<string>();
        var page = await SearchLineAInTheConsoleAsync(browser, service.Url, "operator", scriptErrors);
        await page.FillAsync("#forensic-synopsis [name=length]", "12s"); // not made yet: the console waits for it
        await page.ClickAsync("#forensic-synopsis button[type=submit]");
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('[data-testid=forensic-video]'); return v && v.src.includes('/synopses/') && v.readyState >= 2 && v.duration > 1; }",
            null, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#forensic-moment")).ToContainTextAsync("condensation");
        Assert.False(await page.Locator("#forensic-unblur").IsVisibleAsync());

        // A long one can be stopped while it is being made.
        await page.FillAsync("#forensic-synopsis [name=length]", "10m");
        await page.ClickAsync("#forensic-synopsis button[type=submit]");
        await page.ClickAsync("#forensic-synopsis-stop", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#forensic-moment")).ToContainTextAsync("Synopsis stopped");
        Assert.Empty(scriptErrors);
    }

    [Fact]
    public async Task A_synopsis_stopped_while_it_is_made_leaves_nothing_and_frees_the_service_for_the_next()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        var synopses = Path.Combine(service.Service<ForensicCases>().Folder, "yard-case", "synopses");
        await IndexSyntheticCaseAsync(Path.GetDirectoryName(synopses)!);
        var http = service.As(Roles.Operator);

        // Ten minutes of synopsis: long enough to be stopped half-way.
        var started = await http.PostAsync("/api/forensic/cases/yard-case/synopses?line=A&length=10m", null);
        var address = started.Headers.Location!.ToString();
        var state = await started.Content.ReadFromJsonAsync<JsonElement>();
        for (var waited = 0; state.GetProperty("state").GetString() != "making" && waited < 100; waited++)
        {
            await Task.Delay(100);
            state = await http.GetFromJsonAsync<JsonElement>(address);
        }
        Assert.Equal("making", state.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(address)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(address)).StatusCode);

        // The next job runs only once the stopped one has let go: then nothing of the stopped one is left.
        var (next, _) = await SynopsisAsync(http, "/api/forensic/cases/yard-case/synopses?line=A&length=10s");
        Assert.Equal("ready", next.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(address)).StatusCode);
        Assert.Equal([$"synopsis-{next.GetProperty("id").GetString()}.json", $"synopsis-{next.GetProperty("id").GetString()}.mp4"],
            Directory.GetFiles(synopses).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_synopsis_cut_short_by_the_service_stopping_is_made_at_the_next_start()
    {
        var forensic = TestPaths.TempFolder();
        await IndexSyntheticCaseAsync(Path.Combine(forensic, "yard-case"));
        var settings = $"  forensic_folder: {forensic}";
        var synopses = Path.Combine(forensic, "yard-case", "synopses");
        string address, id;
        await using (var first = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"), settings))
        {
            var http = first.As(Roles.Operator);
            var started = await http.PostAsync("/api/forensic/cases/yard-case/synopses?line=A&length=10m", null);
            address = started.Headers.Location!.ToString();
            var state = await started.Content.ReadFromJsonAsync<JsonElement>();
            id = state.GetProperty("id").GetString()!;
            for (var waited = 0; state.GetProperty("state").GetString() != "making" && waited < 100; waited++)
            {
                await Task.Delay(100);
                state = await http.GetFromJsonAsync<JsonElement>(address);
            }
            Assert.Equal("making", state.GetProperty("state").GetString());
        }
        // Stopped half-way with the service: its job is kept, nothing half-made is.
        Assert.Equal([$"synopsis-{id}.job.json"], Directory.GetFiles(synopses).Select(Path.GetFileName));
        // A job file that cannot be read is dropped at the next start, and does not stop the others.
        var unreadable = Path.Combine(synopses, "synopsis-0123456789abcdef.job.json");
        await File.WriteAllTextAsync(unreadable, "{ \"search\": ");

        await using var second = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"), settings);
        Assert.False(File.Exists(unreadable));
        var again = await second.As(Roles.Operator).GetFromJsonAsync<JsonElement>(address);
        // Taken up again at the start: waiting, being made, or already made (a short one is done within milliseconds).
        Assert.Contains(again.GetProperty("state").GetString(), new[] { "waiting", "making", "ready" });
        Assert.True(await ServiceUnderTest.EventuallyAsync(async () =>
            (again = await second.As(Roles.Operator).GetFromJsonAsync<JsonElement>(address)).GetProperty("state").GetString() == "ready",
            TimeSpan.FromMinutes(3)), $"the synopsis was not made again: {again}");
        Assert.Equal([$"synopsis-{id}.json", $"synopsis-{id}.mp4"], Directory.GetFiles(synopses).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>Asks for a synopsis and follows it until it is made or failed: its last state and the states seen before.</summary>
    private static async Task<(JsonElement Last, List<string> Before)> SynopsisAsync(HttpClient http, string request)
    {
        var started = await http.PostAsync(request, null);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var state = await started.Content.ReadFromJsonAsync<JsonElement>();
        var before = new List<string>();
        for (var waited = 0; state.GetProperty("state").GetString() is "waiting" or "making" && waited < 120; waited++)
        {
            before.Add(state.GetProperty("state").GetString()!);
            await Task.Delay(500);
            state = await http.GetFromJsonAsync<JsonElement>(started.Headers.Location!.ToString());
        }
        return (state, before);
    }

    /// <summary>Signs in to the console, opens the Recordings view and searches the case for what crossed line A.</summary>
    private static IEnumerable<string> FilesHolding(string folder, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        return Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Where(f => File.ReadAllBytes(f).AsSpan().IndexOf(bytes) >= 0);
    }

    private static async Task<IPage> SearchLineAInTheConsoleAsync(IBrowser browser, string url, string user, List<string> scriptErrors) =>
        await SearchLineAInTheConsoleAsync(await browser.NewPageAsync(), url, user, scriptErrors);

    private static async Task<IPage> SearchLineAInTheConsoleAsync(IPage page, string url, string user, List<string> scriptErrors)
    {
        ConsoleBrowserTests.CollectErrors(page, scriptErrors);
        await page.GotoAsync(url);
        await page.FillAsync("#login-form [name=name]", user);
        await page.FillAsync("#login-form [name=password]", ServiceUnderTest.Password);
        await page.ClickAsync("#login-form button[type=submit]");
        await page.ClickAsync("nav button[data-view=forensic]");
        await Assertions.Expect(page.Locator("#forensic-form [name=case] option")).ToHaveCountAsync(1);
        await page.SelectOptionAsync("#forensic-form [name=line]", "A");
        await page.ClickAsync("#forensic-form button[type=submit]");
        await Assertions.Expect(page.Locator("[data-testid=forensic-summary]")).ToContainTextAsync("object(s)");
        return page;
    }

    [Fact]
    public async Task Footage_missing_in_a_searched_span_is_listed_by_the_api_and_shown_in_the_console()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        var clip = await FfmpegTool.RecordingWithGapAsync(TestPaths.TempFolder());
        await Indexer.RunAsync(new IndexRequest([clip], ConfigLoader.Parse("version: 1"), Path.Combine(service.Service<ForensicCases>().Folder, "paused-case"),
            () => PrivacyFilter.PeopleOnly) { Start = new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero) }, null, NullLogger.Instance, CancellationToken.None);
        var http = service.As(Roles.Operator);

        var missing = await http.GetFromJsonAsync<JsonElement>("/api/forensic/cases/paused-case/missing");
        var gap = Assert.Single(missing.EnumerateArray());
        Assert.Equal(10.0, gap.GetProperty("length_s").GetDouble(), 0);
        Assert.Equal("gap.mp4", gap.GetProperty("where").GetString());
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/forensic/cases/paused-case/missing?from=09:00:13")).GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/forensic/cases/paused-case/missing?from=nine")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/forensic/cases/nope/missing")).StatusCode);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await ConsoleBrowserTests.LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        var scriptErrors = new List<string>();
        ConsoleBrowserTests.CollectErrors(page, scriptErrors);
        await page.GotoAsync(service.Url);
        await page.FillAsync("#login-form [name=name]", "operator");
        await page.FillAsync("#login-form [name=password]", ServiceUnderTest.Password);
        await page.ClickAsync("#login-form button[type=submit]");
        await page.ClickAsync("nav button[data-view=forensic]");
        await Assertions.Expect(page.Locator("#forensic-form [name=case] option")).ToHaveCountAsync(1);
        await page.ClickAsync("#forensic-form button[type=submit]");
        await Assertions.Expect(page.Locator("[data-testid=forensic-missing]")).ToContainTextAsync("No picture for 10 s of this span");
        Assert.Empty(scriptErrors);
    }

    /// <summary>Pixels that differ clearly between two videos of the same frames, over all their frames.</summary>
    private static int ChangedPixels(string a, string b)
    {
        using var first = new OpenCvSharp.VideoCapture(a);
        using var second = new OpenCvSharp.VideoCapture(b);
        using var x = new OpenCvSharp.Mat();
        using var y = new OpenCvSharp.Mat();
        using var diff = new OpenCvSharp.Mat();
        var changed = 0;
        while (first.Read(x) && second.Read(y))
        {
            OpenCvSharp.Cv2.Absdiff(x, y, diff);
            OpenCvSharp.Cv2.CvtColor(diff, diff, OpenCvSharp.ColorConversionCodes.BGR2GRAY);
            OpenCvSharp.Cv2.Threshold(diff, diff, 20, 255, OpenCvSharp.ThresholdTypes.Binary);
            changed += OpenCvSharp.Cv2.CountNonZero(diff);
        }
        return changed;
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

        // Read on after any track: exactly those listed after it (a search gives 200 at a time).
        var all = (await http.GetFromJsonAsync<JsonElement>("/api/forensic/cases/yard-case/tracks")).EnumerateArray().Select(t => t.GetProperty("id").GetInt64()).ToList();
        Assert.True(all.Count >= 2, $"{all.Count} tracks");
        foreach (var k in new[] { 0, all.Count - 1 })
        {
            var after = await http.GetFromJsonAsync<JsonElement>($"/api/forensic/cases/yard-case/tracks?after={all[k]}");
            Assert.Equal(all[(k + 1)..], after.EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));
        }
        Assert.Contains("is not a track number", await (await http.GetAsync("/api/forensic/cases/yard-case/tracks?after=next")).Content.ReadAsStringAsync());

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
        var scriptErrors = new List<string>();
        var page = await SearchLineAInTheConsoleAsync(browser, service.Url, "supervisor", scriptErrors);
        var first = page.Locator("[data-testid=forensic-results] li").First;
        await first.WaitForAsync();
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=forensic-results] img'); return i && i.complete && i.naturalWidth > 0; }");
        await first.ClickAsync();
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('[data-testid=forensic-video]'); return v && v.readyState >= 2 && v.duration > 1; }",
            null, new() { Timeout = 30_000 });

        // The supervisor lifts the blur, giving the reason the audit log keeps.
        await page.FillAsync("#forensic-unblur [name=reason]", "Judicial requisition 2026-115");
        await page.ClickAsync("#forensic-unblur button[type=submit]");
        await page.WaitForFunctionAsync(
            "() => { const v = document.querySelector('[data-testid=forensic-video]'); return v.src.startsWith('blob:') && v.readyState >= 2 && v.duration > 1; }",
            null, new() { Timeout = 30_000 });
        Assert.Contains(await audit.ReadAsync(action: AuditActions.ForensicUnblur), e => e.Actor == Roles.Supervisor && e.Detail.Contains("2026-115"));
        Assert.Empty(scriptErrors);
    }
}
