using Microsoft.Extensions.Logging.Abstractions;
using Vigie.Analytics;
using Vigie.Cli.Commands;
using Vigie.Config;
using Vigie.Pipeline;
using Vigie.Tracking;

namespace Vigie.Tests.Pipeline;

/// <summary>
/// One use case's bug must not blind a camera's others: a rule that throws is reported once, with the
/// moment and the error, and stopped; the other rules of the run give exactly what they give alone.
/// The synthetic sample (two walkers, a forbidden zone and a barrier line) with the motion detector.
/// </summary>
public class RuleFailureTests
{
    /// <summary>A rule with a bug that shows on its fifteenth frame, and again when it is closed.</summary>
    private sealed class BuggyRule : IEventRule
    {
        public int Updates;

        public string UseCase => "buggy";

        public IReadOnlyList<EventChange> Update(SceneState state) =>
            ++Updates == 15 ? throw new IndexOutOfRangeException("a bug") : [];

        public IReadOnlyList<EventChange> Flush(TimeSpan end) => throw new InvalidOperationException("closing a broken rule");
    }

    private sealed class Events : IAnalysisObserver
    {
        public readonly List<EventChange> Changes = [];
        public readonly List<RuleFailure> Failures = [];
        public readonly List<TimeSpan> Frames = [];

        public void OnEvent(EventChange change) => Changes.Add(change);
        public void OnRuleFailed(RuleFailure failure) => Failures.Add(failure);
        public void OnFrameAnalysed(AnalysedFrame frame) => Frames.Add(frame.Frame.Timestamp);
    }

    private static async Task<(AnalysisResult Result, Events Seen)> Analyse(string folder, params IEventRule[] extra)
    {
        var config = ConfigLoader.LoadFile(Path.Combine(folder, "synthetic.yaml"));
        await using var prepared = await AnalysisSetup.PrepareAsync(new AnalysisRequest(null, config), NullLogger.Instance);
        var rules = SceneCompiler.Rules(prepared.Camera, TimeZoneInfo.Utc, peopleDetected: false).Concat(extra).ToList();
        var pipeline = new AnalysisPipeline(prepared.Source, [prepared.Detector], new ByteTracker(), rules, prepared.Camera.Name,
            prepared.Clock, NullLogger.Instance);
        var seen = new Events();
        return (await pipeline.RunAsync(seen, CancellationToken.None), seen);
    }

    [Fact]
    public async Task A_rule_that_throws_is_reported_and_stopped_and_the_other_rules_give_what_they_give_alone()
    {
        var folder = TestPaths.TempFolder();
        SampleCommand.Write(folder);

        var (alone, aloneSeen) = await Analyse(folder);
        var buggy = new BuggyRule();
        var (withBug, seen) = await Analyse(folder, buggy);

        static List<string> Described(Events e) => e.Changes.Select(c => $"{c.Event.Kind} {c.Event.Where} {c.Event.Start} {c.Event.End} {c.Closed}").ToList();
        Assert.Equal(2, aloneSeen.Changes.Count(c => c.Closed)); // the zone and the line, as the sample's truth says
        Assert.Equal(Described(aloneSeen), Described(seen));
        Assert.Equal(alone.FramesAnalysed, withBug.FramesAnalysed);
        Assert.Empty(alone.RuleFailures);
        Assert.Null(alone.Problem);

        Assert.Equal(15, buggy.Updates); // never called again after its failure
        var failure = Assert.Single(withBug.RuleFailures);
        Assert.Equal(failure, Assert.Single(seen.Failures)); // the closing's second error is not a second failure
        Assert.Equal("buggy", failure.UseCase);
        Assert.Equal(seen.Frames[14], failure.At);
        Assert.IsType<IndexOutOfRangeException>(failure.Error);
        Assert.Contains("the buggy rule failed at", withBug.Problem);
        Assert.Contains("a bug", withBug.Problem);
    }
}
