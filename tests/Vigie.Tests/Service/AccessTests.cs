using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Vigie.Service.Api;
using Vigie.Service.Governance;
using Vigie.Service.Security;
using Vigie.Service.Storage;
using Vigie.Tests.Cli;

namespace Vigie.Tests.Service;

/// <summary>Sign-in, lockout, sessions, and every endpoint checked for every role.</summary>
public class AccessTests
{
    private const string Public = "anyone";
    private const string Signed = "signed-in";
    private const string Op = Roles.Operator, Sup = Roles.Supervisor, Aud = Roles.Auditor, Adm = Roles.Administrator;

    /// <summary>
    /// The role × endpoint matrix, written out here as the specification (not read from the code):
    /// a new endpoint fails this test until someone decides who may call it.
    /// </summary>
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["GET /api/health"] = [Public],
        ["HEAD /api/health"] = [Public], // uptime monitors that ask with HEAD read a 401 as the service down (so it was until 2026-11-25)
        ["GET /openapi/v1.json"] = [Public],
        ["GET /api/public/transparency"] = [Public],
        ["POST /api/session"] = [Public],
        ["GET /api/session"] = [Signed],
        ["DELETE /api/session"] = [Signed],
        ["POST /api/session/password"] = [Signed],
        ["GET /api/users"] = [Adm],
        ["POST /api/users"] = [Adm],
        ["PATCH /api/users/{name}"] = [Adm],
        ["GET /api/alerts"] = [Op, Sup, Aud],
        ["GET /api/alerts/stream"] = [Op, Sup, Aud],
        ["GET /api/alerts/{id:long}"] = [Op, Sup, Aud],
        ["GET /api/alerts/{id:long}/snapshot"] = [Op, Sup],
        ["GET /api/alerts/{id:long}/clip"] = [Op, Sup],
        ["POST /api/alerts/{id:long}/review"] = [Op],
        ["GET /api/review-reasons"] = [Signed],
        ["GET /api/use-cases"] = [Signed],
        ["GET /api/cameras"] = [Op, Sup, Adm],
        ["GET /api/cameras/{name}"] = [Op, Sup, Adm],
        ["GET /api/cameras/{name}/measurements"] = [Op, Sup, Adm],
        ["GET /api/cameras/{name}/snapshot"] = [Op, Sup],
        ["GET /api/cameras/{name}/scene"] = [Op, Sup],
        ["PUT /api/cameras/{name}/scene"] = [Sup],
        ["GET /api/authorisations"] = [Adm, Aud, Sup],
        ["POST /api/authorisations"] = [Adm],
        ["POST /api/authorisations/{id:long}/revoke"] = [Adm],
        ["GET /api/audit"] = [Aud],
        ["GET /api/audit/verify"] = [Aud],
        ["GET /api/reports/reviews"] = [Aud, Sup, Adm],
        ["GET /api/reports/reviews.html"] = [Aud, Sup, Adm],
        ["GET /api/forensic/cases"] = [Op, Sup],
        ["GET /api/forensic/cases/{name}/tracks"] = [Op, Sup],
        ["GET /api/forensic/cases/{name}/missing"] = [Op, Sup],
        ["GET /api/forensic/cases/{name}/tracks/{id:long}/thumbnail"] = [Op, Sup],
        ["GET /api/forensic/cases/{name}/tracks/{id:long}/excerpt"] = [Op, Sup],
        ["GET /api/forensic/cases/{name}/tracks/{id:long}/excerpt/unblurred"] = [Sup],
        ["POST /api/forensic/cases/{name}/synopses"] = [Op, Sup],
        ["GET /api/forensic/cases/{name}/synopses/{id}"] = [Op, Sup],
        ["GET /api/forensic/cases/{name}/synopses/{id}/video"] = [Op, Sup],
        ["DELETE /api/forensic/cases/{name}/synopses/{id}"] = [Op, Sup],
    };

    [Fact]
    public async Task Every_endpoint_admits_exactly_the_roles_of_the_matrix()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        var id = await service.Store.InsertAsync(new NewAlert("gate", "intrusion", "forbidden", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 0.9,
            [0, 0, 0.1, 0.1], [1], "test"));

        var endpoints = service.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .ToHashSet();
        Assert.Equal(Expected.Keys.Order(), endpoints.Order());

        var failures = new List<string>();
        foreach (var (endpoint, allowed) in Expected)
        {
            if (endpoint == "POST /api/session") continue; // sign-in itself: covered by the lockout test
            var (method, route) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
            var path = route.Replace("{id:long}", id.ToString()).Replace("{name}", "gate");
            foreach (var role in Roles.All.Append("anonymous"))
            {
                using var http = service.Anonymous();
                if (role != "anonymous")
                    // Session endpoints end or change the session: each call gets a session of its own.
                    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await service.LoginAsync(role));
                var (status, headers) = await SendAsync(http, method, path);
                var expected = role == "anonymous"
                    ? allowed.Contains(Public) ? "allowed" : "401"
                    : allowed.Contains(Public) || allowed.Contains(Signed) || allowed.Contains(role) ? "allowed" : "403";
                var actual = status switch { HttpStatusCode.Unauthorized => "401", HttpStatusCode.Forbidden => "403", _ => "allowed" };
                if (actual != expected) failures.Add($"{endpoint} as {role}: expected {expected}, got {(int)status}");
                // Whatever the answer, no cache keeps it (the browser's on disk included) and no other site frames it.
                var caching = path.StartsWith("/api/", StringComparison.Ordinal) ? "no-store" : "no-cache";
                if (headers.CacheControl?.ToString() != caching) failures.Add($"{endpoint} as {role}: Cache-Control '{headers.CacheControl}', not {caching}");
                if (!headers.TryGetValues("Content-Security-Policy", out var policy) || !policy.Single().Contains("frame-ancestors 'none'"))
                    failures.Add($"{endpoint} as {role}: may be framed by another site");
            }
        }
        // A parameter that cannot be read is named with its value, as every other refusal is (the framework alone sends an empty 400).
        var unreadable = await service.Http.GetAsync("/api/alerts?limit=abc");
        Assert.Equal(HttpStatusCode.BadRequest, unreadable.StatusCode);
        var detail = (await unreadable.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("limit\" from \"abc\"", detail);

        // The console's own files too, found or not: checked again at each load, loading nothing from elsewhere.
        foreach (var path in new[] { "/", "/app.js", "/transparency.html", "/no-such-page" })
        {
            using var http = service.Anonymous();
            var (_, headers) = await SendAsync(http, "GET", path);
            if (headers.CacheControl?.ToString() != "no-cache") failures.Add($"{path}: Cache-Control '{headers.CacheControl}', not no-cache");
            if (!headers.TryGetValues("Content-Security-Policy", out var policy) || policy.Single() != ResponseHeaders.ConsolePolicy)
                failures.Add($"{path}: not the console's content policy");
            if (!headers.TryGetValues("Referrer-Policy", out var referrer) || referrer.Single() != "no-referrer") failures.Add($"{path}: sends its address elsewhere");
        }
        Assert.Empty(failures);
    }

    /// <summary>Writes get a body that cannot be bound: allowed callers get 400 and nothing changes.</summary>
    private static async Task<(HttpStatusCode Status, HttpResponseHeaders Headers)> SendAsync(HttpClient http, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("\"not an object\"", Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return (response.StatusCode, response.Headers);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_account_until_an_administrator_unlocks_it_and_all_is_audited()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        using var http = service.Anonymous();
        async Task<HttpStatusCode> Login(string name, string password) =>
            (await http.PostAsJsonAsync("/api/session", new { name, password })).StatusCode;

        Assert.Equal(HttpStatusCode.Unauthorized, await Login("nobody", ServiceUnderTest.Password));
        for (int i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.Unauthorized, await Login(Roles.Operator, "wrong password " + i));
        Assert.Equal(HttpStatusCode.Locked, await Login(Roles.Operator, "wrong password 4"));
        Assert.Equal(HttpStatusCode.Locked, await Login(Roles.Operator, ServiceUnderTest.Password)); // even the right one

        var unlock = await service.As(Roles.Administrator).PatchAsJsonAsync("/api/users/operator", new { unlock = true });
        Assert.Equal(HttpStatusCode.OK, unlock.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await Login(Roles.Operator, ServiceUnderTest.Password));

        var actions = (await service.Service<AuditLog>().ReadAsync()).Where(e => e.Subject is "user:operator" or "user:nobody").Select(e => e.Action).ToList();
        Assert.Equal(5, actions.Count(a => a == AuditActions.LoginFailed));
        Assert.Equal(2, actions.Count(a => a == AuditActions.LoginLocked));
        Assert.Contains(AuditActions.UserChange, actions);
        Assert.Equal(AuditActions.Login, actions[^1]);
    }

    [Fact]
    public async Task Wrong_passwords_from_one_address_lock_the_account_there_only_and_from_many_addresses_everywhere()
    {
        // The requests come through the trusted proxy on this machine, each from the address it names.
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"),
            "  security: { sign_ins_per_second: 100 }");
        using var http = service.Anonymous();
        async Task<HttpStatusCode> Login(string from, string password) =>
            (await service.SignInThroughProxyAsync(http, from, Roles.Operator, password)).StatusCode;

        // Someone on another machine tries the operator's account five times: locked for that machine only.
        for (int i = 0; i < 4; i++) Assert.Equal(HttpStatusCode.Unauthorized, await Login("198.51.100.9", "wrong password " + i));
        Assert.Equal(HttpStatusCode.Locked, await Login("198.51.100.9", "wrong password 4"));
        Assert.Equal(HttpStatusCode.Locked, await Login("198.51.100.9", ServiceUnderTest.Password));
        Assert.Equal(HttpStatusCode.OK, await Login("192.0.2.10", ServiceUnderTest.Password)); // the operator's workstation

        // Guessing from many machines together: ten times as many failures in a row lock the account everywhere.
        var failures = UserStore.AccountWideFactor * 5;
        for (int i = 0; i < failures; i++)
            Assert.Equal(i < failures - 1 ? HttpStatusCode.Unauthorized : HttpStatusCode.Locked, await Login($"203.0.113.{i / 4 + 1}", "wrong password " + i));
        Assert.Equal(HttpStatusCode.Locked, await Login("192.0.2.10", ServiceUnderTest.Password));
        var locked = (await service.Service<AuditLog>().ReadAsync(action: AuditActions.LoginLocked)).Select(e => e.Detail).ToList();
        Assert.Contains(locked, d => d.Contains("198.51.100.9"));

        // An administrator's unlock lifts both.
        Assert.Equal(HttpStatusCode.OK, (await service.As(Roles.Administrator).PatchAsJsonAsync("/api/users/operator", new { unlock = true })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await Login("198.51.100.9", ServiceUnderTest.Password));
    }

    [Fact]
    public async Task Sessions_end_at_logout_and_when_the_user_is_disabled_and_weak_passwords_are_refused()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        var admin = service.As(Roles.Administrator);
        var weak = await admin.PostAsJsonAsync("/api/users", new { name = "carol", role = Roles.Operator, password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);
        Assert.Contains("password", await weak.Content.ReadAsStringAsync());
        var badRole = await admin.PostAsJsonAsync("/api/users", new { name = "carol", role = "god", password = ServiceUnderTest.Password });
        Assert.Contains("role", await badRole.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created,
            (await admin.PostAsJsonAsync("/api/users", new { name = "carol", role = Roles.Operator, password = ServiceUnderTest.Password })).StatusCode);

        using var carol = service.Anonymous();
        carol.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await service.LoginAsync("carol"));
        var me = await carol.GetFromJsonAsync<SessionView>("/api/session", ApiJson.Options);
        Assert.Equal(("carol", Roles.Operator), (me!.Name, me.Role));
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("/api/alerts")).StatusCode);
        await admin.PatchAsJsonAsync("/api/users/carol", new { disabled = true });
        Assert.Equal(HttpStatusCode.Unauthorized, (await carol.GetAsync("/api/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await carol.PostAsJsonAsync("/api/session", new { name = "carol", password = ServiceUnderTest.Password })).StatusCode);

        using var auditor = service.Anonymous();
        auditor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await service.LoginAsync(Roles.Auditor));
        Assert.Equal(HttpStatusCode.NoContent, (await auditor.DeleteAsync("/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await auditor.GetAsync("/api/audit")).StatusCode);

        // Administrators cannot lock themselves out of administration.
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PatchAsJsonAsync("/api/users/administrator", new { role = Roles.Operator })).StatusCode);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("  trusted_proxies: []", false)]
    [InlineData("  trusted_proxies: [10.9.9.9]", false)]
    public async Task Behind_a_trusted_reverse_proxy_the_users_address_is_audited_and_the_session_cookie_is_secure(string proxies, bool trusted)
    {
        // The test's requests come from 127.0.0.1, trusted by default as the proxy on the same machine.
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"), proxies);
        using var http = service.Anonymous();
        var response = await service.SignInThroughProxyAsync(http, "203.0.113.7", Roles.Operator, ServiceUnderTest.Password, "https");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Equal(trusted, cookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
        var login = (await service.Service<AuditLog>().ReadAsync(action: AuditActions.Login)).Last();
        Assert.Contains(trusted ? "203.0.113.7" : "127.0.0.1", login.Detail);
    }

    [Fact]
    public async Task A_flood_of_sign_ins_is_held_to_the_configured_rate_and_each_refused_one_is_told_when_to_try_again()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"),
            "  security: { sign_ins_per_second: 1 }");
        using var http = service.Anonymous();
        var flood = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => http.PostAsJsonAsync("/api/session", new { name = $"nobody{i}", password = "wrong password" })));
        var checkedOnes = flood.Count(r => r.StatusCode == HttpStatusCode.Unauthorized);
        var refused = flood.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(24, checkedOnes + refused.Count);
        // Two seconds' worth at once, two seconds' worth waiting their turn: the rest are refused without a password check.
        Assert.InRange(checkedOnes, 2, 8);
        Assert.All(refused, r => Assert.True(r.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero, "no Retry-After"));
        Assert.Contains("too many sign-in attempts", await refused[0].Content.ReadAsStringAsync());

        await Task.Delay(refused[0].Headers.RetryAfter!.Delta!.Value + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/session", new { name = Roles.Operator, password = ServiceUnderTest.Password })).StatusCode);
    }

    [Theory]
    [InlineData("signed out")]
    [InlineData("disabled")]
    [InlineData("given a role without alerts")]
    public async Task An_open_alert_stream_ends_with_its_session_and_sends_nothing_after(string change)
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        using var http = service.Anonymous();
        http.Timeout = Timeout.InfiniteTimeSpan;
        var token = await service.LoginAsync(Roles.Operator);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("/api/alerts/stream", HttpCompletionOption.ResponseHeadersRead);
        using var stream = new StreamReader(await response.Content.ReadAsStreamAsync());
        await service.NextEventAsync(stream, "ready", TimeSpan.FromSeconds(10)).ContinueWith(_ => { }); // "ready" carries no alert

        var admin = service.As(Roles.Administrator);
        var done = change switch
        {
            "signed out" => await http.DeleteAsync("/api/session"),
            "disabled" => await admin.PatchAsJsonAsync("/api/users/operator", new { disabled = true }),
            _ => await admin.PatchAsJsonAsync("/api/users/operator", new { role = Roles.Administrator }),
        };
        Assert.True(done.IsSuccessStatusCode);
        await service.PublishAlertAsync();

        var events = new List<string>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (await stream.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith("event: ", StringComparison.Ordinal)) events.Add(line[7..]);
        Assert.Equal(["session-ended"], events); // and the stream closed: no alert after the change
    }

    [Fact]
    public async Task The_first_administrator_comes_from_the_command_line_and_there_is_no_default_account()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.Anonymous().PostAsJsonAsync("/api/session", new { name = "admin", password = "admin" })).StatusCode);

        var weak = await VigieProcess.RunAsync(["user", "add", "--config", service.ConfigPath, "--name", "root", "--role", "administrator", "--password-stdin"], "admin\n");
        Assert.Equal(2, weak.Code);
        Assert.Contains("at least 12 characters", weak.Error);

        var made = await VigieProcess.RunAsync(["user", "add", "--config", service.ConfigPath, "--name", "chief", "--role", "administrator", "--password-stdin"],
            "a long enough passphrase\n");
        Assert.Equal(0, made.Code);
        using var http = service.Anonymous();
        var login = await http.PostAsJsonAsync("/api/session", new { name = "chief", password = "a long enough passphrase" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(Roles.Administrator, (await login.Content.ReadFromJsonAsync<SessionView>(ApiJson.Options))!.Role);
        Assert.Contains(await service.Service<AuditLog>().ReadAsync(), e => e is { Action: AuditActions.UserCreate, Subject: "user:chief" } && e.Actor.StartsWith("cli:"));
    }

    [Fact]
    public async Task A_locked_out_administrator_gets_back_in_from_the_command_line_which_also_lists_and_revokes_but_never_leaves_no_administrator()
    {
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("/nonexistent/recording.mp4"));
        string[] config = ["--config", service.ConfigPath];
        using var http = service.Anonymous();
        for (int i = 0; i < 5; i++) await http.PostAsJsonAsync("/api/session", new { name = Roles.Administrator, password = "not the password" });
        Assert.Equal(HttpStatusCode.Locked,
            (await http.PostAsJsonAsync("/api/session", new { name = Roles.Administrator, password = ServiceUnderTest.Password })).StatusCode);

        Assert.Equal(0, (await VigieProcess.RunAsync(["user", "change", .. config, "--name", Roles.Administrator, "--unlock"])).Code);
        Assert.Equal(HttpStatusCode.OK,
            (await http.PostAsJsonAsync("/api/session", new { name = Roles.Administrator, password = ServiceUnderTest.Password })).StatusCode);

        var demoted = await VigieProcess.RunAsync(["user", "change", .. config, "--name", Roles.Administrator, "--role", Roles.Operator]);
        Assert.Equal(1, demoted.Code);
        Assert.Contains("the only enabled administrator", demoted.Error);
        Assert.Equal(2, (await VigieProcess.RunAsync(["user", "change", .. config, "--name", Roles.Operator])).Code); // nothing to change

        // A new password ends the user's sessions: the operator's console is signed out.
        var reset = await VigieProcess.RunAsync(["user", "change", .. config, "--name", Roles.Operator, "--password-stdin"], "a brand new passphrase\n");
        Assert.True(reset.Code == 0, reset.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.Http.GetAsync("/api/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/session", new { name = Roles.Operator, password = "a brand new passphrase" })).StatusCode);

        var users = await VigieProcess.RunAsync(["user", "list", .. config]);
        Assert.Equal("name\trole\tcreated\tfailed sign-ins\tstate", users.Output.Split('\n')[0]);
        Assert.Contains(users.Output.Split('\n'), l => l.StartsWith($"{Roles.Operator}\t{Roles.Operator}\t", StringComparison.Ordinal) && l.EndsWith("\tactive"));

        var revoked = await VigieProcess.RunAsync(["authorisation", "revoke", .. config, "--id", "1", "--reason", "the act was annulled by the court"]);
        Assert.True(revoked.Code == 0, revoked.Error);
        Assert.Equal(1, (await VigieProcess.RunAsync(["authorisation", "revoke", .. config, "--id", "1", "--reason", "again"])).Code);
        var acts = await VigieProcess.RunAsync(["authorisation", "list", .. config]);
        Assert.Contains(acts.Output.Split('\n'), l => l.StartsWith("1\tTEST-001\t", StringComparison.Ordinal)
            && l.Contains("\trevoked ") && l.EndsWith(": the act was annulled by the court"));

        var audit = await service.Service<AuditLog>().ReadAsync();
        Assert.Equal(2, audit.Count(e => e is { Action: AuditActions.UserChange } && e.Actor.StartsWith("cli:")));
        Assert.Contains(audit, e => e is { Action: AuditActions.AuthorisationRevoke, Subject: "authorisation:1" } && e.Actor.StartsWith("cli:"));
        Assert.True((await service.Service<AuditLog>().VerifyAsync()).Intact);
    }
}
