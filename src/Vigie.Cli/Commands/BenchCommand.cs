using System.CommandLine;
using Vigie.Bench;
using Vigie.Video;

namespace Vigie.Cli.Commands;

/// <summary>`vigie bench`: measures decode-only and full-pipeline speed and records them in docs/BENCHMARKS.md.</summary>
public static class BenchCommand
{
    private const string SharedClip = "../shared/data/pedestrians/vtest.avi";
    private const string SharedModel = "../shared/models/yolox_nano.onnx";
    private const string SharedFaceModel = "../shared/models/yunet_face.onnx";

    private static async Task<int> ConsoleLatencyAsync(string path, CancellationToken ct)
    {
        var sample = Path.Combine(Path.GetTempPath(), "vigie-bench-console-sample");
        SampleCommand.Write(sample);
        var latencies = await ConsoleLatencyBenchmark.RunAsync(Path.Combine(sample, "synthetic.mp4"), Vigie.Config.ConfigLoader.Parse(SampleCommand.ConfigText),
            20, TimeSpan.FromSeconds(120), ct);
        var section = ConsoleLatencyBenchmark.ToMarkdown(latencies, "synthetic.mp4", PipelineBenchmark.DescribeMachine(), DateTimeOffset.UtcNow);
        Record(path, "console", section);
        return latencies.Count > 0 ? 0 : 1;
    }

