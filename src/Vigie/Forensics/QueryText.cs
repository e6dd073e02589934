using System.Globalization;
using System.Text.RegularExpressions;
using Vigie.Config;
using Vigie.Perception;

namespace Vigie.Forensics;

/// <summary>Reads what people type in a search (CLI options, console fields) into a <see cref="TrackQuery"/>'s values.</summary>
public static partial class QueryText
{
    public static readonly IReadOnlyDictionary<string, Category[]> ClassNames = new Dictionary<string, Category[]>
    {
        ["person"] = [Category.Person],
        ["vehicle"] = [Category.Vehicle],
        ["bag"] = [Category.Bag],
        ["object"] = [Category.Bag, Category.Other],
        ["weapon"] = [Category.Weapon],
        ["animal"] = [Category.Animal],
        ["moving"] = [Category.Moving],
        ["other"] = [Category.Other],
    };

    /// <summary>A problem with one search field, in words that name it as the user typed it.</summary>
    public sealed record Problem(string Field, string Message);

    /// <summary>
    /// The query a user typed, as text fields named in snake_case (class, from, min_dwell, …), whether
    /// from command-line options or API parameters; every problem is reported, each naming its field
    /// as <paramref name="shownAs"/> writes it.
    /// </summary>
    /// <param name="field">The text of a field, or null when it was left empty.</param>
    /// <param name="day">The day a bare time of day ("14:00") falls on.</param>
    public static (TrackQuery Query, IReadOnlyList<Problem> Problems) Read(Func<string, string?> field, IEnumerable<string> classes,
        DateTimeOffset day, int defaultLimit, Func<string, string> shownAs)
    {
        var problems = new List<Problem>();
        T? Parse<T>(string name, Func<string, string, T> parse) where T : struct
        {
            if (field(name) is not { } text) return null;
            try
            {
                return parse(text, shownAs(name));
            }
            catch (FormatException e)
            {
                problems.Add(new Problem(name, e.Message));
                return null;
            }
        }
        double Number(string text, string shown) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"{shown}: '{text}' is not a number");
        var categories = new HashSet<Category>();
        try
        {
            categories = Classes(classes);
        }
        catch (FormatException e)
        {
            problems.Add(new Problem("class", e.Message.Replace("class:", shownAs("class") + ":", StringComparison.Ordinal)));
        }
        var query = new TrackQuery
        {
            Classes = categories,
            Camera = field("camera"),
            From = Parse("from", (t, shown) => Time(t, day, shown)),
            To = Parse("to", (t, shown) => Time(t, day, shown)),
            Zone = field("zone"),
            MinDwell = Parse("min_dwell", Duration),
            Line = field("line"),
            Direction = field("direction"),
            Heading = field("heading"),
            MinSpeed = Parse("min_speed", Number),
            MaxSpeed = Parse("max_speed", Number),
            Colour = field("colour"),
            MinDuration = Parse("min_duration", Duration),
            Limit = Parse("limit", (t, shown) => int.TryParse(t, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"{shown}: '{t}' is not a number"))
                ?? defaultLimit,
        };
        foreach (var p in query.Problems())
        {
            var name = p[..p.IndexOf(':')];
            problems.Add(new Problem(name, shownAs(name) + p[name.Length..]));
        }
        return (query, problems);
    }

    public static HashSet<Category> Classes(IEnumerable<string> names)
    {
        var set = new HashSet<Category>();
        foreach (var name in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            set.UnionWith(ClassNames.TryGetValue(name.ToLowerInvariant(), out var c)
                ? c
                : throw new FormatException($"class: '{name}' is not one of {string.Join(", ", ClassNames.Keys)}"));
        return set;
    }

    [GeneratedRegex(@"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)\s*s?)?\s*$")]
    private static partial Regex DurationRegex();

    /// <summary>"90", "90s", "2m", "1h30m", "2 min": a duration; seconds when no unit is given.</summary>
    public static TimeSpan Duration(string text, string field)
    {
        var m = DurationRegex().Match(text);
        if (!m.Success || text.Trim().Length == 0 || !(m.Groups[1].Success || m.Groups[2].Success || m.Groups[3].Success))
            throw new FormatException($"{field}: '{text}' is not a duration (e.g. 90s, 2m, 1h30m)");
        double Part(int g) => m.Groups[g].Success ? double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture) : 0;
        return TimeSpan.FromHours(Part(1)) + TimeSpan.FromMinutes(Part(2)) + TimeSpan.FromSeconds(Part(3));
    }

    /// <summary>
    /// A full date and time (ISO 8601), or a time of day ("14:00", "14:05:30") on the day of
    /// <paramref name="day"/>: the day the indexed footage starts, on the clock it was indexed with (the site's
    /// `time_zone`), whose offset a time written without one is read in too.
    /// </summary>
    public static DateTimeOffset Time(string text, DateTimeOffset day, string field)
    {
        if (TimeOnly.TryParseExact(text.Trim(), ["H:mm", "H:mm:ss", "HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var clock))
            return new DateTimeOffset(day.Date + clock.ToTimeSpan(), day.Offset);
        if (SiteTime.Parse(text, _ => day.Offset) is { } full) return full;
        throw new FormatException($"{field}: '{text}' is neither a time of day (14:00) nor a date and time (2026-11-23T14:00)");
    }
}
