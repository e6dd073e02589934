using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>The people a counting pass found in one frame.</summary>
/// <param name="ConfidentFrom">The score from which one of them is as sure as a detection the rules act on; those under it only add to the count.</param>
public sealed record CountedPeople(IReadOnlyList<Detection> People, TimeSpan Time, float ConfidentFrom = 0);

/// <summary>
/// Counts people for crowd density with the detector on the whole frame and on overlapping tiles, at
/// most once per interval: a 416-pixel model squeezing a 1280-pixel crowd threefold sees about half
/// of it, the tiles most (docs/EVALUATION.md), at five model runs instead of one, which the interval
/// keeps to about one more run per analysed frame. Tracking still runs on the whole frame alone.
/// </summary>
/// <param name="countFrom">Score from which a person is counted.</param>
/// <param name="confidentScore">Score from which a detection counts for the rules.</param>
public sealed class PeopleCounter(TiledDetector tiled, TimeSpan every, float countFrom, float confidentScore) : IDisposable
{
    public TimeSpan Every { get; } = every;

    public string Description => $"crowd counted on the whole frame + {tiled.Tiling.Columns}x{tiled.Tiling.Rows} tiles every {Every.TotalSeconds:0.#} s";

    public CountedPeople Count(Mat bgr, TimeSpan time) =>
        new(tiled.Detect(bgr).Where(d => d.Category == Category.Person && d.Score >= countFrom).ToList(), time, confidentScore);

    public void Dispose() => tiled.Dispose();
}
