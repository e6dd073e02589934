using System.Globalization;
using System.Text;
using Vigie.Config;
using Vigie.Pipeline;

namespace Vigie.Bench;

/// <summary>What every benchmark shares: the scene it runs, a silent observer, the heading of its report section.</summary>
internal static class BenchParts
{
    /// <summary>Default scene with the given model (the motion detector when none) at the given analysis rate.</summary>
    /// <param name="watched">Add the camera `vigie analyze FILE` watches without a configuration (the use cases needing
    /// no zone, on the whole image), so the rules' costs are measured too; without it, no rule runs.</param>
    public static SceneConfig Config(string? model, double fps = 5, bool watched = false)
    {
        var config = new SceneConfig { Analysis = { Fps = fps } };
        if (watched) config.Cameras.Add(UseCaseScope.WholeImage("bench"));
        if (model is not null)
        {
            config.Detector.Type = "onnx";
            config.Detector.Model = model;
        }
        return config;
    }

    public static readonly IAnalysisObserver Silent = new SilentObserver();

    /// <summary>A Markdown section started with its title, date and machine.</summary>
    public static StringBuilder Section(string title, string machine, DateTimeOffset when)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Date: {when:yyyy-MM-dd HH:mm} UTC; machine: {machine}");
        return sb;
    }

    private sealed class SilentObserver : IAnalysisObserver;
}
