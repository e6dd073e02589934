namespace Vigie.Perception;

/// <summary>
/// How much a running average learns from one frame so that it forgets over a time, not over a number of
/// frames: the same memory whether frames come 3, 5 or 25 times a second (`analysis.fps`, a recorder's rate).
/// </summary>
public static class LearningRate
{
    /// <param name="stepS">Seconds since the previous frame.</param>
    /// <param name="memoryS">Time constant: what was learned this long ago weighs 1/e of what was learned now.</param>
    public static double Over(double stepS, double memoryS) => 1 - Math.Exp(-Math.Max(0, stepS) / memoryS);
}
