using System.Globalization;
using System.Net;
using System.Text;
using ScottPlot;
using Vigie.Analytics;
using Vigie.Evaluation;
using Vigie.Service.Storage;

namespace Vigie.Service.Governance;

/// <summary>One use case's outcome as the operators judged it.</summary>
public sealed record ReviewedKind(
    string Kind,
    long Alerts,
    long Confirmed,
    long Dismissed,
    long Unreviewed,
    IReadOnlyDictionary<string, long> DismissedBy,
    double? Precision);

/// <summary>The evaluation report built from operators' reviews over a period: per use case, how many alerts were right.</summary>
public sealed record ReviewReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ReviewedKind> Kinds)
{
    /// <summary>Precision = confirmed / (confirmed + dismissed); unreviewed alerts count in neither.</summary>
    public static ReviewReport Build(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<AlertCount> counts) => new(from, to,
        EventKinds.All.Select(kind =>
        {
            var of = counts.Where(c => c.Kind == kind).ToList();
            long Sum(string status) => of.Where(c => c.Status == status).Sum(c => c.Alerts);
            var confirmed = Sum(ReviewStatus.Confirmed);
            var dismissed = Sum(ReviewStatus.Dismissed);
            var reasons = of.Where(c => c.Status == ReviewStatus.Dismissed).GroupBy(c => c.Reason).OrderBy(g => g.Key, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Sum(c => c.Alerts));
            return new ReviewedKind(kind, of.Sum(c => c.Alerts), confirmed, dismissed, Sum(ReviewStatus.New), reasons, Precision(confirmed, dismissed));
        }).ToList());

    /// <summary>The share of reviewed alerts that operators confirmed; null before any review.</summary>
    public static double? Precision(long confirmed, long dismissed) =>
        confirmed + dismissed > 0 ? Math.Round((double)confirmed / (confirmed + dismissed), 3) : null;

