using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Vigie.Config;
using Vigie.Service.Storage;
using Vigie.Tests.Service;

namespace Vigie.Tests.Cli;

/// <summary>`vigie check` run as a user runs it, on real services, databases, brokers and cameras.</summary>
public class CheckCommandTests
{
    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task A_good_configuration_checks_ok_beside_its_running_service_and_says_what_it_found_and_what_ends_soon()
    {
        var latest = Migrations.All[^1].Version;
        using var broker = await MosquittoBroker.StartAsync(account: ("vigie", "broker-password-1"));
        await using var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(TestPaths.Clip("pedestrians/vtest.avi")),
            $"  notifications:\n    mqtt: {{ host: 127.0.0.1, port: {broker.Port}, username: vigie, password: broker-password-1 }}");

        var (code, output, error) = await VigieProcess.RunAsync(["check", "--config", service.ConfigPath]);

        Assert.True(code == 0, output + error);
        var lines = Lines(output);
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("data folder:") && l.Contains("a running service holds it"));
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains($"address: {service.Url}") && l.Contains("by the running service"));
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("database: SQLite") && l.Contains($"schema {latest}, up to date"));
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("administrators: at least one"));
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("face model:") && l.Contains("loads"));
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("camera gate: ") && l.Contains("vtest.avi: 1280x720, 25 fps, h264; motion"));
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains($"MQTT 127.0.0.1:{broker.Port}: connected as vigie and left"));
        // The test's act ends tomorrow: said, as a warning, so that it is renewed before the camera stops.
        Assert.Contains(lines, l => l.StartsWith("WARNING") && l.Contains("camera gate: authorisation: intrusion allowed by TEST-001; TEST-001 ends"));
        Assert.Contains("0 error(s)", error);
    }

    [Fact]
    public async Task What_would_keep_the_service_from_working_is_named_each_on_its_line_without_the_camera_password_and_nothing_is_made()
    {
        var folder = TestPaths.TempFolder();
        using var broker = await MosquittoBroker.StartAsync(account: ("vigie", "broker-password-1"));
        using var untrusted = new SelfSignedTlsServer();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var busy = ((IPEndPoint)taken.LocalEndpoint).Port;
        var config = Path.Combine(folder, "service.yaml");
        await File.WriteAllTextAsync(config, $"""
            version: 1
            detector:
              type: onnx
              model: {TestPaths.Model("yolox_nano.onnx")}
              format: yolox
            service:
              listen: http://127.0.0.1:{busy}
              data_folder: data/not-yet
              evidence:
                face_model: {Path.Combine(folder, "no-such-face-model.onnx")}
              notifications:
                mqtt: {"{"} host: 127.0.0.1, port: {broker.Port}, username: vigie, password: wrong-password {"}"}
                webhooks:
                  - {"{"} url: "http://127.0.0.1:{Ports.Free()}/hooks/T0/SECRET-TOKEN", secret: "a-secret-of-24-characters" {"}"}
                  - {"{"} url: "https://127.0.0.1:{untrusted.Port}/hooks/T1/SECRET-TOKEN", secret: "a-secret-of-24-characters" {"}"}
            cameras:
              - name: gate
                source: rtsp://user:pw12345@127.0.0.1:{Ports.Free()}/cam
              - name: hall
                source: {TestPaths.Clip("pedestrians/vtest.avi")}
            """);

        var (code, output, error) = await VigieProcess.RunAsync(["check", "--config", config, "--timeout", "5"]);

        Assert.Equal(1, code);
        var lines = Lines(output);
        Assert.Contains(lines, l => l.StartsWith("ERROR") && l.Contains($"address: http://127.0.0.1:{busy} is already in use"));
        Assert.Contains(lines, l => l.StartsWith("ERROR") && l.Contains("face model: face model not found"));
        Assert.Contains(lines, l => l.StartsWith("ERROR") && l.Contains("camera gate: rtsp://***@127.0.0.1") && l.Contains("Connection refused"));
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("camera hall: ") && l.Contains("1280x720"));
        Assert.Contains(lines, l => l.StartsWith("ERROR") && l.Contains($"MQTT 127.0.0.1:{broker.Port}: cannot connect") && l.Contains("NotAuthorized: check notifications.mqtt.username and password"));
        Assert.Contains(lines, l => l.StartsWith("ERROR") && l.Contains("webhook http://127.0.0.1:") && l.Contains("Connection refused"));
        Assert.Contains(lines, l => l.StartsWith("ERROR") && l.Contains($"webhook https://127.0.0.1:{untrusted.Port}/…") && l.Contains("UntrustedRoot"));
        Assert.Contains(lines, l => l.StartsWith("ok") && l.Contains("database: SQLite") && l.Contains("made at the first start"));
        Assert.Contains(lines, l => l.StartsWith("WARNING") && l.Contains("administrators: none yet"));
        // A database never made has no act in force: the cameras would not be analysed.
        Assert.Equal(2, lines.Count(l => l.StartsWith("WARNING") && l.Contains(": authorisation: none in force covers it")));
        Assert.Contains("6 error(s)", error);
        Assert.DoesNotContain("pw12345", output + error);
        Assert.DoesNotContain("SECRET-TOKEN", output + error);
        Assert.False(Directory.Exists(Path.Combine(folder, "data")));
    }

    [Fact]
    public async Task A_database_to_be_upgraded_is_said_and_left_as_it_is_and_one_from_a_newer_vigie_is_an_error()
    {
        var prepared = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera(TestPaths.Clip("pedestrians/vtest.avi")));
        var path = prepared.ConfigPath;
        await prepared.DisposeAsync();
        var file = Path.Combine(ConfigLoader.LoadFile(path).Service.DataFolder, "vigie.db");
        async Task<long> Sql(string sql)
        {
            await using var c = new SqliteConnection($"Data Source={file};Pooling=False");
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            return Convert.ToInt64(await cmd.ExecuteScalarAsync() ?? 0L);
        }
        // As a database left by the Vigie before migration 4.
        await Sql("DELETE FROM schema_migrations WHERE version = 4; DROP INDEX alerts_counted");

        var (code, output, error) = await VigieProcess.RunAsync(["check", "--config", path]);

        Assert.True(code == 0, output + error);
        Assert.Contains(Lines(output), l => l.StartsWith("ok") && l.Contains($"brought to {Migrations.All[^1].Version} at the next start (")
            && l.Contains("alert counts read from an index") && l.Contains("back it up first"));
        Assert.Equal(0, await Sql("SELECT COUNT(*) FROM schema_migrations WHERE version = 4"));

        await Sql("INSERT INTO schema_migrations (version, description, applied_ms) VALUES (999, 'from the future', 0)");
        (code, output, error) = await VigieProcess.RunAsync(["check", "--config", path]);
        Assert.Equal(1, code);
        Assert.Contains(Lines(output), l => l.StartsWith("ERROR") && l.Contains("database: SQLite") && l.Contains("newer Vigie (schema version 999)"));
    }
}
