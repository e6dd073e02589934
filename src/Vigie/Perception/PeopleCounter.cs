using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>The people a counting pass found in one frame.</summary>
public sealed record CountedPeople(IReadOnlyList<Detection> People, TimeSpan Time);

/// <summary>
/// Counts people for crowd density with the detector on the whole frame and on overlapping tiles, at
/// most once per interval: a 416-pixel model squeezing a 1280-pixel crowd threefold sees about half
/// of it, the tiles most (docs/EVALUATION.md), at five model runs instead of one, which the interval
/// keeps to about one more run per analysed frame. Tracking still runs on the whole frame alone.
/// </summary>
public sealed class PeopleCounter(TiledDetector tiled, TimeSpan every, float confidentScore) : IDisposable
{
    public TimeSpan Every { get; } = every;

    public string Description => $"crowd counted on the whole frame + {tiled.Tiling.Columns}x{tiled.Tiling.Rows} tiles every {Every.TotalSeconds:0.#} s";

    public CountedPeople Count(Mat bgr, TimeSpan time) =>
        new(tiled.Detect(bgr).Where(d => d.Category == Category.Person && d.Score >= confidentScore).ToList(), time);

    public void Dispose() => tiled.Dispose();
}
