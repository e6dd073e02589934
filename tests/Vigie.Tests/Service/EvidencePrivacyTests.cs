using Microsoft.Extensions.Logging.Abstractions;
using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;
using Vigie.Service.Evidence;
using Vigie.Video;
using static Vigie.Tests.Video.ForegroundPrivacyTests;

namespace Vigie.Tests.Service;

/// <summary>Evidence and previews hide people the detector missed, against the camera's learnt empty scene.</summary>
public class EvidencePrivacyTests
{
    private static readonly Rect Car = new(60, 60, 150, 80);
    private static readonly Rect Flames = new(300, 40, 60, 60);
    private static readonly Rect Missed = new(480, 150, 30, 90);

    private static (KeptFrame Frame, Mat Original) Alerting(bool learnt)
    {
        using var empty = Scene();
        var frame = empty.Clone();
        Cv2.Rectangle(frame, Car, new Scalar(30, 30, 220), -1);
        Cv2.Rectangle(frame, new Rect(80, 80, 30, 20), new Scalar(240, 240, 240), -1);
        Cv2.Rectangle(frame, Flames, new Scalar(0, 140, 255), -1);
        Cv2.Circle(frame, new Point(330, 70), 12, new Scalar(0, 230, 255), -1);
        Cv2.Rectangle(frame, Missed, new Scalar(10, 120, 10), -1);
        var jpeg = frame.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, 95]);
        var background = new Mat();
        Cv2.Resize(empty, background, new Size(RunningBackground.DefaultWidth, 270), 0, 0, InterpolationFlags.Area);
        var kept = new KeptFrame(TimeSpan.Zero, DateTimeOffset.UnixEpoch, jpeg, [new KeptBox(7, Category.Vehicle, new Box(Car.X, Car.Y, Car.Width, Car.Height))],
            learnt ? background : null);
        return (kept, Cv2.ImDecode(jpeg, ImreadModes.Color));
    }

    private static Rect Inside(Rect r) => new(r.X + 4, r.Y + 4, r.Width - 8, r.Height - 8);

    [Fact]
    public void A_missed_person_is_pixelated_while_the_vehicle_and_the_fire_the_alert_is_about_stay_visible()
    {
        var evidence = new EvidenceRecorder(TestPaths.TempFolder(), 640, PrivacyFilter.PeopleOnly, TimeZoneInfo.Utc, NullLogger.Instance);
        var (frame, original) = Alerting(learnt: true);
        using (original)
        {
            var fire = new AlertMarks(new Box(Flames.X / 640f, Flames.Y / 360f, Flames.Width / 640f, Flames.Height / 360f), [], [], ThingShown: true);
            using (var shown = evidence.Render(frame, fire))
            {
                Assert.False(Same(shown, original, Missed), "the person the detector missed is pixelated");
                Assert.True(Same(shown, original, Inside(Car)), "the known vehicle stays visible");
                Assert.True(Same(shown, original, Inside(Flames)), "the flames the alert is about stay visible");
            }
            // A live preview is about no alert: only known vehicles and objects stay visible.
            using (var preview = evidence.Render(frame, null))
            {
                Assert.False(Same(preview, original, Missed));
                Assert.False(Same(preview, original, Inside(Flames)));
                Assert.True(Same(preview, original, Inside(Car)));
            }
        }
        // Before the camera's empty scene is learnt (its first seconds) nothing tells a missed person from the
        // scene: all but the known vehicle is pixelated.
        var (early, earlyOriginal) = Alerting(learnt: false);
        using (earlyOriginal)
        using (var shown = evidence.Render(early, null))
        {
            Assert.False(Same(shown, earlyOriginal, Missed));
            Assert.False(Same(shown, earlyOriginal, new Rect(400, 250, 100, 60)), "the scene itself is pixelated too");
            Assert.True(Same(shown, earlyOriginal, Inside(Car)));
        }
    }

    [Fact]
    public void Evidence_is_stamped_with_the_site_clock_and_its_offset()
    {
        var (frame, original) = Alerting(learnt: true);
        original.Dispose();
        Mat Stamped(string zone, int utcHour) =>
            new EvidenceRecorder(TestPaths.TempFolder(), 640, PrivacyFilter.PeopleOnly, Vigie.Config.SiteTime.Find(zone)!, NullLogger.Instance)
                .Render(frame with { Clock = new DateTimeOffset(2026, 11, 20, utcHour, 30, 0, TimeSpan.Zero) }, null);
        using var utc = Stamped("UTC", 21);          // 2026-11-20 21:30:00.0 +00:00
        using var paris = Stamped("Europe/Paris", 20); // 2026-11-20 21:30:00.0 +01:00: the same time of day, another offset
        using var parisLater = Stamped("Europe/Paris", 21); // 22:30 there

        // The stamp is written at (8, height - 10) in HersheySimplex 0.6 with a 4-pixel outline.
        var time = Cv2.GetTextSize("2026-11-20 21:30:00.0", HersheyFonts.HersheySimplex, 0.6, 4, out _);
        var top = utc.Height - 10 - time.Height - 4;
        var clock = new Rect(4, top, 4 + time.Width, utc.Height - top);
        var offset = new Rect(8 + time.Width + 4, top, 60, utc.Height - top);
        Assert.True(Same(utc, paris, clock), "the same time of day reads the same");
        Assert.False(Same(utc, paris, offset), "with its own offset");
        Assert.False(Same(paris, parisLater, clock), "an hour later on the same clock reads differently");
    }

    [Fact]
    public void A_live_preview_is_made_once_per_frame_however_many_consoles_ask_and_hides_who_it_should()
    {
        var evidence = new EvidenceRecorder(TestPaths.TempFolder(), 640, PrivacyFilter.PeopleOnly, TimeZoneInfo.Utc, NullLogger.Instance);
        var (frame, original) = Alerting(learnt: true);
        using (original)
        {
            var first = evidence.Preview(frame);
            Assert.Same(first, evidence.Preview(frame));
            Assert.NotSame(first, evidence.Preview(frame with { })); // another frame (the same picture kept again) is made anew
            // The filtered picture (the test above says what it hides), up to the JPEG's loss; not the original.
            using var shown = Cv2.ImDecode(first, ImreadModes.Color);
            using var rendered = evidence.Render(frame, null);
            using var originalShrunk = original.Resize(rendered.Size());
            using var missedShown = new Mat(shown, Missed);
            using var missedRendered = new Mat(rendered, Missed);
            using var missedOriginal = new Mat(originalShrunk, Missed);
            Assert.True(Cv2.PSNR(missedShown, missedRendered) > 30, $"{Cv2.PSNR(missedShown, missedRendered):0.0} dB from the filtered picture");
            Assert.True(Cv2.PSNR(missedShown, missedOriginal) < Cv2.PSNR(missedShown, missedRendered) - 5, "the missed person is not shown as they were");
        }
    }
}
