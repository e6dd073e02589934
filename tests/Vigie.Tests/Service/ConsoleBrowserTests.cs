using Microsoft.Playwright;
using Vigie.Config;
using Vigie.Service.Governance;
using Vigie.Tests.Video;

namespace Vigie.Tests.Service;

/// <summary>
/// The operator console in a real browser: Debian's chromium driven by Playwright (nothing downloaded),
/// against `vigie serve` on 127.0.0.1 analysing a real RTSP stream.
/// </summary>
public class ConsoleBrowserTests
{
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    public static async Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright)
    {
        EnsureChromium();
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>Chromium keeping its profile (cache included) in a folder, as a workstation's browser does.</summary>
    public static async Task<IBrowserContext> LaunchChromiumAsync(IPlaywright playwright, string profileFolder)
    {
        EnsureChromium();
        return await playwright.Chromium.LaunchPersistentContextAsync(profileFolder, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>Collects the page's uncaught script errors and anything its content security policy blocked.</summary>
    internal static void CollectErrors(IPage page, List<string> errors)
    {
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal)) errors.Add(m.Text);
        };
    }

    private static void EnsureChromium()
    {
        if (!File.Exists("/usr/bin/chromium")) throw new InvalidOperationException("Debian chromium is missing: run scripts/setup --test");
    }

    private static async Task SignInAsync(IPage page, string name)
    {
        await page.FillAsync("#login-form [name=name]", name);
        await page.FillAsync("#login-form [name=password]", ServiceUnderTest.Password);
        await page.ClickAsync("#login-form button[type=submit]");
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync($"{name} ({name})");
    }

    /// <summary>Chromium on the service's console, signed in as a role, gathering script errors and anything the content policy blocked.</summary>
    private sealed class SignedInConsole : IAsyncDisposable
    {
        private IPlaywright _playwright = null!;
        private IBrowser _browser = null!;
        public IPage Page { get; private set; } = null!;
        public List<string> Errors { get; } = [];

        public static async Task<SignedInConsole> OpenAsync(ServiceUnderTest service, string role)
        {
            var console = new SignedInConsole { _playwright = await Playwright.CreateAsync() };
            console._browser = await LaunchChromiumAsync(console._playwright);
            console.Page = await console._browser.NewPageAsync();
            CollectErrors(console.Page, console.Errors);
            await console.Page.GotoAsync(service.Url);
            await SignInAsync(console.Page, role);
            return console;
        }

        public async ValueTask DisposeAsync()
        {
            await _browser.DisposeAsync();
            _playwright.Dispose();
        }
    }

    [Fact]
    public async Task An_operator_sees_the_alert_arrive_plays_its_clip_dismisses_it_and_the_decision_is_stored()
    {
        await using var camera = await RtspCamera.StartAsync();
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(camera.Url));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        var scriptErrors = new List<string>(); // uncaught exceptions in the console's script, loads its policy blocked
        CollectErrors(page, scriptErrors);

        await page.GotoAsync(service.Url);
        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync(); // nothing without signing in
        await page.FillAsync("#login-form [name=name]", "operator");
        await page.FillAsync("#login-form [name=password]", "not the password");
        await page.ClickAsync("#login-form button[type=submit]");
        await Assertions.Expect(page.Locator("#login-message")).ToHaveTextAsync("Wrong name or password.");
        await SignInAsync(page, "operator");
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live", new() { Timeout = 10_000 });

        // The alert is pushed to the open page by the server; nobody reloads it.
        var card = page.Locator("[data-testid=feed] li[data-kind=intrusion]").First;
        await card.WaitForAsync(new() { Timeout = 45_000 });
        var id = long.Parse((await card.GetAttributeAsync("data-alert-id"))!);
        await card.ClickAsync();
        await Assertions.Expect(page.Locator("#detail")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#detail-title")).ToContainTextAsync("intrusion");

        // The clip arrives a few seconds after the alert and plays in the browser (H.264 MP4).
        var video = page.Locator("#detail-media video");
        await video.WaitForAsync(new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('#detail-media video'); return v && v.readyState >= 2 && v.duration > 1; }",
            null, new() { Timeout = 15_000 });

        // One click dismisses with what it was; "other" needs a note saying what.
        await page.ClickAsync("[data-testid=dismiss-reasons] button[data-reason=other]");
        await Assertions.Expect(page.Locator("#review-message")).ToContainTextAsync("needs a note");
        await page.FillAsync("#review-form textarea[name=note]", "a dog crossed the zone");
        await page.ClickAsync("[data-testid=dismiss-reasons] button[data-reason=animal]");
        await Assertions.Expect(page.Locator("#review-message")).ToHaveTextAsync("Decision recorded: dismissed (animal).");
        await Assertions.Expect(page.Locator("#detail-reviews")).ToContainTextAsync("operator: dismissed (animal)");

        var stored = await service.Store.GetAsync(id);
        Assert.NotNull(stored);
        Assert.Equal(("dismissed", "operator", "animal", "a dog crossed the zone"), (stored.Status, stored.ReviewedBy, stored.ReviewReason, stored.ReviewNote));
        Assert.NotNull(stored.ReviewedAt);
        Assert.InRange(stored.ReviewedAt.Value, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddSeconds(5));
        var review = Assert.Single(await service.Store.ReviewsAsync(id));
        Assert.Equal("operator", review.Reviewer);

        // Search finds it by its review status.
        await page.ClickAsync("#detail-close");
        await page.ClickAsync("nav button[data-view=search]");
        await page.SelectOptionAsync("#search-form select[name=status]", "dismissed");
        await page.ClickAsync("#search-form button[type=submit]");
        await Assertions.Expect(page.Locator($"[data-testid=results] li[data-alert-id='{id}']")).ToBeVisibleAsync();

        // The auditor sees the decision in the audit log, checks the chain, and sees no image at all.
        await page.ClickAsync("#logout");
        await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
        await SignInAsync(page, "auditor");
        await Assertions.Expect(page.Locator("nav button[data-view=cameras]")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator($"[data-testid=feed] li[data-alert-id='{id}'] .no-image")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("[data-testid=feed] img").CountAsync());
        await page.ClickAsync("nav button[data-view=audit]");
        await Assertions.Expect(page.Locator("[data-testid=audit-rows]")).ToContainTextAsync("alert.review");
        await page.ClickAsync("#audit-verify");
        await Assertions.Expect(page.Locator("[data-testid=audit-state]")).ToContainTextAsync("intact");

        // A data disk below its floor with no evidence left to delete: the signed-in user is told alerts now come without it.
        await Assertions.Expect(page.Locator("#service-warning")).ToBeHiddenAsync();
        service.Service<RetentionConfig>().MinFreeMb = int.MaxValue;
        Assert.False(await service.Service<FreeSpaceGuard>().RoomForEvidenceAsync());
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#service-warning")).ToContainTextAsync("Disk nearly full");

        // The public page needs no sign-in and lists the camera under its authorisation.
        await page.GotoAsync($"{service.Url}/transparency.html");
        await Assertions.Expect(page.Locator("[data-testid=public-cameras]")).ToContainTextAsync("TEST-001");
        await Assertions.Expect(page.Locator("[data-testid=public-months]")).ToContainTextAsync("intrusion");
        Assert.Empty(scriptErrors);
    }

    [Fact]
    public async Task The_feed_keeps_the_latest_alerts_leaves_out_none_raised_while_its_stream_was_down_and_keeps_older_ones_in_place()
    {
        var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await LaunchChromiumAsync(playwright);
            var page = await browser.NewPageAsync();
            await page.GotoAsync(service.Url);
            await SignInAsync(page, "operator");
            await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live", new() { Timeout = 10_000 });

            var ids = new List<long>();
            for (int i = 0; i < 230; i++) ids.Add(await service.PublishAlertAsync());
            var cards = page.Locator("[data-testid=feed] li[data-alert-id]");
            await Assertions.Expect(cards.First).ToHaveAttributeAsync("data-alert-id", ids[^1].ToString());
            await Assertions.Expect(cards).ToHaveCountAsync(200); // a console open for weeks does not pile up every alert
            // The first alerts, no longer in the feed, are reviewed elsewhere: the feed stays as it was.
            await service.PublishAlertAsync(Vigie.Service.Notifications.AlertFeed.Updated, ids[0]);
            await service.PublishAlertAsync(Vigie.Service.Notifications.AlertFeed.Updated, ids[^2]);
            await service.PublishAlertAsync();
            await Assertions.Expect(cards).ToHaveCountAsync(200);
            await Assertions.Expect(cards.Nth(1)).ToHaveAttributeAsync("data-alert-id", ids[^1].ToString());
            Assert.Equal(0, await page.Locator($"[data-testid=feed] li[data-alert-id='{ids[0]}']").CountAsync());
            // A search reads them all, newest first, 200 at a time.
            await page.ClickAsync("nav button[data-view=search]");
            await page.ClickAsync("#search-form button[type=submit]");
            var found = page.Locator("[data-testid=results] li[data-alert-id]");
            await Assertions.Expect(found).ToHaveCountAsync(200);
            await page.ClickAsync("[data-testid=search-older]");
            await Assertions.Expect(found).ToHaveCountAsync(231);
            await Assertions.Expect(found.Last).ToHaveAttributeAsync("data-alert-id", ids[0].ToString());
            await Assertions.Expect(page.Locator("[data-testid=search-older]")).ToBeHiddenAsync();
            await page.ClickAsync("nav button[data-view=alerts]");

            // The service restarts (an upgrade) and the console's stream cannot reconnect at once (the network): an alert raised
            // meanwhile is in the feed once the stream is back.
            await page.RouteAsync("**/api/alerts/stream", route => route.AbortAsync());
            service = await service.RestartAsync();
            await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("reconnecting");
            var missed = await service.PublishAlertAsync();
            // Cut for more than a few seconds, the operator is told that no alert can arrive.
            await Assertions.Expect(page.Locator("#stream-warning")).ToContainTextAsync("Live alerts interrupted since", new() { Timeout = 20_000 });
            await page.UnrouteAllAsync();
            await Assertions.Expect(cards.First).ToHaveAttributeAsync("data-alert-id", missed.ToString(), new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live");
            await Assertions.Expect(page.Locator("#stream-warning")).ToBeHiddenAsync();
            await Assertions.Expect(cards).ToHaveCountAsync(200);
        }
        finally
        {
            await service.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_operator_confirms_or_dismisses_an_open_alert_with_one_key_goes_to_the_next_unreviewed_and_closes_it_with_escape()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        await using var console = await SignedInConsole.OpenAsync(service, "operator");
        var page = console.Page;
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live", new() { Timeout = 10_000 });
        var first = await service.PublishAlertAsync();
        var second = await service.PublishAlertAsync();

        await page.ClickAsync($"[data-testid=feed] li[data-alert-id='{first}']");
        await Assertions.Expect(page.Locator("#detail")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("c");
        await Assertions.Expect(page.Locator("#review-message")).ToHaveTextAsync("Decision recorded: confirmed.");
        await page.Keyboard.PressAsync("Escape");
        await Assertions.Expect(page.Locator("#detail")).ToBeHiddenAsync();

        // N opens the alert not yet reviewed; the fourth reason by its key; typing the note first does not trigger keys.
        var reasons = await service.GetAsync<List<string>>("/api/review-reasons");
        await Assertions.Expect(page.Locator($"[data-testid=feed] li[data-alert-id='{first}'].confirmed")).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("n");
        await Assertions.Expect(page.Locator("#detail")).ToBeVisibleAsync();
        await page.FillAsync("#review-form textarea[name=note]", "c4");
        await page.Locator("#review-form h3").ClickAsync();
        await page.Keyboard.PressAsync("4");
        await Assertions.Expect(page.Locator("#review-message")).ToContainTextAsync("dismissed");

        Assert.Equal(("confirmed", null), ((await service.Store.GetAsync(first))!.Status, (await service.Store.GetAsync(first))!.ReviewReason));
        var dismissed = (await service.Store.GetAsync(second))!;
        Assert.Equal(("dismissed", reasons[3], "c4"), (dismissed.Status, dismissed.ReviewReason, dismissed.ReviewNote));
        Assert.Single(await service.Store.ReviewsAsync(second));
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task The_auditor_reads_a_long_log_from_its_newest_entry_back_filters_it_and_opens_a_long_detail()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        var log = service.Service<AuditLog>();
        // Longer than the 5,000 entries the page read from the first (it then showed entries 4,701 to 5,000, never the newest).
        for (int i = 0; i < 5_100; i++) await log.AppendAsync("op1", AuditActions.AlertView, $"alert:{i}");
        var newest = await log.AppendAsync("op2", AuditActions.ClipView, "alert:5100");

        await using var console = await SignedInConsole.OpenAsync(service, "auditor");
        var page = console.Page;
        await page.ClickAsync("nav button[data-view=audit]");
        var rows = page.Locator("[data-testid=audit-rows] tr");
        // The newest first: the auditor's own sign-in and alert list, then the last entry made before.
        await Assertions.Expect(rows.Filter(new() { HasText = "alert:5100" })).ToContainTextAsync($"{newest.Seq}");
        await Assertions.Expect(rows.First).ToContainTextAsync("auditor");
        await Assertions.Expect(rows).ToHaveCountAsync(200);
        await page.ClickAsync("[data-testid=audit-older]");
        await Assertions.Expect(rows).ToHaveCountAsync(400);

        await page.FillAsync("#audit-form [name=action]", AuditActions.ServiceStart);
        await page.ClickAsync("#audit-form button[type=submit]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("[data-testid=audit-older]")).ToBeHiddenAsync();
        // Its configuration, two kilobytes, is one line until opened, then laid out.
        var detail = rows.First.Locator("details");
        await Assertions.Expect(detail.Locator("pre")).ToBeHiddenAsync();
        await detail.Locator("summary").ClickAsync();
        await Assertions.Expect(detail.Locator("pre")).ToContainTextAsync("\"config_sha256\":");
        await page.FillAsync("#audit-form [name=action]", "");
        await page.FillAsync("#audit-form [name=actor]", "op2");
        await page.ClickAsync("#audit-form button[type=submit]");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows.First).ToContainTextAsync(AuditActions.ClipView);
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task A_new_alert_chimes_and_is_counted_in_the_title_while_the_feed_is_not_shown_and_the_chime_stays_off_once_muted()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        var scriptErrors = new List<string>();
        CollectErrors(page, scriptErrors);
        // Counts the tones the page starts (the machine may have no loudspeaker).
        await page.AddInitScriptAsync("""
            window.tones = 0;
            const start = OscillatorNode.prototype.start;
            OscillatorNode.prototype.start = function (...args) { window.tones++; return start.apply(this, args); };
            """);
        await page.GotoAsync(service.Url);
        await SignInAsync(page, "operator");
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#chime")).ToHaveTextAsync("Sound on"); // the sign-in click let the page sound

        await service.PublishAlertAsync();
        await Assertions.Expect(page.Locator("[data-testid=feed] li[data-alert-id]")).ToHaveCountAsync(1);
        await page.WaitForFunctionAsync("() => window.tones >= 2"); // two tones per alert
        Assert.Equal("Vigie console", await page.TitleAsync()); // the feed was in view

        await page.ClickAsync("nav button[data-view=search]");
        await service.PublishAlertAsync();
        await Assertions.Expect(page).ToHaveTitleAsync("(1) Vigie console");
        await page.WaitForFunctionAsync("() => window.tones >= 4");

        await page.ClickAsync("#chime");
        await Assertions.Expect(page.Locator("#chime")).ToHaveTextAsync("Sound off");
        await page.EvaluateAsync("() => window.tones = 0");
        await service.PublishAlertAsync();
        await Assertions.Expect(page).ToHaveTitleAsync("(2) Vigie console");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.tones"));

        // Muted stays muted on this workstation after a reload; the feed in view clears the count.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#chime")).ToHaveTextAsync("Sound off");
        await page.ClickAsync("nav button[data-view=alerts]");
        await Assertions.Expect(page).ToHaveTitleAsync("Vigie console");
        Assert.Empty(scriptErrors);
    }

    [Fact]
    public async Task Away_from_mouse_and_keyboard_for_idle_minutes_a_supervisors_console_signs_out_and_an_operators_alert_wall_stays()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        foreach (var (user, stays) in new[] { ("operator", true), ("supervisor", false) })
        {
            await using var context = await browser.NewContextAsync();
            var page = await context.NewPageAsync();
            await page.Clock.InstallAsync(); // the page's clock, moved on below; the service's is the real one
            await page.GotoAsync(service.Url);
            await SignInAsync(page, user);
            await page.Clock.FastForwardAsync("31:00"); // idle_minutes is 30 by default
            await page.Clock.RunForAsync(10_000);
            if (stays)
            {
                await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync($"{user} ({user})");
                Assert.False(await page.Locator("#login").IsVisibleAsync());
            }
            else
            {
                await Assertions.Expect(page.Locator("#login-message")).ToHaveTextAsync("Signed out after 30 minutes without use.");
                await Assertions.Expect(page.Locator("#login")).ToBeVisibleAsync();
            }
        }
        var logouts = await service.Service<AuditLog>().ReadAsync(action: AuditActions.Logout);
        var idle = Assert.Single(logouts);
        Assert.Equal(("supervisor", true), (idle.Actor, idle.Detail.Contains("idle_minutes")));
    }

    [Fact]
    public async Task With_the_site_time_zone_named_the_console_shows_and_reads_times_on_it_whatever_the_browsers_zone()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"), "time_zone: Europe/Paris");
        var raised = new DateTimeOffset(2026, 11, 20, 21, 30, 0, TimeSpan.Zero); // 22:30 in Paris, 16:30 in New York
        await service.Store.InsertAsync(new Vigie.Service.Storage.NewAlert("gate", "intrusion", "forbidden", raised, raised, 0.9, [0, 0, 0.1, 0.1], [1], "test"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        await using var context = await browser.NewContextAsync(new() { TimezoneId = "America/New_York", Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(service.Url);
        await SignInAsync(page, "supervisor");
        await page.ClickAsync("nav button[data-view=search]");

        async Task<ILocator> SearchAsync(string from, string to)
        {
            await page.FillAsync("#search-form [name=from]", from);
            await page.FillAsync("#search-form [name=to]", to);
            await page.ClickAsync("#search-form button[type=submit]");
            await Assertions.Expect(page.Locator("#search-summary")).Not.ToBeEmptyAsync();
            return page.Locator("#results li[data-alert-id]");
        }
        // 22:00 to 23:00 read on Paris's clock holds the alert, and it shows at 22:30.
        var found = await SearchAsync("2026-11-20T22:00", "2026-11-20T23:00");
        await Assertions.Expect(found).ToHaveCountAsync(1);
        await Assertions.Expect(found.Locator("time")).ToContainTextAsync("10:30:00 PM");
        // The browser's own 16:00 to 17:00 does not.
        await page.EvaluateAsync("() => document.querySelector('#search-summary').textContent = ''");
        await Assertions.Expect(await SearchAsync("2026-11-20T16:00", "2026-11-20T17:00")).ToHaveCountAsync(0);

        // The review report's days are Paris's, the last one included: 1 to 20 November is up to midnight after the 20th there.
        await page.ClickAsync("nav button[data-view=reports]");
        await page.FillAsync("#report-form [name=from]", "2026-11-01");
        await page.FillAsync("#report-form [name=to]", "2026-11-20");
        var report = await page.RunAndWaitForPopupAsync(() => page.ClickAsync("#report-form button[type=submit]"));
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(report.Url).Query);
        Assert.Equal(("2026-10-31T23:00:00.000Z", "2026-11-20T23:00:00.000Z"), (query["from"], query["to"]));

        // The public page gives an act's days on Paris's clock too: from midnight on 1 December there, still 30 November in New York.
        await service.Service<AuthorisationStore>().CreateAsync(new NewAuthorisation("PARIS-2", "prefecture", new DateOnly(2026, 11, 20), ["gate"],
            ["intrusion"], new DateTimeOffset(2026, 11, 30, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 31, 23, 0, 0, TimeSpan.Zero), "station"),
            "test", DateTimeOffset.UtcNow);
        await page.GotoAsync($"{service.Url}/transparency.html");
        await Assertions.Expect(page.Locator("[data-testid=public-cameras]")).ToContainTextAsync("intrusion from 12/1/2026 to 2/1/2027");
    }

    [Fact]
    public async Task An_operator_sees_the_live_people_count_of_a_zone_on_its_camera()
    {
        var (cameras, counter) = await ServiceTests.CrowdCameraAsync();
        await using var service = await ServiceUnderTest.StartAsync(cameras, counter);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await CamerasViewAsync(browser, service, "operator");

        var count = page.Locator(".camera[data-camera=hall] .measurements [data-where=left][data-name=persons]");
        await Assertions.Expect(count).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"left: (8|7\.\d\d|8\.\d\d) persons now, peak"),
            new() { Timeout = 30_000 });
        await Assertions.Expect(count.Locator("svg.sparkline polyline")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task While_the_database_is_down_the_operator_sees_alerts_as_waiting_then_stored_and_is_told_why()
    {
        using var postgres = new PostgresServer();
        var clip = Path.Combine(TestPaths.TempFolder(), "scene.mp4");
        await Task.Run(() => Vigie.Video.SyntheticScene.Default.WriteVideo(clip));
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(clip) + "\n    loop: true", $"""
              storage: {"{"} type: postgres, connection: "{postgres.NewDatabase()}" {"}"}
            """);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await browser.NewPageAsync();
        var scriptErrors = new List<string>();
        CollectErrors(page, scriptErrors);
        await page.GotoAsync(service.Url);
        await SignInAsync(page, "operator");
        await Assertions.Expect(page.Locator("#stream-state")).ToHaveTextAsync("live", new() { Timeout = 10_000 });
        await page.Locator("[data-testid=feed] li[data-alert-id]").First.WaitForAsync(new() { Timeout = 45_000 });

        postgres.Stop();
        // The stream stays open: the next alert shows at once as waiting, and the banner says why.
        var waiting = page.Locator("[data-testid=feed] li.waiting");
        await waiting.First.WaitForAsync(new() { Timeout = 45_000 });
        await Assertions.Expect(waiting.First).ToContainTextAsync("not stored yet");
        await Assertions.Expect(page.Locator("#service-warning")).ToContainTextAsync("Database unavailable", new() { Timeout = 15_000 });
        // The rest of the API says it is unavailable, not that the session ended (which would send the operator to sign in).
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await service.Http.GetAsync("/api/alerts")).StatusCode);

        postgres.Start();
        await Assertions.Expect(waiting).ToHaveCountAsync(0, new() { Timeout = 30_000 }); // each replaced by the stored alert
        await Assertions.Expect(page.Locator("#service-warning")).ToBeHiddenAsync(new() { Timeout = 15_000 });
        Assert.Equal(0, service.Service<Vigie.Service.Alerts.AlertDesk>().WaitingForDatabase);
        Assert.Empty(scriptErrors);
    }

    /// <summary>A new page of the console, signed in with this role, on the cameras view.</summary>
    private static async Task<IPage> CamerasViewAsync(IBrowser browser, ServiceUnderTest service, string role)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        await page.GotoAsync(service.Url);
        await SignInAsync(page, role);
        await page.ClickAsync("nav button[data-view=cameras]");
        return page;
    }

    /// <summary>
    /// A supervisor signed in on a service with one live camera ("gate", an intrusion zone), its card online
    /// with a preview, and the zone editor open on it.
    /// </summary>
    private static async Task WithZoneEditorAsync(Func<IPage, ServiceUnderTest, Task> act)
    {
        await using var camera = await RtspCamera.StartAsync();
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(camera.Url));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchChromiumAsync(playwright);
        var page = await CamerasViewAsync(browser, service, "supervisor");

        var card = page.Locator(".camera[data-camera=gate]");
        await Assertions.Expect(card.Locator(".state")).ToHaveTextAsync("online", new() { Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('.camera[data-camera=gate] img'); return i && i.naturalWidth > 0; }",
            null, new() { Timeout = 15_000 });
        await card.Locator("button").ClickAsync();
        // The canvas takes the snapshot's size once it has loaded (before that it is 300 wide and the
        // picture 0 high): clicks must wait for that or they land on the wrong spot.
        await page.WaitForFunctionAsync("""
            () => {
              const image = document.querySelector('#editor-image'), canvas = document.querySelector('#editor-canvas');
              return !document.querySelector('#editor').hidden && image.complete && image.naturalWidth > 0 && canvas.width === image.naturalWidth;
            }
            """, null, new() { Timeout = 15_000 });
        await act(page, service);
    }

    /// <summary>Clicks the editor's picture at these points (fractions of its width and height).</summary>
    private static async Task ClickPictureAsync(IPage page, params (double X, double Y)[] points)
    {
        var canvas = page.Locator("#editor-canvas");
        var box = (await canvas.BoundingBoxAsync())!;
        foreach (var (x, y) in points)
            await canvas.ClickAsync(new() { Position = new() { X = (float)(box.Width * x), Y = (float)(box.Height * y) } });
    }

    [Fact]
    public Task A_supervisor_sees_camera_health_and_draws_a_zone_that_is_saved_to_the_config() => WithZoneEditorAsync(async (page, service) =>
    {
        await page.ClickAsync("#tool-zone");
        await ClickPictureAsync(page, (0.1, 0.1), (0.4, 0.1), (0.4, 0.4), (0.1, 0.4));
        await page.ClickAsync("#tool-close");
        // The new zone also counts people: tick crowd density and set its limit.
        var newZone = page.Locator(".editor-item").Nth(1);
        await newZone.Locator("input[data-use-case=crowd_density]").CheckAsync();
        await newZone.Locator("input[data-limit=crowd_density]").FillAsync("25");
        await newZone.Locator("input[data-limit=crowd_density]").DispatchEventAsync("change");
        // And one-way traffic up the image: tick wrong way, then click where traffic comes from and goes.
        await newZone.Locator("input[data-use-case=wrong_way]").CheckAsync();
        await Assertions.Expect(page.Locator("#editor-message")).ToContainTextAsync("click where traffic comes from");
        await ClickPictureAsync(page, (0.25, 0.35), (0.25, 0.35)); // no length: no direction
        await Assertions.Expect(page.Locator("#editor-message")).ToContainTextAsync("Click two points apart");
        await ClickPictureAsync(page, (0.25, 0.35), (0.25, 0.15));
        await Assertions.Expect(newZone.Locator("button[data-direction]")).ToHaveTextAsync("Redraw allowed direction");
        await page.ClickAsync("#editor-save");
        await Assertions.Expect(page.Locator("#editor-message")).ToContainTextAsync("Saved", new() { Timeout = 15_000 });

        var zones = ConfigLoader.LoadFile(service.ConfigPath).Cameras.Single().Zones;
        Assert.Equal(["forbidden", "zone_2"], zones.Select(z => z.Name));
        var drawn = zones[1].Polygon;
        Assert.Equal(4, drawn.Count);
        Assert.InRange(drawn[0][0], 0.08, 0.12);
        Assert.InRange(drawn[2][1], 0.38, 0.42);
        Assert.NotNull(zones[1].UseCases.Intrusion);
        Assert.Equal(25, zones[1].UseCases.CrowdDensity!.MaxPersons);
        var allowed = zones[1].UseCases.WrongWay!.AllowedDirection;
        Assert.InRange(allowed[0], -0.02, 0.02);
        Assert.InRange(allowed[1], -0.22, -0.18);
    });

    [Fact]
    public Task A_supervisor_calibrates_the_ground_and_sets_a_density_limit_per_square_metre() => WithZoneEditorAsync(async (page, service) =>
    {
        // First three points on one line: the service refuses it and says why.
        await page.ClickAsync("#tool-calibrate");
        await ClickPictureAsync(page, (0.1, 0.6), (0.3, 0.6), (0.5, 0.6), (0.5, 0.9));
        await page.ClickAsync("#editor-save");
        await Assertions.Expect(page.Locator("#editor-message")).ToContainTextAsync("calibration", new() { Timeout = 15_000 });

        await page.ClickAsync("#tool-calibrate");
        await ClickPictureAsync(page, (0.2, 0.6), (0.8, 0.6), (0.9, 0.95), (0.1, 0.95));
        double[][] metres = [[0, 0], [10, 0], [10, 8], [0, 8]];
        for (int i = 0; i < 4; i++)
            foreach (var (axis, value) in new[] { ("x", metres[i][0]), ("y", metres[i][1]) })
            {
                var input = page.Locator($"input[data-ground='{i}-{axis}']");
                await input.FillAsync(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await input.DispatchEventAsync("change");
            }
        var zone = page.Locator(".editor-item").First;
        await zone.Locator("input[data-use-case=crowd_density]").CheckAsync();
        await zone.Locator("select[data-unit=crowd_density]").SelectOptionAsync("per_m2");
        await zone.Locator("input[data-limit=crowd_density]").FillAsync("1.5");
        await zone.Locator("input[data-limit=crowd_density]").DispatchEventAsync("change");
        await page.ClickAsync("#editor-save");
        await Assertions.Expect(page.Locator("#editor-message")).ToContainTextAsync("Saved", new() { Timeout = 15_000 });

        var saved = ConfigLoader.LoadFile(service.ConfigPath).Cameras.Single();
        Assert.Equal([10.0, 8.0], saved.Calibration!.GroundM[2]);
        Assert.InRange(saved.Calibration.Image[3][0], 0.08, 0.12);
        Assert.Equal(1.5, saved.Zones[0].UseCases.CrowdDensity!.MaxDensity);
        Assert.Null(saved.Zones[0].UseCases.CrowdDensity!.MaxPersons);
    });
}
