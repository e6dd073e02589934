using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tracking;

/// <summary>
/// ByteTrack-style multi-object tracker for one camera: Kalman prediction, a first association of
/// high-score detections with all live tracks, a second of low-score detections with the tracks still
/// unmatched (occluded people often score low), a lost-track buffer measured in seconds.
/// People, weapons, animals and motion blobs are associated only with their own kind; vehicles, bags and
/// other objects with one another (see <see cref="Associable"/>). Overlap alone cannot follow what moves more
/// than its own width between two analysed frames (a runner at 5 frames/s covers about 1.5 widths), so
/// a track seen on the previous frame that found no overlapping detection may take the nearest leftover
/// one of its category and size within the distance a sprinter covers in that time (one of its heights
/// at 5 frames/s). A box that changes shape at once defeats both: someone falling goes from tall to wide
/// in a fraction of a second, the filter predicts them further down, and the detector, unused to the
/// pose, scores them low and new tracks need a high score. So a track lost for at most half a second may
/// take a leftover detection too weak to start a track of its own: one the detector reports (at its own
/// threshold) of a like area lying mostly within where the track was last seen or mostly covering it, or
/// a weaker one overlapping that place closely.
/// </summary>
public sealed class ByteTracker
{
    private enum State { Tentative, Tracked, Lost }

    private sealed class Candidate(int id, Detection detection, TimeSpan time)
    {
        public int Id { get; } = id;
        public KalmanBoxFilter Filter { get; } = new(detection.Box);
        public State State { get; set; } = State.Tentative;
        public Detection Last { get; set; } = detection;
        public TimeSpan FirstSeen { get; } = time;
        public TimeSpan LastSeen { get; set; } = time;
        public TimeSpan LastPredicted { get; set; } = time;
        public Queue<TimedBox> History { get; } = new([new TimedBox(time, detection.Box)]);
        public Dictionary<(string Label, Category Category), float> LabelVotes { get; } = new() { [(detection.Label, detection.Category)] = detection.Score };
    }

    private readonly TrackerOptions _options;
    private readonly List<Candidate> _tracks = [];
    private int _nextId = 1;
    private bool _firstFrame = true;
    private TimeSpan? _previousTime;

    // How fast a track may jump between consecutive frames, in its own heights per second (a sprint is about 4),
    // and how far whatever the frame interval: beyond that, sparse frames would join strangers.
    private const double MaxJumpHeightsPerSecond = 5;
    private const double MaxJumpHeights = 2;
    // How much a box may grow or shrink in such a jump: a far person and a near one are not one runner.
    private const double MaxJumpSizeRatio = 1.5;

    public ByteTracker(TrackerOptions? options = null) => _options = options ?? new TrackerOptions();

    /// <summary>Whether the frames' view motion should be measured and given to <see cref="Update"/>.</summary>
    public bool FollowsCamera => _options.FollowCamera;

