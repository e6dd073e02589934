using OpenCvSharp;
using Vigie.Alerts;
using Vigie.Cli.Commands;

namespace Vigie.Tests.Cli;

/// <summary>
/// The model-free fire rule on generated footage of what the fire use case must not take for fire
/// (lights that blink or turn, brake lights, a sunset, a screen) and, as a control, of flames.
/// Twelve seconds at 5 images/s each, 640×360, over the same still street.
/// </summary>
public class FireLookalikeTests
{
    private const int Width = 640, Height = 360, Frames = 60;

    /// <summary>A still grey street: road, kerb, facades with windows.</summary>
    private static Mat Street()
    {
        var street = new Mat(Height, Width, MatType.CV_8UC3, new Scalar(120, 118, 115));
        Cv2.Rectangle(street, new Rect(0, 240, Width, 120), new Scalar(80, 80, 82), -1);
        Cv2.Rectangle(street, new Rect(0, 232, Width, 8), new Scalar(150, 150, 150), -1);
        for (int x = 20; x < Width; x += 90)
            for (int y = 30; y < 200; y += 70)
                Cv2.Rectangle(street, new Rect(x, y, 40, 45), new Scalar(70, 60, 55), -1);
        return street;
    }

    private static async Task<List<EventLine>> FireAlerts(string name, Action<Mat, int, Random> draw)
    {
        var folder = TestPaths.TempFolder();
        var images = Directory.CreateDirectory(Path.Combine(folder, name)).FullName;
        using var street = Street();
        var rng = new Random(7);
        for (int i = 0; i < Frames; i++)
        {
            using var frame = street.Clone();
            draw(frame, i, rng);
            Cv2.ImWrite(Path.Combine(images, $"{i:D3}.png"), frame);
        }
        var config = Path.Combine(folder, "scene.yaml");
        await File.WriteAllTextAsync(config, "analysis: { images_fps: 5 }\ncameras:\n  - name: street\n    use_cases: { fire: {} }\n");
        var events = Path.Combine(folder, "events.jsonl");
        var code = await AnalyzeCommand.RunAsync(new AnalyzeCommand.Options(images, config, null, null, null, events, null, null, null, null, null),
            CancellationToken.None);
        Assert.Equal(0, code);
        return JsonLinesWriter.Read<EventLine>(events).Where(e => e.Kind == "fire").ToList();
    }

    /// <summary>Flames from 2 s on: tongues of orange and yellow whose shape and brightness change every frame.</summary>
    private static void Flames(Mat frame, int i, Random rng)
    {
        if (i < 10) return;
        for (int k = 0; k < 14; k++)
        {
            var x = 300 + rng.Next(-35, 36);
            var height = rng.Next(25, 70);
            var bright = rng.Next(190, 256);
            var colour = k % 2 == 0 ? new Scalar(0, rng.Next(90, 150), bright) : new Scalar(20, rng.Next(170, 220), bright);
            Cv2.Ellipse(frame, new Point(x, 235 - height / 2), new Size(rng.Next(8, 18), height / 2), rng.Next(-15, 16), 0, 360, colour, -1);
        }
    }

    [Fact]
    public async Task Generated_flames_are_fire()
    {
        var alert = Assert.Single(await FireAlerts("flames", Flames));
        Assert.InRange(alert.StartS, 2, 3);
    }

    public static TheoryData<string> Lookalikes => ["blinking beacon", "turning beacon", "brake lights", "sunset", "screen"];

    [Theory]
    [MemberData(nameof(Lookalikes))]
    public async Task Lights_a_sunset_and_a_screen_are_not_fire(string what)
    {
        Action<Mat, int, Random> draw = what switch
        {
            // Amber roadworks lamp, on half a second, off half a second.
            "blinking beacon" => (frame, i, _) =>
            {
                if (i / 3 % 2 == 0) Cv2.Circle(frame, new Point(200, 215), 14, new Scalar(0, 170, 255), -1);
            },
            // A rotating amber beacon: the whole lamp brightens and dims as its mirror turns.
            "turning beacon" => (frame, i, _) =>
            {
                var level = 0.55 + 0.45 * Math.Sin(i * 2 * Math.PI / 3.3);
                Cv2.Circle(frame, new Point(200, 215), 16, new Scalar(0, 150 * level, 255 * level), -1);
            },
            // A car's brake lights: on 3 s, off 2 s.
            "brake lights" => (frame, i, _) =>
            {
                Cv2.Rectangle(frame, new Rect(360, 250, 150, 60), new Scalar(60, 40, 40), -1);
                if (i % 25 < 15)
                {
                    Cv2.Rectangle(frame, new Rect(365, 262, 22, 12), new Scalar(20, 30, 240), -1);
                    Cv2.Rectangle(frame, new Rect(483, 262, 22, 12), new Scalar(20, 30, 240), -1);
                }
            },
            // An orange evening sky above the roofs, slowly brightening.
            "sunset" => (frame, i, _) =>
            {
                for (int y = 0; y < 110; y++)
                {
                    var glow = 150 + y + i;
                    Cv2.Line(frame, new Point(0, y), new Point(Width, y), new Scalar(40, Math.Min(255, 60 + y + i / 2), Math.Min(255, glow)), 1);
                }
            },
            // A shop's advertising screen: a warm-coloured slide a second, and a ticker running along its foot.
            "screen" => (frame, i, _) =>
            {
                var slide = new Random(i / 5);
                var screen = new Rect(440, 40, 120, 90);
                Cv2.Rectangle(frame, screen, new Scalar(slide.Next(0, 80), slide.Next(80, 200), slide.Next(180, 256)), -1);
                Cv2.Rectangle(frame, new Rect(450, 50, 60, 40), new Scalar(slide.Next(0, 255), slide.Next(0, 255), slide.Next(0, 255)), -1);
                Cv2.Rectangle(frame, new Rect(440, 112, 120, 18), new Scalar(30, 30, 30), -1);
                Cv2.PutText(frame, "SALE -50% SALE -50%", new Point(560 - i * 12 % 240, 126), HersheyFonts.HersheySimplex, 0.45,
                    new Scalar(0, 190, 255), 1);
            },
            _ => throw new ArgumentOutOfRangeException(nameof(what)),
        };
        Assert.Empty(await FireAlerts(what.Replace(' ', '_'), draw));
    }
}