    private static async Task<int> ForensicAsync(string clip, string? model, int runs, TimeSpan length, string path, CancellationToken ct)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"vigie-bench-forensic-{(int)length.TotalMinutes}min");
        var recordings = await ForensicBenchmark.MakeRecordingsAsync(clip, folder, length, Console.WriteLine, ct);
        var rows = await ForensicBenchmark.RunAsync(recordings, model, runs, Console.WriteLine, ct);
        var section = ForensicBenchmark.ToMarkdown(rows, clip, model, runs, PipelineBenchmark.DescribeMachine(), DateTimeOffset.UtcNow);
        Record(path, "forensic", section);
        return 0;
    }

    private static async Task<int> SoakAsync(string clip, string? model, TimeSpan length, string path, CancellationToken ct)
    {
        SoakResult result;
        try
        {
            var recording = await SoakBenchmark.MakeRecordingAsync(clip, Path.Combine(Path.GetTempPath(), "vigie-bench-soak"), length, Console.WriteLine, ct);
            // A sample every twelfth of the run: enough points for the second half's slope, few lines in the report.
            result = await SoakBenchmark.RunAsync(recording, model, length / 12, Console.WriteLine, ct);
        }
        catch (Exception e) when (e is VideoSourceException or FileNotFoundException or InvalidDataException)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
        }
        var section = SoakBenchmark.ToMarkdown(result, clip, model, PipelineBenchmark.DescribeMachine(), DateTimeOffset.UtcNow);
        Record(path, "soak", section);
        return 0;
    }

    private static int Search(int runs, string path)
    {
        var row = SearchBenchmark.Run(runs, Console.WriteLine);
        var section = SearchBenchmark.ToMarkdown(row, runs, PipelineBenchmark.DescribeMachine(), DateTimeOffset.UtcNow);
        Record(path, "search", section);
        return 0;
    }

    private static async Task<int> ClipsAsync(string clip, int runs, string path, CancellationToken ct)
    {
        if (!File.Exists(SharedFaceModel)) return AnalyzeCommand.Fail($"{SharedFaceModel}: the face model clips are made with is missing", AnalyzeCommand.ExitBadInput);
        var row = await ClipBenchmark.RunAsync(clip, SharedFaceModel, runs, Console.WriteLine, ct);
        Record(path, "clips", ClipBenchmark.ToMarkdown(row, clip, runs, PipelineBenchmark.DescribeMachine(), DateTimeOffset.UtcNow));
        return 0;
    }

    /// <summary>Puts the section in the document (in place of its earlier figures) and shows it.</summary>
    private static void Record(string path, string key, string section)
    {
        var document = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n";
        File.WriteAllText(path, PipelineBenchmark.ReplaceSection(document, key, section));
        Console.WriteLine(section);
        Console.WriteLine($"written to {path}");
    }

    public static Command Create()
    {
        var source = new Option<string?>("--source") { Description = $"Video to measure on (default: {SharedClip}, else a synthetic clip)." };
        var model = new Option<string?>("--model") { Description = $"YOLOX model for the detector rows (default: {SharedModel} when present)." };
        var runs = new Option<int>("--runs") { Description = "Runs per measurement; the median is reported.", DefaultValueFactory = _ => 3 };
        var fps = new Option<double>("--fps") { Description = "Analysis rate (frames/s).", DefaultValueFactory = _ => 5 };
        var output = new Option<string>("--out") { Description = "Markdown file to update.", DefaultValueFactory = _ => "docs/BENCHMARKS.md" };
        var live = new Option<bool>("--live") { Description = "Also measure live capacity (simulated 25 fps cameras, three runs per count), memory per camera and alert latency (about 10 minutes)." };
        var forensic = new Option<bool>("--forensic") { Description = "Only measure forensic speed: `vigie index` on 1080p recordings vs. decoding them (about 10 minutes)." };
        var length = new Option<int?>("--minutes") { Description = "With --forensic: length of each test recording in minutes (default 5). With --soak: minutes of footage (default 60)." };
        var search = new Option<bool>("--search") { Description = "Only measure forensic search on a synthetic case of 10,000 tracks (about a minute)." };
        var soak = new Option<bool>("--soak") { Description = "Only measure memory over a long run: the engine on an hour of a replayed clip, as fast as it goes (about 10 minutes)." };
        var clips = new Option<bool>("--clips") { Description = "Only measure how fast alert clips are made on a busy camera (overlapping clips, faces pixelated; about a minute)." };
        var console = new Option<bool>("--console") { Description = "Only measure the delay from a rule firing to the alert reaching the console (a live service on 127.0.0.1, about a minute)." };
        var command = new Command("bench", "Measure decode-only vs. full-pipeline speed at 1 and 2 threads; write docs/BENCHMARKS.md.")
        {
            source, model, runs, fps, output, live, console, forensic, length, search, soak, clips,
        };
        command.SetAction(async (parse, ct) =>
        {
            var clip = parse.GetValue(source) ?? (File.Exists(SharedClip) ? SharedClip : null);
            if (clip is null)
            {
                clip = Path.Combine(Path.GetTempPath(), "vigie-bench-synthetic.mp4");
                SyntheticScene.Default.WriteVideo(clip);
            }
            var detector = parse.GetValue(model) ?? (File.Exists(SharedModel) ? SharedModel : null);
            if (parse.GetValue(console)) return await ConsoleLatencyAsync(parse.GetValue(output)!, ct);
            if (parse.GetValue(search)) return Search(Math.Max(1, parse.GetValue(runs)), parse.GetValue(output)!);
            if (parse.GetValue(clips)) return await ClipsAsync(Path.GetFullPath(clip), Math.Max(1, parse.GetValue(runs)), parse.GetValue(output)!, ct);
            if (parse.GetValue(forensic))
                return await ForensicAsync(Path.GetFullPath(clip), detector is null ? null : Path.GetFullPath(detector), Math.Max(1, parse.GetValue(runs)),
                    TimeSpan.FromMinutes(Math.Max(1, parse.GetValue(length) ?? 5)), parse.GetValue(output)!, ct);
            if (parse.GetValue(soak))
                return await SoakAsync(Path.GetFullPath(clip), detector is null ? null : Path.GetFullPath(detector),
                    TimeSpan.FromMinutes(Math.Max(1, parse.GetValue(length) ?? 60)), parse.GetValue(output)!, ct);
            var settings = new BenchSettings(Path.GetFullPath(clip), detector is null ? null : Path.GetFullPath(detector),
                Math.Max(1, parse.GetValue(runs)), [1, 2], parse.GetValue(fps));
            try
            {
                var rows = await PipelineBenchmark.RunAsync(settings, Console.WriteLine, ct);
                var latency = await PipelineBenchmark.DetectorLatencyAsync(settings, ct);
                var frames = await PipelineBenchmark.FramesAsync(settings, ct);
                var net = PrivacyNetBenchmark.Measure(frames) with
                {
                    Faces = File.Exists(SharedFaceModel) ? PrivacyNetBenchmark.MeasureFaces(frames, SharedFaceModel, new Vigie.Config.EvidenceConfig().MaxWidth) : null,
                };
                foreach (var f in frames) f.Dispose();
                var section = PipelineBenchmark.ToMarkdown(settings, rows, latency, net, PipelineBenchmark.DescribeMachine(), DateTimeOffset.UtcNow);
                var path = parse.GetValue(output)!;
                var document = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\nWritten by `vigie bench`; numbers are medians measured on the machine named.\n";
                document = PipelineBenchmark.ReplaceSection(document, "pipeline", section);
                Console.WriteLine(section);
                if (parse.GetValue(live))
                {
                    var capacity = await LiveBenchmark.CapacityAsync(settings.Source, settings.Model, [1, 2, 4, 6, 8, 10, 12, 16], TimeSpan.FromSeconds(12), 3, Console.WriteLine, ct);
                    var sample = Path.Combine(Path.GetTempPath(), "vigie-bench-live");
                    SampleCommand.Write(sample);
                    var latencies = await LiveBenchmark.AlertLatencyAsync(Path.Combine(sample, "synthetic.mp4"),
                        Vigie.Config.ConfigLoader.Parse(SampleCommand.ConfigText), 3, ct);
                    var liveSection = LiveBenchmark.ToMarkdown(capacity, latencies, settings.Source, settings.Model, PipelineBenchmark.DescribeMachine(), DateTimeOffset.UtcNow);
                    document = PipelineBenchmark.ReplaceSection(document, "live", liveSection);
                    Console.WriteLine(liveSection);
                }
                File.WriteAllText(path, document);
                Console.WriteLine($"written to {path}");
                return 0;
            }
            catch (Exception e) when (e is VideoSourceException or FileNotFoundException or InvalidDataException)
            {
                return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
            }
        });
        return command;
    }
}
