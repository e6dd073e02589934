using System.CommandLine;
using Spectre.Console;
using Vigie.Cli.Terminal;
using Vigie.Config;
using Vigie.Forensics;
using Vigie.Perception;
using Vigie.Video;

namespace Vigie.Cli.Commands;

/// <summary>`vigie index`: recordings analysed fast into a searchable index of tracks and events.</summary>
public static class IndexCommand
{
    public static Command Create()
    {
        var recording = new Argument<string>("recording") { Description = "A video file, or a folder of recordings (searched recursively)." };
        var output = new Option<string>("--out", "-o") { Description = "Index folder (created; indexing the same file again replaces it).", DefaultValueFactory = _ => "vigie-index" };
        var config = new Option<string?>("--config", "-c") { Description = "Scene configuration: zones and lines to index, rules to run, detector." };
        var model = new Option<string?>("--model", "-m") { Description = "ONNX detector (classes in the index need one; the motion detector only finds 'moving')." };
        var format = new Option<string?>("--format") { Description = "Output format of --model: yolox (default), deimv2, rtmdet, picodet or nanodet." };
        var camera = new Option<string?>("--camera") { Description = "Which camera of the config the recordings come from (default: the first)." };
        var start = new Option<string?>("--start") { Description = "Clock time of the first frame (ISO 8601: 2026-11-20T14:00, on the site's clock (time_zone), or with an offset), for one recording whose file does not carry it." };
        var workers = new Option<int?>("--workers") { Description = "Pieces analysed at once (default: one per core)." };
        var fps = new Option<double?>("--fps") { Description = "Frames analysed per second of video (overrides analysis.fps)." };
        var faces = new Option<string?>("--face-model") { Description = "YuNet face model: faces in thumbnails are pixelated too (people are pixelated whole anyway)." };
        var command = new Command("index", "Index recordings fast: tracks (class, time, zones, lines, heading, speed) and events, for search and synopsis.")
        {
            recording, output, config, model, format, camera, start, workers, fps, faces,
        };
        command.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(recording)!, parse.GetValue(output)!, parse.GetValue(config),
            parse.GetValue(model), parse.GetValue(format), parse.GetValue(camera), parse.GetValue(start), parse.GetValue(workers),
            parse.GetValue(fps), parse.GetValue(faces), ct));
        return command;
    }

    private static async Task<int> RunAsync(string recording, string output, string? configFile, string? model, string? format, string? camera,
        string? start, int? workers, double? fps, string? faceModel, CancellationToken ct)
    {
        if (workers is < 1) return AnalyzeCommand.Fail("--workers must be at least 1", AnalyzeCommand.ExitBadInput);
        if (faceModel is not null && !File.Exists(faceModel)) return AnalyzeCommand.Fail($"--face-model {faceModel}: no such file", AnalyzeCommand.ExitBadInput);
        IndexRequest request;
        try
        {
            var config = AnalyzeCommand.LoadConfig(configFile, model, format, fps);
            var recordings = Indexer.FindRecordings(recording);
            if (recordings.Any(r => Path.GetFullPath(output).StartsWith(r, StringComparison.Ordinal)))
                return AnalyzeCommand.Fail($"--out {output} would overwrite a recording", AnalyzeCommand.ExitBadInput);
            request = new IndexRequest(recordings, config, output,
                () => faceModel is null ? PrivacyFilter.PeopleOnly : new PrivacyFilter(new FaceDetector(faceModel)))
            {
                Camera = camera,
                Start = AnalyzeCommand.StartOption(start, config),
                Workers = workers ?? Environment.ProcessorCount,
            };
        }
        catch (Exception e) when (e is ConfigException or FileNotFoundException)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
        }

        var progress = new ProgressDisplay(null, live: false);
        IndexSummary? summary = null;
        var sync = new object();
        try
        {
            await progress.RunAsync($"indexing {request.Recordings.Count} recording(s) on {request.Workers} worker(s)", async () =>
                summary = await Indexer.RunAsync(request, p =>
                {
                    lock (sync) progress.AdvanceTo(p.Done, p.Total);
                }, new StderrLogger(), ct));
        }
        catch (Exception e) when (e is ConfigException or InvalidDataException or FileNotFoundException)
        {
            return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped by the user: nothing new was stored (the index keeps what earlier runs stored)");
            return AnalyzeCommand.ExitInterrupted;
        }
        catch (IOException e)
        {
            return AnalyzeCommand.Fail($"writing the index failed: {e.Message}", AnalyzeCommand.ExitFailed);
        }
        return Report(summary!, output, progress.Elapsed);
    }

    private static int Report(IndexSummary summary, string output, TimeSpan elapsed)
    {
        var table = new Table().Title("Indexed recordings").AddColumns("recording", "length", "tracks", "events", "no picture", "problem");
        foreach (var r in summary.Recordings)
            table.AddRow(Markup.Escape(Path.GetFileName(r.Path)), Clock.Duration(r.Duration), $"{r.Tracks}", $"{r.Events}",
                r.Gaps.Count == 0 ? "" : Clock.Duration(FootageGap.Total(r.Gaps)), Markup.Escape(r.Problem ?? ""));
        AnsiConsole.Write(table);
        foreach (var r in summary.Recordings.Where(r => r.Gaps.Count > 0))
            AnsiConsole.WriteLine($"{Path.GetFileName(r.Path)}: {FootageGap.Describe(r.Gaps)} (the recorder paused; nothing was there to index)");
        var video = summary.VideoIndexed;
        AnsiConsole.WriteLine(
            $"indexed {Clock.Duration(video)} of video in {Clock.Duration(elapsed)} ({video / Math.Max(1e-3, elapsed.TotalSeconds) / TimeSpan.FromSeconds(1):0.0}x real time), "
            + $"{summary.Pieces} piece(s), {summary.FramesAnalysed} frames analysed, detector skipped on {summary.FramesGated} unchanged frames "
            + $"({100.0 * summary.FramesGated / Math.Max(1, summary.FramesAnalysed):0}%)");
        AnsiConsole.WriteLine($"index: {Path.GetFullPath(output)} (search it with `vigie search {output}`, condense it with `vigie synopsis {output}`)");
        var failed = summary.Recordings.Count(r => r.Problem is not null);
        if (failed == 0) return AnalyzeCommand.ExitOk;
        Console.Error.WriteLine($"error: {failed} recording(s) had problems (see the table); what could be read is indexed");
        return AnalyzeCommand.ExitFailed;
    }
}
