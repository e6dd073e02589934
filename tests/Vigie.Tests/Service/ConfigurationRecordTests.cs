using System.Text.Json.Nodes;
using Vigie.Service.Governance;

namespace Vigie.Tests.Service;

/// <summary>The configuration each start runs with, and what changed in it by hand, in the audit log.</summary>
public class ConfigurationRecordTests
{
    [Fact]
    public void Changes_are_named_setting_by_setting_and_cameras_and_zones_are_matched_by_name()
    {
        var before = JsonNode.Parse("""
            {"analysis": {"fps": 5}, "cameras": [{"name": "a", "zones": [{"name": "z", "polygon": [[0, 0], [1, 0], [1, 1]]}]}, {"name": "b"}]}
            """);
        var after = JsonNode.Parse("""
            {"analysis": {"fps": 4}, "cameras": [{"name": "c"}, {"name": "a", "zones": [{"name": "z", "polygon": [[0, 0], [1, 0], [0.5, 1]]}]}, {"name": "b"}]}
            """);

        var changes = ConfigDiff.Between(before, after).ToDictionary(c => c.Path);

        Assert.Equal(["analysis.fps", "cameras[a].zones[z].polygon", "cameras[c]"], changes.Keys.Order());
        Assert.Equal((5, 4), (changes["analysis.fps"].Before!.GetValue<int>(), changes["analysis.fps"].After!.GetValue<int>()));
        Assert.Null(changes["cameras[c]"].Before);
        Assert.Empty(ConfigDiff.Between(after, after!.DeepClone()));
    }

    [Fact]
    public async Task Each_start_records_the_configuration_in_force_and_what_was_changed_by_hand_since_the_last_without_its_secrets()
    {
        var service = await ServiceUnderTest.StartAsync(ServiceUnderTest.IntrusionCamera("rtsp://viewer:pw12345@127.0.0.1:9/cam"),
            "  notifications:\n    mqtt: { host: 127.0.0.1, port: 9, username: vigie, password: broker-secret-1 }");
        try
        {
            var first = await service.Service<AuditLog>().ReadAsync();
            Assert.Equal([AuditActions.ServiceStart, AuditActions.ConfigChange], first.Take(2).Select(e => e.Action)); // before any camera
            var shown = JsonNode.Parse(first[0].Detail)!["config"]!;
            Assert.Equal("rtsp://***@127.0.0.1:9/cam", shown["cameras"]![0]!["source"]!.GetValue<string>());
            Assert.Equal("***", shown["service"]!["notifications"]!["mqtt"]!["password"]!.GetValue<string>());

            service = await service.RestartAsync();
            var log = service.Service<AuditLog>();
            Assert.Equal(2, (await log.ReadAsync(action: AuditActions.ServiceStart)).Count);
            Assert.Single(await log.ReadAsync(action: AuditActions.ConfigChange)); // the same file: nothing changed

            // Until 2026-11-25 a change made in the file by hand left no trace in the audit log.
            var text = await File.ReadAllTextAsync(service.ConfigPath);
            await File.WriteAllTextAsync(service.ConfigPath, text.Replace("fps: 5", "fps: 4").Replace("dwell_s: 0.5", "dwell_s: 1.5"));
            service = await service.RestartAsync();
            log = service.Service<AuditLog>();
            var change = (await log.ReadAsync(action: AuditActions.ConfigChange))[^1];
            var changes = JsonNode.Parse(change.Detail)!["changes"]!.AsArray().ToDictionary(c => c!["path"]!.GetValue<string>());
            Assert.Equal(["analysis.fps", "cameras[gate].zones[forbidden].use_cases.intrusion.dwell_s"], changes.Keys.Order());
            Assert.Equal((0.5, 1.5), (changes["cameras[gate].zones[forbidden].use_cases.intrusion.dwell_s"]!["before"]!.GetValue<double>(),
                changes["cameras[gate].zones[forbidden].use_cases.intrusion.dwell_s"]!["after"]!.GetValue<double>()));

            var all = await log.ReadAsync(limit: 5000);
            Assert.DoesNotContain(all, e => e.Detail.Contains("pw12345") || e.Detail.Contains("broker-secret-1"));
            Assert.True((await log.VerifyAsync()).Intact);
        }
        finally
        {
            await service.DisposeAsync();
        }
    }
}
