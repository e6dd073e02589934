using Vigie.Analytics;

namespace Vigie.Evaluation;

/// <summary>An alert as the evaluation sees it: its kind and when it was raised, in seconds from the clip start.</summary>
public sealed record AlertTime(string Kind, double RaisedS);

public enum Outcome { TruePositive, Duplicate, FalsePositive }

public sealed record MatchedAlert(AlertTime Alert, Outcome Outcome, int? EventIndex, double? DelayS);

public sealed record ClipMatch(IReadOnlyList<MatchedAlert> Alerts, IReadOnlyList<int> MissedEvents);

/// <summary>
/// Matches a clip's alerts to its annotated events. An alert matches an event of the same kind when
/// raised between the event's start minus 1 s and its end plus 2 s (end of the clip when open-ended).
/// The first alert of an event counts; later ones for the same event are duplicates; alerts matching
/// no event are false positives. Pure: no video involved.
/// </summary>
public static class Matching
{
    public const double EarlyToleranceS = 1;
    public const double LateToleranceS = 2;

    public static ClipMatch Match(IReadOnlyList<TruthEvent> events, IReadOnlyList<AlertTime> alerts, double clipEndS)
    {
        var matched = new bool[events.Count];
        var result = new List<MatchedAlert>();
        foreach (var alert in alerts.OrderBy(a => a.RaisedS))
        {
            var candidates = Enumerable.Range(0, events.Count)
                .Where(i => events[i].Kind == alert.Kind
                            && alert.RaisedS >= events[i].StartS - EarlyToleranceS
                            && alert.RaisedS <= (events[i].EndS ?? clipEndS) + LateToleranceS)
                .OrderBy(i => matched[i]).ThenBy(i => events[i].StartS)
                .ToList();
            if (candidates.Count == 0)
            {
                result.Add(new MatchedAlert(alert, Outcome.FalsePositive, null, null));
                continue;
            }
            var chosen = candidates[0];
            if (matched[chosen])
            {
                result.Add(new MatchedAlert(alert, Outcome.Duplicate, chosen, null));
                continue;
            }
            matched[chosen] = true;
            result.Add(new MatchedAlert(alert, Outcome.TruePositive, chosen, alert.RaisedS - events[chosen].StartS));
        }
        var missed = Enumerable.Range(0, events.Count).Where(i => !matched[i]).ToList();
        return new ClipMatch(result, missed);
    }
}

/// <summary>Figures for one use case over a whole evaluation.</summary>
public sealed record KindScore(int Tp, int Fp, int Fn, int Duplicates, double? Precision, double? Recall, double? F1,
    double? MedianDelayS, double? P95DelayS);

public sealed record ClipOutcome(TruthClip Clip, double DurationS, ClipMatch Match, string? Error);

/// <summary>The report written to report.json; its shape is read by other tools.</summary>
public sealed record EvaluationReport(int Clips, double Hours, IReadOnlyDictionary<string, KindScore> Kinds, double? FalseAlarmsPerHour)
{
    public static EvaluationReport From(IReadOnlyList<ClipOutcome> clips)
    {
        var kinds = new Dictionary<string, KindScore>();
        foreach (var kind in EventKinds.All)
        {
            int tp = 0, fp = 0, fn = 0, dup = 0;
            var delays = new List<double>();
            foreach (var c in clips)
            {
                foreach (var a in c.Match.Alerts.Where(a => a.Alert.Kind == kind))
                {
                    switch (a.Outcome)
                    {
                        case Outcome.TruePositive: tp++; delays.Add(a.DelayS!.Value); break;
                        case Outcome.Duplicate: dup++; break;
                        default: fp++; break;
                    }
                }
                fn += c.Match.MissedEvents.Count(i => c.Clip.Events[i].Kind == kind);
            }
            double? precision = tp + fp > 0 ? (double)tp / (tp + fp) : null;
            double? recall = tp + fn > 0 ? (double)tp / (tp + fn) : null;
            double? f1 = precision is { } p && recall is { } r ? (p + r > 0 ? 2 * p * r / (p + r) : 0) : null;
            kinds[kind] = new KindScore(tp, fp, fn, dup, Round(precision), Round(recall), Round(f1),
                Round(Percentile(delays, 0.5)), Round(Percentile(delays, 0.95)));
        }
        var negative = clips.Where(c => c.Clip.IsNegative).ToList();
        var negativeHours = negative.Sum(c => c.DurationS) / 3600;
        var negativeAlerts = negative.Sum(c => c.Match.Alerts.Count);
        return new EvaluationReport(clips.Count, Math.Round(clips.Sum(c => c.DurationS) / 3600, 5), kinds,
            negativeHours > 0 ? Math.Round(negativeAlerts / negativeHours, 2) : null);
    }

    /// <summary>Linear-interpolated percentile; null for no values.</summary>
    public static double? Percentile(IReadOnlyList<double> values, double q)
    {
        if (values.Count == 0) return null;
        var sorted = values.Order().ToArray();
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    private static double? Round(double? v) => v is { } x ? Math.Round(x, 3) : null;
}
