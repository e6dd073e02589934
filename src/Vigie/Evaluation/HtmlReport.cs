using System.Globalization;
using System.Net;
using System.Text;
using ScottPlot;
using Vigie.Analytics;

namespace Vigie.Evaluation;

/// <summary>report.html: the figures of report.json with plots, readable without any tool.</summary>
public static class HtmlReport
{
    public static string Render(EvaluationReport report, IReadOnlyList<ClipOutcome> clips, string title, DateTimeOffset when,
        CountingReport? counting = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(Head(title));
        sb.AppendLine(inv, $"<p>{when:yyyy-MM-dd HH:mm} UTC — {report.Clips} clips, {report.Hours * 60:0.0} minutes of video. " +
                           $"False alarms per hour on negative footage: {Format(report.FalseAlarmsPerHour)}.</p>");
        sb.AppendLine("<p>An alert matches an event of the same kind when raised between the event's start minus 1 s and its end plus 2 s. " +
                      "Delay = alert time − annotated start.</p>");
        sb.AppendLine("<table><tr><th>use case</th><th>TP</th><th>FP</th><th>FN</th><th>duplicates</th><th>precision</th><th>recall</th><th>F1</th><th>median delay s</th><th>p95 delay s</th></tr>");
        foreach (var (kind, s) in report.Kinds)
            sb.AppendLine(inv, $"<tr><td>{kind}</td><td>{s.Tp}</td><td>{s.Fp}</td><td>{s.Fn}</td><td>{s.Duplicates}</td><td>{Format(s.Precision)}</td>" +
                               $"<td>{Format(s.Recall)}</td><td>{Format(s.F1)}</td><td>{Format(s.MedianDelayS)}</td><td>{Format(s.P95DelayS)}</td></tr>");
        sb.AppendLine("</table>");
        sb.AppendLine("<h2>Per use case</h2>");
        sb.AppendLine(Image(ScoresPlot(report), "precision, recall and F1 per use case"));
        sb.AppendLine("<h2>Detection delay</h2>");
        sb.AppendLine(Image(DelayPlot(clips), "delay of each true positive, per use case"));
        if (counting is not null) sb.AppendLine(CountingSection(counting));
        sb.AppendLine("<h2>Clips</h2>");
        foreach (var c in clips)
        {
            sb.AppendLine(inv, $"<h3>{WebUtility.HtmlEncode(c.Clip.File)}</h3>");
            if (c.Error is not null) sb.AppendLine(inv, $"<p class=\"err\">{WebUtility.HtmlEncode(c.Error)}</p>");
            sb.AppendLine(Image(TimelinePlot(c), $"timeline of {c.Clip.File}: annotated events and alerts"));
        }
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    private static string Format(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "–";

    /// <summary>The start of a self-contained report page, up to and including its title heading.</summary>
    private static string CountingSection(CountingReport counting)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine("<h2>People counting</h2>");
        sb.AppendLine(inv, $"<p>{counting.Frames} hand-counted frames; mean absolute error {Format(counting.MeanAbsoluteError)} people, " +
                           $"mean relative error {Format(counting.MeanRelativeError)}.</p>");
        sb.AppendLine("<table><tr><th>clip</th><th>time s</th><th>by hand</th><th>counted</th><th>error</th></tr>");
        foreach (var r in counting.Rows)
            sb.AppendLine(inv, $"<tr><td>{WebUtility.HtmlEncode(r.File)}</td><td>{r.TimeS:0.0}</td><td>{r.Truth:0}</td><td>{Format(r.Counted)}</td>" +
                               $"<td>{(r.Error is null ? Format(r.AbsoluteError) : WebUtility.HtmlEncode(r.Error))}</td></tr>");
        sb.AppendLine("</table>");
        return sb.ToString();
    }

    public static string Head(string title) =>
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title>" +
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}" +
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#eee}td:first-child{text-align:left}" +
        $".err{{color:#a00}}</style></head><body>\n<h1>{WebUtility.HtmlEncode(title)}</h1>";

    /// <summary>A plot embedded in the page as a PNG data URL, so the report is one file.</summary>
    public static string Image(Plot plot, string alt, int width = 900, int height = 320)
    {
        var png = plot.GetImageBytes(width, height, ImageFormat.Png);
        return $"<p><img alt=\"{WebUtility.HtmlEncode(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"></p>";
    }

    private static Plot ScoresPlot(EvaluationReport report)
    {
        var plot = new Plot();
        var kinds = EventKinds.All;
        var series = new (string Name, Func<KindScore, double?> Value, Color Colour)[]
        {
            ("precision", s => s.Precision, Colors.SteelBlue),
            ("recall", s => s.Recall, Colors.Orange),
            ("F1", s => s.F1, Colors.SeaGreen),
        };
        var bars = new List<Bar>();
        for (int k = 0; k < kinds.Count; k++)
            for (int s = 0; s < series.Length; s++)
                bars.Add(new Bar
                {
                    Position = k * 4 + s,
                    Value = series[s].Value(report.Kinds[kinds[k]]) ?? 0,
                    FillColor = series[s].Colour,
                });
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(kinds.Select((_, k) => k * 4 + 1.0).ToArray(), kinds.ToArray());
        plot.Axes.SetLimitsY(0, 1.05);
        for (int s = 0; s < series.Length; s++) plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = series[s].Colour });
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot DelayPlot(IReadOnlyList<ClipOutcome> clips)
    {
        var plot = new Plot();
        var kinds = EventKinds.All;
        for (int k = 0; k < kinds.Count; k++)
        {
            var delays = clips.SelectMany(c => c.Match.Alerts)
                .Where(a => a.Outcome == Outcome.TruePositive && a.Alert.Kind == kinds[k]).Select(a => a.DelayS!.Value).ToArray();
            if (delays.Length == 0) continue;
            var markers = plot.Add.Markers(delays.Select(_ => (double)k).ToArray(), delays);
            markers.MarkerSize = 8;
        }
        plot.Axes.Bottom.SetTicks(kinds.Select((_, k) => (double)k).ToArray(), kinds.ToArray());
        plot.Axes.SetLimitsX(-0.5, kinds.Count - 0.5);
        plot.YLabel("delay (s)");
        return plot;
    }

    private static Plot TimelinePlot(ClipOutcome c)
    {
        var plot = new Plot();
        var kinds = EventKinds.All;
        foreach (var (e, i) in c.Clip.Events.Select((e, i) => (e, i)))
        {
            var row = kinds.ToList().IndexOf(e.Kind);
            var end = e.EndS ?? c.DurationS;
            var rect = plot.Add.Rectangle(e.StartS, Math.Max(end, e.StartS + 0.1), row - 0.3, row + 0.3);
            rect.FillColor = Colors.LightGreen.WithAlpha(0.6);
            rect.LineColor = Colors.Green;
        }
        foreach (var a in c.Match.Alerts)
        {
            var row = kinds.ToList().IndexOf(a.Alert.Kind);
            var marker = plot.Add.Marker(a.Alert.RaisedS, row);
            marker.MarkerSize = 10;
            marker.Color = a.Outcome switch
            {
                Outcome.TruePositive => Colors.Blue,
                Outcome.Duplicate => Colors.Gray,
                _ => Colors.Red,
            };
        }
        plot.Axes.Left.SetTicks(kinds.Select((_, k) => (double)k).ToArray(), kinds.ToArray());
        plot.Axes.SetLimits(0, Math.Max(1, c.DurationS), -0.7, kinds.Count - 0.3);
        plot.XLabel("seconds (green: annotated; blue: matched alert; red: false alarm; grey: duplicate)");
        return plot;
    }
}
