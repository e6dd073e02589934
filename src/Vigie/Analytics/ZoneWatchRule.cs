namespace Vigie.Analytics;

/// <summary>One zone's (or line's) share of a rule: its own state, updated every frame, closed at the end.</summary>
public interface IZoneWatch
{
    void Update(SceneState state, List<EventChange> changes);

    void Close(List<EventChange> changes);
}

/// <summary>A rule made of independent watches, one per zone or line: each is updated, then closed when the source ends.</summary>
public abstract class ZoneWatchRule(IEnumerable<IZoneWatch> watches) : IEventRule
{
    private readonly List<IZoneWatch> _watches = watches.ToList();

    public abstract string UseCase { get; }

    public IReadOnlyList<EventChange> Update(SceneState state)
    {
        var changes = new List<EventChange>();
        foreach (var w in _watches) w.Update(state, changes);
        return changes;
    }

    public IReadOnlyList<EventChange> Flush(TimeSpan end)
    {
        var changes = new List<EventChange>();
        foreach (var w in _watches) w.Close(changes);
        return changes;
    }
}
