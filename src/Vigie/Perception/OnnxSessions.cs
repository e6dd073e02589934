using Microsoft.ML.OnnxRuntime;

namespace Vigie.Perception;

/// <summary>Opens ONNX models the same way for every model slot (detector, crowd counter).</summary>
public static class OnnxSessions
{
    /// <summary>A CPU session; a missing or unloadable file is reported with its path.</summary>
    public static InferenceSession Open(string modelPath, int threads)
    {
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"model file not found: {modelPath}", modelPath);
        using var so = Options(threads);
        try
        {
            return new InferenceSession(modelPath, so);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath} is not a loadable ONNX model: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>A CPU session on a model held in memory (one rewritten after loading, such as <see cref="FreeImageSize"/>).</summary>
    public static InferenceSession Open(byte[] model, int threads)
    {
        using var so = Options(threads);
        return new InferenceSession(model, so);
    }

    private static SessionOptions Options(int threads)
    {
        var so = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, threads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // Every ONNX Runtime failure reaches the user as an exception with its message and the setting to
            // change; its own console log would print the same error a second time, in red, before it.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
        };
        // Spinning worker threads would steal the core the decoder runs on: on a small machine both
        // ffmpeg and inference need their share, and spinning made two threads slower than one.
        so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return so;
    }

    /// <summary>A model exported for one input size is refused unless the configured size is that one; the error names the setting.</summary>
    public static void CheckFixedInputSize(InferenceSession session, string input, string modelPath, int width, int height, string setting)
    {
        if (session.InputMetadata[input].Dimensions is [_, _, var h, var w] && h > 0 && w > 0 && (h != height || w != width))
            throw new InvalidDataException($"{modelPath} takes a fixed {w}x{h} input: set {setting} to [{w}, {h}] (it is [{width}, {height}])");
    }

    public static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
