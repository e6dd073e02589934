using Vigie.Tracking;

namespace Vigie.Tests.Tracking;

public class LinearAssignmentTests
{
    [Fact]
    public void Finds_the_global_optimum_not_the_greedy_one()
    {
        // Greedy would take (0,0)=1 then (1,1)=10: total 11. The optimum is (0,1)+(1,0) = 2 + 2.
        var cost = new double[,] { { 1, 2 }, { 2, 10 } };
        Assert.Equal([(0, 1), (1, 0)], LinearAssignment.Solve(cost, 100));
    }

    [Fact]
    public void Three_by_three_textbook_case()
    {
        var cost = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };
        var pairs = LinearAssignment.Solve(cost, 100);
        Assert.Equal(5, pairs.Sum(p => cost[p.Row, p.Col]));
    }

    [Fact]
    public void Rectangular_matrices_leave_the_extra_side_unmatched()
    {
        var wide = new double[,] { { 5, 1, 9 } };
        Assert.Equal([(0, 1)], LinearAssignment.Solve(wide, 100));
        var tall = new double[,] { { 5 }, { 1 }, { 9 } };
        Assert.Equal([(1, 0)], LinearAssignment.Solve(tall, 100));
    }

    [Fact]
    public void Pairs_above_the_limit_are_dropped()
    {
        var cost = new double[,] { { 0.1, 0.95 }, { 0.9, 0.99 } };
        Assert.Equal([(0, 0)], LinearAssignment.Solve(cost, 0.8));
        Assert.Empty(LinearAssignment.Solve(new double[0, 3], 1));
        Assert.Empty(LinearAssignment.Solve(new double[,] { { double.PositiveInfinity } }, 1));
    }
}
