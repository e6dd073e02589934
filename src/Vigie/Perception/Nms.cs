namespace Vigie.Perception;

/// <summary>Greedy non-maximum suppression, per label so a person never suppresses their own bag.</summary>
public static class Nms
{
    public static List<Detection> ClassWise(IEnumerable<Detection> candidates, float iouThreshold, int maxDetections)
    {
        var kept = new List<Detection>();
        foreach (var group in candidates.GroupBy(d => d.Label))
        {
            var sorted = group.OrderByDescending(d => d.Score).ToList();
            var suppressed = new bool[sorted.Count];
            for (int i = 0; i < sorted.Count; i++)
            {
                if (suppressed[i]) continue;
                kept.Add(sorted[i]);
                for (int j = i + 1; j < sorted.Count; j++)
                    if (!suppressed[j] && sorted[i].Box.IoU(sorted[j].Box) > iouThreshold)
                        suppressed[j] = true;
            }
        }
        return kept.OrderByDescending(d => d.Score).Take(maxDetections).ToList();
    }
}
