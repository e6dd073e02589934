using OpenCvSharp;

namespace Vigie.Perception;

/// <summary>How a frame was fitted into the network input, so boxes can be mapped back.</summary>
public readonly record struct InputFit(float ScaleX, float ScaleY)
{
    public Geometry.Box ToFrame(Geometry.Box inputBox) => inputBox.Scale(1 / ScaleX, 1 / ScaleY);
}

/// <summary>Pre-processing shared by the ONNX model formats.</summary>
public static class TensorPrep
{
    /// <summary>ImageNet statistics (RGB, on 0..1 values), as torchvision and PaddleDetection normalise inputs.</summary>
    public static readonly float[] ImageNetMeanRgb = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ImageNetStdRgb = [0.229f, 0.224f, 0.225f];

    /// <summary>Keep-ratio resize into the top-left of a canvas padded with <paramref name="pad"/>.</summary>
    public static InputFit LetterboxTopLeft(Mat frame, Mat canvas, int width, int height, byte pad)
    {
        var (ratio, w, h) = Letterbox(frame.Width, frame.Height, width, height);
        canvas.Create(height, width, MatType.CV_8UC3);
        canvas.SetTo(new Scalar(pad, pad, pad));
        using (var roi = new Mat(canvas, new Rect(0, 0, Math.Min(w, width), Math.Min(h, height))))
            Cv2.Resize(frame, roi, roi.Size(), 0, 0, InterpolationFlags.Linear);
        return new InputFit(ratio, ratio);
    }

    /// <summary>
    /// The smallest input, in multiples of <paramref name="multiple"/>, that holds a frame letterboxed
    /// into width × height at the same scale plus <paramref name="margin"/> pixels of padding: the rest
    /// of the padding, which a network need not look at, is left out.
    /// </summary>
    public static (int Width, int Height) TrimmedLetterbox(int frameWidth, int frameHeight, int width, int height, int multiple, int margin)
    {
        // Rounded up, not to the nearest pixel, so that letterboxing into the trimmed size keeps the same scale.
        var (ratio, _, _) = Letterbox(frameWidth, frameHeight, width, height);
        int RoundUp(float v) => (int)Math.Ceiling(v / multiple) * multiple;
        return (Math.Min(width, RoundUp(frameWidth * ratio + margin)), Math.Min(height, RoundUp(frameHeight * ratio + margin)));
    }

    private static (float Ratio, int Width, int Height) Letterbox(int frameWidth, int frameHeight, int width, int height)
    {
        var ratio = Math.Min((float)width / frameWidth, (float)height / frameHeight);
        return (ratio, Math.Max(1, (int)Math.Round(frameWidth * ratio)), Math.Max(1, (int)Math.Round(frameHeight * ratio)));
    }

    /// <summary>Plain resize to the input size, ignoring the aspect ratio.</summary>
    public static InputFit Stretch(Mat frame, Mat canvas, int width, int height)
    {
        Cv2.Resize(frame, canvas, new Size(width, height), 0, 0, InterpolationFlags.Linear);
        return new InputFit((float)width / frame.Width, (float)height / frame.Height);
    }

    /// <summary>
    /// Writes a BGR 8-bit image as planar CHW floats: value = (pixel * scale - mean) / std, channel order
    /// swapped to RGB when asked. mean and std are given in the output channel order.
    /// </summary>
    public static unsafe void ToPlanar(Mat bgr, Span<float> destination, bool toRgb, float scale,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> std)
    {
        int w = bgr.Width, h = bgr.Height, plane = w * h;
        if (destination.Length < plane * 3) throw new ArgumentException("destination too small", nameof(destination));
        var step = (int)bgr.Step();
        var src = (byte*)bgr.Data;
        Span<float> mul = stackalloc float[3];
        Span<float> add = stackalloc float[3];
        for (int c = 0; c < 3; c++)
        {
            mul[c] = scale / std[c];
            add[c] = -mean[c] / std[c];
        }
        // Output plane index for each BGR source byte.
        int p0 = toRgb ? 2 : 0, p1 = 1, p2 = toRgb ? 0 : 2;
        for (int y = 0; y < h; y++)
        {
            var row = src + y * step;
            var o = y * w;
            for (int x = 0; x < w; x++, o++)
            {
                var px = row + x * 3;
                destination[p0 * plane + o] = px[0] * mul[p0] + add[p0];
                destination[p1 * plane + o] = px[1] * mul[p1] + add[p1];
                destination[p2 * plane + o] = px[2] * mul[p2] + add[p2];
            }
        }
    }
}
