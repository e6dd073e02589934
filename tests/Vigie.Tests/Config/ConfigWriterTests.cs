using Vigie.Config;

namespace Vigie.Tests.Config;

/// <summary>What the console's zone editor saves into an administrator's configuration file, and what it leaves alone.</summary>
public class ConfigWriterTests
{
    private const string Written = """
        # Station north: two cameras. Ask the site manager before changing the zones.
        version: 1
        detector:
          type: motion   # no model on this old machine
        service:
          listen: http://127.0.0.1:8080
        cameras:
          - name: platform
            source: rtsp://10.0.0.5/stream1
            zones:
              - name: track_bed   # the rails: nobody may be there
                polygon: [[0.1, 0.6], [0.9, 0.6], [0.9, 1.0], [0.1, 1.0]]
                use_cases:
                  intrusion: { dwell_s: 0.5 }

            # The gate line was asked for by the operator in March.
            lines:
              - name: gate
                from: [0.2, 0.4]
                to: [0.8, 0.4]
          - name: hall
            source: rtsp://10.0.0.6/stream1
            loop: false
        # end of the file
        """;

    private static string Saved(string text, string camera, List<ZoneConfig> zones, List<LineConfig> lines, CalibrationConfig? calibration = null)
    {
        var path = Path.Combine(TestPaths.TempFolder(), "scene.yaml");
        File.WriteAllText(path, text);
        ConfigWriter.SaveCameraScene(path, camera, zones, lines, calibration);
        Assert.Equal(text, File.ReadAllText(path + ".bak"));
        return File.ReadAllText(path);
    }

    private static readonly ZoneConfig Concourse = new()
    {
        Name = "concourse", Polygon = [[0, 0], [1, 0], [1, 1], [0, 1]],
        UseCases = new ZoneUseCases { PersonDown = new PersonDownConfig() },
    };

    [Fact]
    public void A_zone_drawn_on_one_camera_is_added_to_it_and_the_rest_of_the_file_is_left_as_written()
    {
        var saved = Saved(Written, "hall", [Concourse], []);

        var lines = saved.Split('\n');
        var written = Written.Split('\n');
        Assert.StartsWith("# Saved by the Vigie console on ", lines[0]);
        // Until 2026-11-25 the whole file was written again: comments gone, every default spelt out (tracker, retention, …).
        Assert.Equal(written[..^1], lines[1..written.Length]);
        Assert.Equal(written[^1], lines[^1]);
        Assert.Equal(["    zones:", "    - name: concourse", "      polygon: [[0, 0], [1, 0], [1, 1], [0, 1]]", "      use_cases:", "        person_down:"],
            lines[written.Length..(written.Length + 5)]);
        Assert.DoesNotContain("tracker", saved);
        var reloaded = ConfigLoader.Parse(saved, "scene.yaml");
        Assert.Equal(["concourse"], reloaded.Cameras[1].Zones.Select(z => z.Name));
        Assert.Equal(new PersonDownConfig().DownS, reloaded.Cameras[1].Zones[0].UseCases.PersonDown!.DownS);
        Assert.Equal(["track_bed"], reloaded.Cameras[0].Zones.Select(z => z.Name));
    }

    [Fact]
    public void Zones_and_lines_replaced_or_removed_keep_the_comments_around_them_and_a_second_save_one_stamp()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "scene.yaml");
        File.WriteAllText(path, Written);
        var ground = new CalibrationConfig { Image = [[0.2, 0.6], [0.8, 0.6], [0.9, 0.95], [0.1, 0.95]], GroundM = [[0, 0], [10, 0], [10, 8], [0, 8]] };
        ConfigWriter.SaveCameraScene(path, "platform", [Concourse], [], ground);
        ConfigWriter.SaveCameraScene(path, "platform", [Concourse], [new LineConfig { Name = "exit", From = [0.1, 0.5], To = [0.9, 0.5] }], ground);
        var saved = File.ReadAllText(path);

        Assert.Single(saved.Split('\n'), l => l.StartsWith("# Saved by the Vigie console", StringComparison.Ordinal));
        Assert.Contains("# Station north: two cameras.", saved);
        Assert.Contains("# The gate line was asked for by the operator in March.", saved);
        Assert.Contains("type: motion   # no model on this old machine", saved);
        Assert.Contains("# end of the file", saved);
        Assert.DoesNotContain("track_bed", saved);
        Assert.DoesNotContain("gate", saved.Replace("# The gate line", ""));
        var reloaded = ConfigLoader.Parse(saved, "scene.yaml");
        Assert.Equal(["concourse"], reloaded.Cameras[0].Zones.Select(z => z.Name));
        Assert.Equal(["exit"], reloaded.Cameras[0].Lines.Select(l => l.Name));
        Assert.Equal(10.0, reloaded.Cameras[0].Calibration!.GroundM[1][0]);
        Assert.Equal(("hall", false), (reloaded.Cameras[1].Name, reloaded.Cameras[1].Loop));

        ConfigWriter.SaveCameraScene(path, "platform", [], [], null);
        var emptied = ConfigLoader.Parse(File.ReadAllText(path), "scene.yaml").Cameras[0];
        Assert.Equal((0, 0, null), (emptied.Zones.Count, emptied.Lines.Count, emptied.Calibration));
    }

    [Fact]
    public void A_camera_written_on_one_line_or_a_file_with_windows_line_ends_is_still_saved_right()
    {
        var oneLine = "version: 1\ncameras:\n  - { name: hall, source: rtsp://10.0.0.6/stream1 }\n";
        var saved = ConfigLoader.Parse(Saved(oneLine, "hall", [Concourse], []), "scene.yaml");
        Assert.Equal(["concourse"], saved.Cameras[0].Zones.Select(z => z.Name));

        var windows = Written.Replace("\n", "\r\n");
        var savedWindows = Saved(windows, "hall", [Concourse], []);
        Assert.DoesNotContain("\n", savedWindows.Replace("\r\n", ""));
        Assert.Equal(["concourse"], ConfigLoader.Parse(savedWindows, "scene.yaml").Cameras[1].Zones.Select(z => z.Name));
    }
}
