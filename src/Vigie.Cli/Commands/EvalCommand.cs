using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Vigie.Alerts;
using Vigie.Cli.Terminal;
using Vigie.Config;
using Vigie.Evaluation;
using Vigie.Video;

namespace Vigie.Cli.Commands;

/// <summary>`vigie eval`: per-use-case precision, recall, delay and false alarms on annotated footage.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var truth = new Option<string>("--truth") { Description = "Ground-truth file (format: docs/GROUND_TRUTH.md); clip paths are relative to it.", Required = true };
        var config = new Option<string?>("--config", "-c") { Description = "Analysis, detector and tracker settings (its cameras are ignored unless --camera names one: each clip's scene comes from the truth file)." };
        var camera = new Option<string?>("--camera")
        {
            Description = "A camera of --config that watches the clips whose truth has no scene (its use cases, their settings, zones and lines), "
                + "instead of the default use cases on the whole image; clips with a scene keep theirs.",
        };
        var model = new Option<string?>("--model", "-m") { Description = "ONNX detector (implies detector type onnx)." };
        var format = new Option<string?>("--format") { Description = "Output format of --model: yolox, deimv2, rtmdet, picodet or nanodet." };
        var output = new Option<string>("--out", "-o") { Description = "Folder for report.json, report.html and alerts.jsonl.", Required = true };
        var counts = new Option<string?>("--counts") { Description = "Frames counted by hand (format: docs/GROUND_TRUTH.md; clip paths relative to the truth file): also measure the people-counting error, written to counting.json." };
        var variants = new Option<string?>("--variants")
        {
            Description = "Also evaluate on altered copies of every clip, to see whether the settings hold on cameras unlike the clips: "
                + string.Join(", ", FootageVariants.All.Select(v => $"{v.Name} ({v.Alteration})")) + "; comma-separated, or all. "
                + "Copies are made once with ffmpeg under OUT/variants and reused.",
        };
        var command = new Command("eval", "Evaluate every use case on annotated clips: TP, FP, misses, precision, recall, F1, delays, false alarms per hour.")
        {
            truth, config, camera, model, format, output, counts, variants,
        };
        command.SetAction(async (parse, ct) =>
        {
            SceneConfig scene;
            TruthFile file;
            HandCountFile? handCounts = null;
            IReadOnlyList<FootageVariant> alterations = [];
            var truthPath = parse.GetValue(truth)!;
            try
            {
                scene = AnalyzeCommand.LoadConfig(parse.GetValue(config), parse.GetValue(model), parse.GetValue(format), null);
                scene.Cameras = parse.GetValue(camera) is { } name ? [CameraNamed(scene, name, parse.GetValue(config))] : [];
                file = GroundTruth.Load(truthPath);
                if (parse.GetValue(counts) is { } countsPath) handCounts = PeopleCounting.Load(countsPath);
                if (parse.GetValue(variants) is { } names) alterations = FootageVariants.Parse(names);
            }
            catch (Exception e) when (e is ConfigException or InvalidDataException or ArgumentException)
            {
                return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
            }
            var folder = parse.GetValue(output)!;
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return AnalyzeCommand.Fail($"--out {folder}: the folder cannot be made ({e.Message})", AnalyzeCommand.ExitBadInput);
            }
            Console.WriteLine($"evaluating {file.Clips.Count} clips from {truthPath}");
            foreach (var unused in GroundTruth.Unused(file)) Console.Error.WriteLine($"warning: {truthPath}: {unused}");
            if (UseCaseScope.WarningWithoutAModel(scene, file.Clips.SelectMany(c => c.Events).Select(e => e.Kind)) is { } blind)
                Console.Error.WriteLine($"warning: {blind}");
            var runs = await Evaluator.RunAsync(truthPath, file, scene, Console.WriteLine, new StderrLogger(), ct);
            var outcomes = runs.Select(r => r.Outcome).ToList();
            var report = EvaluationReport.From(outcomes);
            CountingReport? counting = null;
            if (handCounts is not null)
            {
                Console.WriteLine($"counting people on {handCounts.Frames.Count} hand-counted frames");
                counting = await PeopleCounting.RunAsync(handCounts, Path.GetDirectoryName(Path.GetFullPath(truthPath))!, scene,
                    Console.WriteLine, new StderrLogger(), ct);
            }

            // Shown before it is written: a full disk must not take minutes of evaluation with it.
            PrintTable(report);
            if (counting is not null)
                AnsiConsole.WriteLine($"people counting: {counting.Frames} hand-counted frames, mean absolute error {counting.MeanAbsoluteError?.ToString("0.0") ?? "-"} people, " +
                                      $"mean relative error {counting.MeanRelativeError?.ToString("P0") ?? "-"}");
            try
            {
                await WriteRunAsync(folder, report, runs, ct);
                await File.WriteAllTextAsync(Path.Combine(folder, "report.html"),
                    HtmlReport.Render(report, outcomes, $"Vigie evaluation — {Path.GetFileName(truthPath)}", DateTimeOffset.UtcNow, counting), ct);
                if (counting is not null)
                    await File.WriteAllTextAsync(Path.Combine(folder, "counting.json"), JsonSerializer.Serialize(counting, Indented) + "\n", ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return AnalyzeCommand.Fail($"writing the evaluation to {folder} failed ({e.Message}); the table above is its result", AnalyzeCommand.ExitFailed);
            }
            Console.WriteLine($"written: {Path.Combine(folder, "report.json")}, report.html, alerts.jsonl" + (counting is null ? "" : ", counting.json"));
            var failed = outcomes.Where(o => o.Error is not null).ToList();
            foreach (var f in failed) Console.Error.WriteLine($"error: {f.Clip.File}: {f.Error}");
            var uncounted = counting?.Rows.Where(r => r.Error is not null).ToList() ?? [];
            foreach (var r in uncounted) Console.Error.WriteLine($"error: {r.File} at {r.TimeS} s: {r.Error}");
            bool variantsFailed;
            try
            {
                variantsFailed = alterations.Count > 0 && !await EvaluateVariantsAsync(truthPath, file, scene, alterations, folder, report, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return AnalyzeCommand.Fail($"the altered copies could not be evaluated under {Path.Combine(folder, "variants")} ({e.Message})", AnalyzeCommand.ExitFailed);
            }
            return failed.Count == 0 && uncounted.Count == 0 && !variantsFailed ? AnalyzeCommand.ExitOk : AnalyzeCommand.ExitFailed;
        });
        return command;
    }

    /// <summary>
    /// Evaluates each altered copy of the clips in OUT/variants/NAME (its copies, truth.json, report.json,
    /// alerts.jsonl), then writes variants.json and prints TP/FP/FN per use case beside the original's.
    /// False when a copy could not be made or read.
    /// </summary>
    private static async Task<bool> EvaluateVariantsAsync(string truthPath, TruthFile file, SceneConfig scene, IReadOnlyList<FootageVariant> alterations,
        string folder, EvaluationReport original, CancellationToken ct)
    {
        var clipsFolder = Path.GetDirectoryName(Path.GetFullPath(truthPath))!;
        var reports = new List<(FootageVariant Variant, EvaluationReport Report)>();
        var ok = true;
        foreach (var variant in alterations)
        {
            var variantFolder = Directory.CreateDirectory(Path.Combine(folder, "variants", variant.Name)).FullName;
            var altered = FootageVariants.Apply(file, variant);
            var kept = new List<TruthClip>();
            for (int i = 0; i < file.Clips.Count; i++)
            {
                try
                {
                    var made = await FootageVariants.MakeCopyAsync(Path.Combine(clipsFolder, file.Clips[i].File),
                        Path.Combine(variantFolder, altered.Clips[i].File), variant, ct);
                    Console.WriteLine($"{variant.Name}: copy {i + 1}/{file.Clips.Count} of {file.Clips[i].File} {(made ? "made" : "kept from an earlier run")}");
                    kept.Add(altered.Clips[i]);
                }
                catch (VideoSourceException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    ok = false;
                }
            }
            altered = altered with { Clips = kept };
            var variantTruth = Path.Combine(variantFolder, "truth.json");
            GroundTruth.Save(altered, variantTruth);
            Console.WriteLine($"evaluating {kept.Count} {variant.Name} copies ({variant.Alteration})");
            var runs = await Evaluator.RunAsync(variantTruth, altered, scene, Console.WriteLine, new StderrLogger(), ct);
            var report = EvaluationReport.From(runs.Select(r => r.Outcome).ToList());
            reports.Add((variant, report));
            await WriteRunAsync(variantFolder, report, runs, ct);
            foreach (var f in runs.Where(r => r.Outcome.Error is not null))
            {
                Console.Error.WriteLine($"error: {variant.Name}: {f.Outcome.Clip.File}: {f.Outcome.Error}");
                ok = false;
            }
        }

        var summary = reports.ToDictionary(r => r.Variant.Name, r => new { alteration = r.Variant.Alteration, r.Report.Kinds, r.Report.FalseAlarmsPerHour });
        await File.WriteAllTextAsync(Path.Combine(folder, "variants.json"), JsonSerializer.Serialize(summary, Indented) + "\n", ct);
        var table = new Table().AddColumn("use case (TP/FP/FN)").AddColumn("original");
        foreach (var (variant, _) in reports) table.AddColumn(variant.Name);
        foreach (var kind in original.Kinds.Keys)
            table.AddRow([kind, Cell(original.Kinds[kind]), .. reports.Select(r => Cell(r.Report.Kinds[kind]))]);
        AnsiConsole.Write(table);
        Console.WriteLine($"written: {Path.Combine(folder, "variants.json")}, and each variant's copies and report under {Path.Combine(folder, "variants")}");
        return ok;

        static string Cell(KindScore s) => $"{s.Tp}/{s.Fp}/{s.Fn}";
    }

    /// <summary>The camera of the configuration that watches clips without a scene; a clear error when there is none of that name.</summary>
    private static CameraConfig CameraNamed(SceneConfig scene, string name, string? configPath)
    {
        if (configPath is null) throw new ArgumentException($"--camera {name}: the camera is looked up in --config, and no --config was given");
        return scene.Cameras.FirstOrDefault(c => c.Name == name)
            ?? throw new ArgumentException($"--camera {name}: {configPath} has no camera of that name "
                + (scene.Cameras.Count == 0 ? "(it has no camera)" : $"(its cameras: {string.Join(", ", scene.Cameras.Select(c => c.Name))})"));
    }

    private static readonly JsonSerializerOptions Indented = new(JsonLinesWriter.Options) { WriteIndented = true };

    /// <summary>report.json and alerts.jsonl of one evaluation.</summary>
    private static async Task WriteRunAsync(string folder, EvaluationReport report, IReadOnlyList<Evaluator.ClipRun> runs, CancellationToken ct)
    {
        await File.WriteAllTextAsync(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(report, Indented) + "\n", ct);
        using var alerts = new JsonLinesWriter(Path.Combine(folder, "alerts.jsonl"));
        foreach (var run in runs)
            foreach (var a in run.Alerts)
                alerts.Write(new { clip = run.Outcome.Clip.File, alert = EventLine.From(a) });
    }

    private static void PrintTable(EvaluationReport report)
    {
        static string F(double? v) => v is { } x ? x.ToString("0.00") : "-";
        var table = new Table().AddColumns("use case", "TP", "FP", "FN", "dup", "prec.", "recall", "F1", "med. delay s", "p95 s");
        foreach (var (kind, s) in report.Kinds)
            table.AddRow(kind, s.Tp.ToString(), s.Fp.ToString(), s.Fn.ToString(), s.Duplicates.ToString(), F(s.Precision), F(s.Recall),
                F(s.F1), F(s.MedianDelayS), F(s.P95DelayS));
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine($"{report.Clips} clips, {report.Hours * 60:0.0} min; false alarms per hour on negative footage: {F(report.FalseAlarmsPerHour)}");
    }
}