    /// <param name="view">How the camera's view moved since the previous frame, when it did: every track moves with it first.</param>
    public TrackerUpdate Update(IReadOnlyList<Detection> detections, TimeSpan time, ViewShift? view = null)
    {
        foreach (var t in _tracks)
        {
            if (view is { } v) Follow(t, v);
            t.Filter.Predict((time - t.LastPredicted).TotalSeconds);
            t.LastPredicted = time;
        }
        var high = detections.Where(d => d.Score >= _options.HighThreshold).ToList();
        var low = detections.Where(d => d.Score >= _options.LowThreshold && d.Score < _options.HighThreshold).ToList();
        var matched = new HashSet<Candidate>();

        // 1. High-score detections against confirmed and lost tracks.
        var pool = _tracks.Where(t => t.State != State.Tentative).ToList();
        var (pairs, unmatchedHigh) = Associate(pool, high, Overlap, 1 - _options.MatchIou);
        foreach (var (t, d) in pairs) Confirm(t, d, time, matched);

        // 2. Low-score detections against tracks that were being followed and are still unmatched.
        var remaining = pool.Where(t => !matched.Contains(t) && t.State == State.Tracked).ToList();
        var (lowPairs, _) = Associate(remaining, low, Overlap, 1 - _options.LowMatchIou);
        foreach (var (t, d) in lowPairs) Confirm(t, d, time, matched);

        // 3. Tentative tracks (seen once) against what is left of the high-score detections.
        var tentative = _tracks.Where(t => t.State == State.Tentative).ToList();
        var (tentPairs, leftover) = Associate(tentative, unmatchedHigh, Overlap, 1 - _options.MatchIou);
        foreach (var (t, d) in tentPairs) Confirm(t, d, time, matched);

        // 4. Fast movers: tracks seen on the previous frame and still unmatched, against the leftover high-score detections by distance.
        var movers = _tracks.Where(t => !matched.Contains(t) && t.LastSeen == _previousTime).ToList();
        var reach = _previousTime is { } before ? Math.Min(MaxJumpHeights, MaxJumpHeightsPerSecond * (time - before).TotalSeconds) : 0;
        var (jumps, stillUnmatched) = Associate(movers, leftover, Jump, reach);
        foreach (var (t, d) in jumps) Confirm(t, d, time, matched);

        // 5. Tracks lost moments ago (falling, changing shape) against the leftover detections at their last place:
        // one the detector reports, mostly within or over that place; a weak one, overlapping it as closely as
        // the second stage asks (the filter, thrown by the sudden change, predicts them elsewhere).
        // Only detections that could not start a track of their own: a confident one starts its own.
        Recover(d => d.Score >= _options.RecoverThreshold && d.Score < _options.NewTrackThreshold, SharedOfSmaller, 1 - MinSharedOfSmaller);
        Recover(d => d.Score < _options.NewTrackThreshold, Overlap, 1 - _options.LowMatchIou);
        stillUnmatched = stillUnmatched.Where(d => !Taken(d, matched)).ToList();

        void Recover(Func<Detection, bool> eligible, Func<Box, Box, double> cost, double maxCost)
        {
            var recent = _tracks.Where(t => !matched.Contains(t) && t.State != State.Tentative && time - t.LastSeen <= _options.RecoverWithin).ToList();
            var found = stillUnmatched.Concat(low).Where(d => eligible(d) && !Taken(d, matched)).ToList();
            var (recovered, _) = Associate(recent, found, cost, maxCost, t => t.Last.Box);
            foreach (var (t, d) in recovered) Confirm(t, d, time, matched);
        }

        var ended = new List<Track>();
        foreach (var t in _tracks.ToList())
        {
            if (matched.Contains(t)) continue;
            if (t.State == State.Tentative)
            {
                _tracks.Remove(t); // a single detection that never repeated: noise, not an object
                continue;
            }
            t.State = State.Lost;
            if (time - t.LastSeen > _options.LostBuffer)
            {
                _tracks.Remove(t);
                ended.Add(ToTrack(t));
            }
        }

        foreach (var d in stillUnmatched.Where(d => d.Score >= _options.NewTrackThreshold))
        {
            var c = new Candidate(_nextId++, d, time);
            // On the very first frame there is no history to confirm against: start tracks at once.
            if (_firstFrame) c.State = State.Tracked;
            _tracks.Add(c);
        }
        _firstFrame = false;
        _previousTime = time;

        var visible = _tracks.Where(t => t.State == State.Tracked && t.LastSeen == time).Select(ToTrack).ToList();
        var lost = _tracks.Where(t => t.State == State.Lost).Select(ToTrack).ToList();
        return new TrackerUpdate(time, visible, ended, lost);
    }

    /// <summary>Ends every live track, e.g. when the source ends.</summary>
    public IReadOnlyList<Track> Flush()
    {
        var ended = _tracks.Where(t => t.State != State.Tentative).Select(ToTrack).ToList();
        _tracks.Clear();
        return ended;
    }

    private void Confirm(Candidate t, Detection d, TimeSpan time, HashSet<Candidate> matched)
    {
        t.Filter.Update(d.Box);
        t.Last = d;
        t.LastSeen = time;
        t.State = State.Tracked;
        t.History.Enqueue(new TimedBox(time, d.Box));
        while (t.History.Count > 2 && time - t.History.Peek().Time > _options.HistoryLength) t.History.Dequeue();
        t.LabelVotes[(d.Label, d.Category)] = t.LabelVotes.GetValueOrDefault((d.Label, d.Category)) + d.Score;
        matched.Add(t);
    }

