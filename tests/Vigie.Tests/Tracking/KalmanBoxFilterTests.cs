using Vigie.Geometry;
using Vigie.Tracking;

namespace Vigie.Tests.Tracking;

public class KalmanBoxFilterTests
{
    [Fact]
    public void Learns_a_constant_velocity_and_predicts_ahead()
    {
        var filter = new KalmanBoxFilter(new Box(0, 100, 20, 50));
        for (int i = 1; i <= 20; i++)
        {
            filter.Predict(0.2);
            filter.Update(new Box(i * 10, 100, 20, 50)); // 50 px/s to the right
        }
        Assert.Equal(50, filter.Velocity.X, 0);
        Assert.Equal(0, filter.Velocity.Y, 0);
        filter.Predict(0.4);
        Assert.Equal(220, filter.Box.X, 0);
        Assert.Equal(50, filter.Box.Height, 0);
    }

    [Fact]
    public void Irregular_time_steps_predict_by_elapsed_time()
    {
        var filter = new KalmanBoxFilter(new Box(0, 0, 10, 10));
        var t = 0.0;
        var rng = new Random(3);
        for (int i = 0; i < 30; i++)
        {
            var dt = 0.1 + rng.NextDouble() * 0.3;
            t += dt;
            filter.Predict(dt);
            filter.Update(new Box((float)(t * 40), 0, 10, 10));
        }
        Assert.Equal(40, filter.Velocity.X, 0);
    }

    [Fact]
    public void Four_by_four_inverse_times_matrix_is_identity()
    {
        var m = new double[,] { { 4, 1, 0, 0 }, { 1, 3, 0, 0 }, { 0, 0, 2, 0.5 }, { 0, 0, 0.5, 1 } };
        var inv = KalmanBoxFilter.Invert4(m);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                double sum = 0;
                for (int k = 0; k < 4; k++) sum += m[i, k] * inv[k, j];
                Assert.Equal(i == j ? 1 : 0, sum, 9);
            }
    }
}