    public string ToHtml(DateTimeOffset generated)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(HtmlReport.Head($"Vigie — review report {From:yyyy-MM-dd} to {To:yyyy-MM-dd}"));
        sb.AppendLine(inv, $"<p>Generated {generated:yyyy-MM-dd HH:mm} UTC from the operators' decisions. Precision = confirmed / (confirmed + dismissed); " +
                           $"alerts not yet reviewed count in neither. Months older than the retention period come from the monthly counts kept by the purge.</p>");
        sb.AppendLine("<table><tr><th>use case</th><th>alerts</th><th>confirmed</th><th>dismissed</th><th>not reviewed</th><th>precision</th><th>dismissed by reason</th></tr>");
        foreach (var k in Kinds)
        {
            var precision = k.Precision?.ToString("0.000", inv) ?? "–";
            sb.AppendLine(inv, $"<tr><td>{k.Kind}</td><td>{k.Alerts}</td><td>{k.Confirmed}</td><td>{k.Dismissed}</td><td>{k.Unreviewed}</td>" +
                               $"<td>{precision}</td><td>{WebUtility.HtmlEncode(string.Join(", ", k.DismissedBy.Select(r => $"{r.Key} {r.Value}")))}</td></tr>");
        }
        sb.AppendLine("</table><h2>Decisions per use case</h2>");
        sb.AppendLine(HtmlReport.Image(DecisionsPlot(), "confirmed, dismissed and unreviewed alerts per use case", 900, 340));
        sb.AppendLine("<h2>Why alerts were dismissed</h2>");
        sb.AppendLine(HtmlReport.Image(ReasonsPlot(), "dismissed alerts per reason, all use cases", 900, 340));
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }

    private Plot DecisionsPlot()
    {
        var plot = new Plot();
        var series = new (string Name, Func<ReviewedKind, long> Value, Color Colour)[]
        {
            ("confirmed", k => k.Confirmed, Colors.SeaGreen),
            ("dismissed", k => k.Dismissed, Colors.IndianRed),
            ("not reviewed", k => k.Unreviewed, Colors.Gray),
        };
        var bars = new List<Bar>();
        for (int k = 0; k < Kinds.Count; k++)
            for (int s = 0; s < series.Length; s++)
                bars.Add(new Bar { Position = k * 4 + s, Value = series[s].Value(Kinds[k]), FillColor = series[s].Colour });
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks(Kinds.Select((_, k) => k * 4 + 1.0).ToArray(), Kinds.Select(k => k.Kind).ToArray());
        foreach (var s in series) plot.Legend.ManualItems.Add(new LegendItem { LabelText = s.Name, FillColor = s.Colour });
        plot.ShowLegend(Edge.Right);
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    private Plot ReasonsPlot()
    {
        var plot = new Plot();
        var reasons = DismissReasons.All;
        var values = reasons.Select(r => (double)Kinds.Sum(k => k.DismissedBy.GetValueOrDefault(r))).ToArray();
        plot.Add.Bars(values);
        plot.Axes.Bottom.SetTicks(reasons.Select((_, i) => (double)i).ToArray(), reasons.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 30;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.Margins(bottom: 0);
        return plot;
    }
}

/// <summary>One month of one use case on the public page: counts only, nothing about any person or image.</summary>
public sealed record PublicMonth(string Month, string Kind, long Alerts, long Confirmed, long Dismissed, double? ConfirmationRate);

public sealed record PublicAuthorisation(string Reference, string Authority, DateOnly ActDate, IReadOnlyList<string> UseCases, DateTimeOffset Starts,
    DateTimeOffset Ends, string Perimeter, bool InForce);

public sealed record PublicCamera(string Name, IReadOnlyList<string> UseCasesInForce, IReadOnlyList<PublicAuthorisation> Authorisations);

/// <summary>What the public page shows: cameras under VSA, their authorisations, and monthly alert figures.</summary>
/// <param name="TimeZone">The site's clock (IANA name), on which the page shows dates; null: the reader's own. Months are UTC months.</param>
public sealed record Transparency(DateTimeOffset Generated, string? TimeZone, IReadOnlyList<PublicCamera> Cameras, IReadOnlyList<PublicMonth> Months)
{
    public static Transparency Build(DateTimeOffset now, string? timeZone, IReadOnlyCollection<string> cameras, IReadOnlyList<Authorisation> authorisations,
        IReadOnlyList<AlertCount> counts)
    {
        var publicCameras = cameras.Order(StringComparer.Ordinal).Select(camera =>
        {
            var acts = authorisations.Where(a => a.Revoked is null && a.Cameras.Contains(camera) && a.Ends > now.AddMonths(-12))
                .Select(a => new PublicAuthorisation(a.Reference, a.Authority, a.ActDate, a.UseCases, a.Starts, a.Ends, a.Perimeter, a.InForce(now)))
                .ToList();
            var inForce = acts.Where(a => a.InForce).SelectMany(a => a.UseCases).Distinct().Order(StringComparer.Ordinal).ToList();
            return new PublicCamera(camera, inForce, acts);
        }).Where(c => c.Authorisations.Count > 0).ToList();
        var months = counts.GroupBy(c => (c.Month, c.Kind)).OrderByDescending(g => g.Key.Month).ThenBy(g => g.Key.Kind, StringComparer.Ordinal)
            .Select(g =>
            {
                var confirmed = g.Where(c => c.Status == ReviewStatus.Confirmed).Sum(c => c.Alerts);
                var dismissed = g.Where(c => c.Status == ReviewStatus.Dismissed).Sum(c => c.Alerts);
                return new PublicMonth(g.Key.Month, g.Key.Kind, g.Sum(c => c.Alerts), confirmed, dismissed, ReviewReport.Precision(confirmed, dismissed));
            }).ToList();
        return new Transparency(now, timeZone, publicCameras, months);
    }
}