    /// <summary>
    /// A track where its object is seen after the view moved: its filter, its last box and its past (the rules compare
    /// past and present boxes, and a pan would otherwise read as everyone walking the other way, a tilt as a fall).
    /// </summary>
    private static void Follow(Candidate t, ViewShift view)
    {
        t.Filter.Follow(view);
        t.Last = t.Last with { Box = view.Apply(t.Last.Box) };
        var past = t.History.Select(h => h with { Box = view.Apply(h.Box) }).ToList();
        t.History.Clear();
        foreach (var h in past) t.History.Enqueue(h);
    }

    private static double Overlap(Box predicted, Box detected) => 1 - predicted.IoU(detected);

    /// <summary>
    /// People are only ever followed as people (and weapons, animals, moving blobs as themselves); vehicles,
    /// bags and other objects may be one another from frame to frame, as a small model seeing a car from
    /// above calls it a bus, then a suitcase, then a cell phone: one thing, named by its votes.
    /// </summary>
    private static bool Associable(Category track, Category detection) => track == detection || (IsThing(track) && IsThing(detection));

    private static bool IsThing(Category c) => c is Category.Vehicle or Category.Bag or Category.Other;

    // Half of the smaller box within the other: a fallen person's box lies largely inside where they stood.
    private const double MinSharedOfSmaller = 0.5;

    // Standing and lying, one person's box keeps roughly its area; a near person's box around a far one's does not.
    private const double MaxAreaRatio = 3;

    private static double SharedOfSmaller(Box last, Box detected)
    {
        var smaller = Math.Max(Math.Min(last.Area, detected.Area), 1e-6);
        if (Math.Max(last.Area, detected.Area) > MaxAreaRatio * smaller) return double.PositiveInfinity;
        return 1 - last.IntersectionArea(detected) / smaller;
    }

    private static bool Taken(Detection d, HashSet<Candidate> matched) => matched.Any(t => ReferenceEquals(t.Last, d));

    /// <summary>Distance between centres in the predicted box's heights; infinite between boxes of very different sizes.</summary>
    private static double Jump(Box predicted, Box detected)
    {
        var ratio = detected.Height / Math.Max(predicted.Height, 1e-3f);
        if (ratio > MaxJumpSizeRatio || ratio < 1 / MaxJumpSizeRatio) return double.PositiveInfinity;
        return (detected.Center - predicted.Center).Length / Math.Max(predicted.Height, 1e-3f);
    }

    /// <param name="from">The box of a track the detections are compared with: by default the filter's prediction.</param>
    private static (List<(Candidate, Detection)> Pairs, List<Detection> Unmatched) Associate(
        List<Candidate> tracks, List<Detection> detections, Func<Box, Box, double> cost, double maxCost, Func<Candidate, Box>? from = null)
    {
        var costs = new double[tracks.Count, detections.Count];
        for (int i = 0; i < tracks.Count; i++)
        {
            var predicted = from?.Invoke(tracks[i]) ?? tracks[i].Filter.Box;
            for (int j = 0; j < detections.Count; j++)
                costs[i, j] = !Associable(tracks[i].Last.Category, detections[j].Category)
                    ? double.PositiveInfinity
                    : cost(predicted, detections[j].Box);
        }
        var assignment = LinearAssignment.Solve(costs, maxCost);
        var pairs = assignment.Select(p => (tracks[p.Row], detections[p.Col])).ToList();
        var used = assignment.Select(p => p.Col).ToHashSet();
        var unmatched = detections.Where((_, j) => !used.Contains(j)).ToList();
        return (pairs, unmatched);
    }

    private static Track ToTrack(Candidate t)
    {
        var (label, category) = t.LabelVotes.MaxBy(kv => kv.Value).Key;
        // The measured box, not the filtered one, is what the rules and outputs should show.
        return new Track(t.Id, t.Last.Box, category, label, t.Last.Score, t.FirstSeen, t.LastSeen,
            t.Filter.Velocity, t.History.ToArray());
    }
}
