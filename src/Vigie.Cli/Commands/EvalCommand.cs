using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Vigie.Alerts;
using Vigie.Cli.Terminal;
using Vigie.Config;
using Vigie.Evaluation;

namespace Vigie.Cli.Commands;

/// <summary>`vigie eval`: per-use-case precision, recall, delay and false alarms on annotated footage.</summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var truth = new Option<string>("--truth") { Description = "Ground-truth file (format: docs/GROUND_TRUTH.md); clip paths are relative to it.", Required = true };
        var config = new Option<string?>("--config", "-c") { Description = "Analysis, detector and tracker settings (its cameras are ignored: each clip's scene comes from the truth file)." };
        var model = new Option<string?>("--model", "-m") { Description = "ONNX detector (implies detector type onnx)." };
        var format = new Option<string?>("--format") { Description = "Output format of --model: yolox, deimv2, rtmdet, picodet or nanodet." };
        var output = new Option<string>("--out", "-o") { Description = "Folder for report.json, report.html and alerts.jsonl.", Required = true };
        var counts = new Option<string?>("--counts") { Description = "Frames counted by hand (format: docs/GROUND_TRUTH.md; clip paths relative to the truth file): also measure the people-counting error, written to counting.json." };
        var command = new Command("eval", "Evaluate every use case on annotated clips: TP, FP, misses, precision, recall, F1, delays, false alarms per hour.")
        {
            truth, config, model, format, output, counts,
        };
        command.SetAction(async (parse, ct) =>
        {
            SceneConfig scene;
            TruthFile file;
            HandCountFile? handCounts = null;
            var truthPath = parse.GetValue(truth)!;
            try
            {
                scene = AnalyzeCommand.LoadConfig(parse.GetValue(config), parse.GetValue(model), parse.GetValue(format), null);
                file = GroundTruth.Load(truthPath);
                if (parse.GetValue(counts) is { } countsPath) handCounts = PeopleCounting.Load(countsPath);
            }
            catch (Exception e) when (e is ConfigException or InvalidDataException)
            {
                return AnalyzeCommand.Fail(e.Message, AnalyzeCommand.ExitBadInput);
            }
            var folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
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

            var jsonOptions = new JsonSerializerOptions(JsonLinesWriter.Options) { WriteIndented = true };
            await File.WriteAllTextAsync(Path.Combine(folder, "report.json"), JsonSerializer.Serialize(report, jsonOptions) + "\n", ct);
            await File.WriteAllTextAsync(Path.Combine(folder, "report.html"),
                HtmlReport.Render(report, outcomes, $"Vigie evaluation — {Path.GetFileName(truthPath)}", DateTimeOffset.UtcNow, counting), ct);
            if (counting is not null)
                await File.WriteAllTextAsync(Path.Combine(folder, "counting.json"), JsonSerializer.Serialize(counting, jsonOptions) + "\n", ct);
            using (var alerts = new JsonLinesWriter(Path.Combine(folder, "alerts.jsonl")))
                foreach (var run in runs)
                    foreach (var a in run.Alerts)
                        alerts.Write(new { clip = run.Outcome.Clip.File, alert = EventLine.From(a) });

            PrintTable(report);
            if (counting is not null)
                AnsiConsole.WriteLine($"people counting: {counting.Frames} hand-counted frames, mean absolute error {counting.MeanAbsoluteError?.ToString("0.0") ?? "-"} people, " +
                                      $"mean relative error {counting.MeanRelativeError?.ToString("P0") ?? "-"}");
            Console.WriteLine($"written: {Path.Combine(folder, "report.json")}, report.html, alerts.jsonl" + (counting is null ? "" : ", counting.json"));
            var failed = outcomes.Where(o => o.Error is not null).ToList();
            foreach (var f in failed) Console.Error.WriteLine($"error: {f.Clip.File}: {f.Error}");
            var uncounted = counting?.Rows.Where(r => r.Error is not null).ToList() ?? [];
            foreach (var r in uncounted) Console.Error.WriteLine($"error: {r.File} at {r.TimeS} s: {r.Error}");
            return failed.Count == 0 && uncounted.Count == 0 ? AnalyzeCommand.ExitOk : AnalyzeCommand.ExitFailed;
        });
        return command;
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
