namespace Vigie.Tracking;

/// <summary>Minimum-cost matching between rows and columns (Hungarian method with potentials).</summary>
public static class LinearAssignment
{
    /// <summary>
    /// Returns the (row, column) pairs of a minimum-cost assignment, keeping only pairs whose cost is at
    /// most <paramref name="maxCost"/>. Works on any rectangular matrix.
    /// </summary>
    public static List<(int Row, int Col)> Solve(double[,] cost, double maxCost)
    {
        int rows = cost.GetLength(0), cols = cost.GetLength(1);
        var pairs = new List<(int, int)>();
        if (rows == 0 || cols == 0) return pairs;
        var transpose = rows > cols;
        int n = transpose ? cols : rows, m = transpose ? rows : cols;
        // Pairs above the limit are made prohibitively expensive rather than forbidden, so a full
        // assignment always exists; they are dropped afterwards.
        var big = maxCost * 2 + 1e6;
        double C(int i, int j)
        {
            var c = transpose ? cost[j, i] : cost[i, j];
            return c > maxCost || double.IsNaN(c) ? big : c;
        }
        var u = new double[n + 1];
        var v = new double[m + 1];
        var p = new int[m + 1];
        var way = new int[m + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            var minv = new double[m + 1];
            var used = new bool[m + 1];
            Array.Fill(minv, double.PositiveInfinity);
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                var delta = double.PositiveInfinity;
                for (int j = 1; j <= m; j++)
                {
                    if (used[j]) continue;
                    var cur = C(i0 - 1, j - 1) - u[i0] - v[j];
                    if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
                    if (minv[j] < delta) { delta = minv[j]; j1 = j; }
                }
                for (int j = 0; j <= m; j++)
                {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            do
            {
                var j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        for (int j = 1; j <= m; j++)
        {
            if (p[j] == 0) continue;
            int r = p[j] - 1, c = j - 1;
            var pair = transpose ? (c, r) : (r, c);
            if (C(r, c) <= maxCost) pairs.Add(pair);
        }
        pairs.Sort();
        return pairs;
    }
}
