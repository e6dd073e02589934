using OpenCvSharp;
using Vigie.Config;
using Vigie.Perception;
using Vigie.Video;

namespace Vigie.Forensics;

/// <summary>
/// A recording's empty background is the median of samples in which the people detected were pixelated.
/// Someone who stood still through most of the recording and whom the detector missed on the samples (far
/// away, in a group) is part of it, sharp: shown in the synopsis, and taken for scenery by the safety net
/// of thumbnails and excerpts. The model looks once more, at the still background itself and closer (on
/// 2×2 and 3×3 tiles: each finds far people the other misses), and whoever it finds there, even weakly,
/// is pixelated.
/// </summary>
public sealed class BackgroundPrivacy(IReadOnlyList<IDetector> detectors) : IDisposable
{
    // Weak detections too: a false one only pixelates a piece of scenery.
    private const double Weakest = 0.1;
    private const float Margin = 0.1f;

    /// <summary>The configured model on the whole image and its tiles; null without a model (nothing to look with).</summary>
    public static BackgroundPrivacy? For(DetectorConfig d) => d.IsModel
        ? new BackgroundPrivacy([SceneCompiler.Detector(d, 1, Weakest, tilesOverride: [2, 2]), SceneCompiler.Detector(d, 1, Weakest, tilesOverride: [3, 3])])
        : null;

    /// <summary>Pixelates in place the people (and, with a face model, the faces) found on a background.</summary>
    /// <returns>How many people were found.</returns>
    public int HidePeople(Mat background, PrivacyFilter privacy)
    {
        var people = detectors.SelectMany(d => d.Detect(background)).Where(d => PrivacyFilter.HidesCategory(d.Category))
            .Select(d => d.Box.Grown(Margin))
            .ToList();
        privacy.Apply(background, people);
        return people.Count;
    }

    public void Dispose()
    {
        foreach (var d in detectors) d.Dispose();
    }
}
