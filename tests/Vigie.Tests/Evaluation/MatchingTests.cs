using Vigie.Analytics;
using Vigie.Evaluation;

namespace Vigie.Tests.Evaluation;

public class MatchingTests
{
    private static TruthEvent E(string kind, double start, double? end) => new(kind, start, end, null, null, null);
    private static AlertTime A(string kind, double t) => new(kind, t);

    [Fact]
    public void Alerts_match_within_one_second_before_and_two_after()
    {
        var events = new[] { E("fire", 10, 20) };
        Assert.Equal(Outcome.TruePositive, Matching.Match(events, [A("fire", 9.0)], 60).Alerts[0].Outcome);
        Assert.Equal(Outcome.FalsePositive, Matching.Match(events, [A("fire", 8.9)], 60).Alerts[0].Outcome);
        Assert.Equal(Outcome.TruePositive, Matching.Match(events, [A("fire", 22.0)], 60).Alerts[0].Outcome);
        Assert.Equal(Outcome.FalsePositive, Matching.Match(events, [A("fire", 22.1)], 60).Alerts[0].Outcome);
    }

    [Fact]
    public void An_open_ended_event_lasts_until_the_end_of_the_clip()
    {
        var m = Matching.Match([E("person_down", 5, null)], [A("person_down", 40)], clipEndS: 39);
        Assert.Equal(Outcome.TruePositive, m.Alerts[0].Outcome);
        Assert.Equal(35, m.Alerts[0].DelayS);
    }

    [Fact]
    public void The_first_alert_counts_and_later_ones_are_duplicates()
    {
        var m = Matching.Match([E("weapon", 0, 10)], [A("weapon", 3), A("weapon", 1), A("weapon", 5)], 30);
        Assert.Equal([Outcome.TruePositive, Outcome.Duplicate, Outcome.Duplicate], m.Alerts.Select(a => a.Outcome));
        Assert.Equal(1, m.Alerts[0].DelayS);
        Assert.Empty(m.MissedEvents);
    }

    [Fact]
    public void Kinds_never_cross_and_unmatched_events_are_misses()
    {
        var m = Matching.Match([E("intrusion", 5, 8), E("fire", 0, null)], [A("fire", 6)], 20);
        Assert.Equal(Outcome.TruePositive, Assert.Single(m.Alerts).Outcome);
        Assert.Equal([0], m.MissedEvents);
    }

    [Fact]
    public void Overlapping_events_of_one_kind_each_take_one_alert()
    {
        var m = Matching.Match([E("intrusion", 5, 20), E("intrusion", 6, 20)], [A("intrusion", 5.5), A("intrusion", 6.5)], 30);
        Assert.All(m.Alerts, a => Assert.Equal(Outcome.TruePositive, a.Outcome));
        Assert.Empty(m.MissedEvents);
    }

    [Fact]
    public void Report_computes_scores_delays_and_false_alarms_per_hour()
    {
        TruthClip Clip(string file, params TruthEvent[] events) => new(file, null, null, events);
        var positive = Clip("a.mp4", E("fire", 0, null), E("fire", 100, 110), E("intrusion", 10, 20));
        var negative = Clip("n.mp4");
        var outcomes = new[]
        {
            new ClipOutcome(positive, 200, Matching.Match(positive.Events, [A("fire", 1), A("fire", 105), A("fire", 150), A("intrusion", 12)], 200), null),
            new ClipOutcome(negative, 1800, Matching.Match(negative.Events, [A("fire", 10)], 1800), null),
        };
        var r = EvaluationReport.From(outcomes);
        Assert.Equal(2, r.Clips);
        Assert.Equal(2000 / 3600.0, r.Hours, 4);
        var fire = r.Kinds["fire"];
        // 150 s falls in the open-ended first fire: a duplicate. The negative clip's alert is the false positive.
        Assert.Equal((2, 1, 0, 1), (fire.Tp, fire.Fp, fire.Fn, fire.Duplicates));
        Assert.Equal(0.667, fire.Precision);
        Assert.Equal(1.0, fire.Recall);
        Assert.Equal(0.8, fire.F1);
        Assert.Equal(3, fire.MedianDelayS); // delays 1 and 5
        Assert.Equal(4.8, fire.P95DelayS);
        Assert.Equal(2, r.FalseAlarmsPerHour); // one alert in half an hour of negative footage
        Assert.Null(r.Kinds["weapon"].Precision);
        Assert.Equal(8, r.Kinds.Count);
    }

