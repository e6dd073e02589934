using Vigie.Forensics;

namespace Vigie.Service.Forensics;

/// <summary>
/// Search filters as a user gave them (field name → text, and the classes), kept as typed so that a
/// synopsis asked for before a restart is made again from the same words.
/// </summary>
public sealed record SearchFields(IReadOnlyDictionary<string, string> Fields, IReadOnlyList<string> Classes)
{
    /// <summary>The query, with every faulty field; times of day fall on the day the case's footage starts.</summary>
    public (TrackQuery Query, IReadOnlyList<QueryText.Problem> Problems) Read(TrackIndex index, int limit)
    {
        var day = index.FootageStart();
        return QueryText.Read(key => Fields.GetValueOrDefault(key), Classes, day, limit, name => name);
    }
}
