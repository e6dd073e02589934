using Vigie.Perception;

namespace Vigie.Forensics;

/// <summary>
/// What an investigator asks of the index; every part is optional and they combine with AND.
/// It describes what happened (class, place, time, movement), never who: there is no appearance filter for people.
/// </summary>
public sealed record TrackQuery
{
    public IReadOnlySet<Category> Classes { get; init; } = new HashSet<Category>();
    public string? Camera { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? Zone { get; init; }
    /// <summary>With <see cref="Zone"/>: stayed at least this long in one visit.</summary>
    public TimeSpan? MinDwell { get; init; }
    public string? Line { get; init; }
    /// <summary>With <see cref="Line"/>: left_to_right, right_to_left, or a compass point (north, east, …) of the crossing.</summary>
    public string? Direction { get; init; }
    /// <summary>Overall heading: a compass point, within 45° either side; image up is north.</summary>
    public string? Heading { get; init; }
    public double? MinSpeed { get; init; }
    public double? MaxSpeed { get; init; }
    /// <summary>Vehicles and objects only: people have no colour in the index.</summary>
    public string? Colour { get; init; }
    public TimeSpan? MinDuration { get; init; }
    public int Limit { get; init; } = 200;
    /// <summary>Only the tracks listed after this one (a later start, or the same start and a higher id): to read on past <see cref="Limit"/>.</summary>
    public long? After { get; init; }

    public static readonly IReadOnlyList<string> LineDirections = ["left_to_right", "right_to_left"];

    /// <summary>Checks the values a user typed; each problem names its field.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (From is { } f && To is { } t && t < f) problems.Add("to: is before from");
        if (MinDwell is not null && Zone is null) problems.Add("min_dwell: needs a zone");
        if (Direction is not null && Line is null) problems.Add("direction: needs a line");
        if (Direction is { } d && !LineDirections.Contains(d) && !TrackFactsBuilder.CompassPoints.Contains(d))
            problems.Add($"direction: '{d}' is not left_to_right, right_to_left or one of {string.Join(", ", TrackFactsBuilder.CompassPoints)}");
        if (Heading is { } h && !TrackFactsBuilder.CompassPoints.Contains(h))
            problems.Add($"heading: '{h}' is not one of {string.Join(", ", TrackFactsBuilder.CompassPoints)}");
        if (Colour is { } c && !DominantColour.Names.Contains(c))
            problems.Add($"colour: '{c}' is not one of {string.Join(", ", DominantColour.Names)}");
        if (Colour is not null && Classes.Contains(Category.Person))
            problems.Add("colour: people are never searched by colour or appearance");
        if (MinSpeed is < 0) problems.Add("min_speed: must be positive");
        if (MaxSpeed is { } max && MinSpeed is { } min && max < min) problems.Add("max_speed: is below min_speed");
        if (Limit is < 1 or > 10000) problems.Add("limit: must be between 1 and 10000");
        return problems;
    }
}