    [Fact]
    public void A_bad_ground_truth_file_names_each_problem()
    {
        var file = new TruthFile(1, [new TruthClip("x.mp4", null, null, [E("theft", 5, 2)])]);
        var errors = GroundTruth.Validate(file);
        Assert.Contains(errors, e => e.StartsWith("clips[0].events[0].kind: 'theft'"));
        Assert.Contains("clips[0].events[0].end_s: ends before it starts", errors);
    }

    private static TruthClip ZoneClip(IReadOnlyList<string> useCases, Dictionary<string, double> settings) => new("x.mp4", null,
        new TruthScene([new TruthZone("all", [[0, 0], [1, 0], [1, 1], [0, 1]], useCases, null, settings)], null, null), []);

    [Fact]
    public void Every_use_case_a_truth_zone_names_is_watched_there()
    {
        var zone = Assert.Single(Evaluator.CameraFor(ZoneClip(EventKinds.All.Where(k => k != "wrong_way").ToList(), [])).Zones).UseCases;
        Assert.All(new object?[] { zone.Intrusion, zone.CrowdDensity, zone.CrowdMovement, zone.AbandonedObject, zone.PersonDown, zone.Weapon, zone.Fire },
            Assert.NotNull);
        var unused = new List<string>();
        Assert.Null(Assert.Single(Evaluator.CameraFor(ZoneClip(["wrong_way"], []), unused.Add).Zones).UseCases.WrongWay);
        Assert.Equal(["scene.zones[0].allowed_direction: wrong_way needs [dx, dy]; zone 'all' is not watched for it"], unused);
        var errors = GroundTruth.Validate(new TruthFile(1, [ZoneClip(["falls"], [])]));
        Assert.Contains(errors, e => e.StartsWith("clips[0].scene.zones[0].use_cases: 'falls' is not one of"));
    }

    [Fact]
    public void Zone_params_of_a_truth_scene_set_the_use_cases_settings_of_the_same_name()
    {
        var zone = Assert.Single(Evaluator.CameraFor(ZoneClip(["crowd_movement", "crowd_density", "intrusion"],
            new() { ["warmup_s"] = 3, ["max_persons"] = 40, ["dwell_s"] = 2, ["min_people"] = 5 })).Zones).UseCases;
        Assert.Equal(3, zone.CrowdMovement!.WarmupS);
        Assert.Equal(5, zone.CrowdMovement.MinPeople);
        Assert.Equal(40, zone.CrowdDensity!.MaxPersons);
        // dwell_s is a setting of all three.
        Assert.Equal((2.0, 2.0, 2.0), (zone.CrowdMovement.DwellS, zone.CrowdDensity.DwellS, zone.Intrusion!.DwellS));
    }

    [Fact]
    public void A_zone_param_that_no_use_case_of_the_zone_has_is_reported_not_silently_dropped()
    {
        var file = new TruthFile(1, [ZoneClip(["crowd_movement"], new() { ["warmup"] = 3 }), ZoneClip(["intrusion"], new() { ["max_persons"] = 3 }),
            ZoneClip(["crowd_movement"], new() { ["min_people"] = 2.5, ["warmup_s"] = 4 })]);
        Assert.Empty(GroundTruth.Validate(file)); // the evaluation still runs, without them
        var unused = GroundTruth.Unused(file);
        Assert.Contains("clips[0].scene.zones[0].params.warmup: no use case of zone 'all' (crowd_movement) has a number setting of that name (see docs/CONFIG.md); ignored", unused);
        Assert.Contains(unused, e => e.StartsWith("clips[1].scene.zones[0].params.max_persons: no use case of zone 'all' (intrusion)"));
        Assert.Contains(unused, e => e.StartsWith("clips[2].scene.zones[0].params.min_people:")); // a count of people is whole
        Assert.Equal(3, unused.Count);
    }

    [Fact]
    public void The_shared_ground_truth_loads_with_its_scenes()
    {
        var truth = GroundTruth.Load(TestPaths.Clip("ground_truth.json"));
        Assert.True(truth.Clips.Count >= 16);
        var intrusion = truth.Clips.Single(c => c.File == "intrusion/table_zone_one_by_one.mp4");
        var camera = Evaluator.CameraFor(intrusion);
        Assert.NotNull(Assert.Single(camera.Zones).UseCases.Intrusion);
        Assert.Contains(truth.Clips, c => c.IsNegative);
    }
}
