using OpenCvSharp;
using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class TiledDetectorTests
{
    private static TiledDetector.Candidate Person(float x, float y, float w, float h, float score, bool tile = true, bool cut = false) =>
        new(new Detection(new Box(x, y, w, h), Category.Person, "person", score), tile, cut);

    [Fact]
    public void Tiles_cover_the_frame_and_overlap_their_neighbours()
    {
        var tiles = new Tiling(3, 2, 0.2f).Tiles(1280, 720);
        Assert.Equal(6, tiles.Count);
        Assert.All(tiles, t => Assert.True(t.X >= 0 && t.Y >= 0 && t.Right <= 1280 && t.Bottom <= 720, $"{t} inside the frame"));
        Assert.Equal(0, tiles[0].X);
        Assert.Equal(1280, tiles[2].Right);
        Assert.Equal(720, tiles[5].Bottom);
        var shared = tiles[0].Right - tiles[1].X;
        Assert.InRange(shared, 0.2 * tiles[0].Width - 1, 0.2 * tiles[0].Width + 1);
        Assert.True(tiles[0].Bottom - tiles[3].Y >= 0.2 * tiles[0].Height - 1);
        Assert.Single(new Tiling(1, 1, 0.2f).Tiles(1280, 720));
    }

    [Fact]
    public void Half_a_person_cut_by_a_tile_gives_way_to_the_whole_person_even_when_it_scores_higher()
    {
        var merged = TiledDetector.Merge([Person(100, 100, 40, 100, 0.6f, tile: false), Person(100, 100, 40, 55, 0.9f, cut: true)], 0.45f);
        var kept = Assert.Single(merged);
        Assert.Equal(100, kept.Box.Height);
    }

    [Fact]
    public void A_torso_seen_whole_in_one_tile_gives_way_to_the_body_another_tile_sees_later()
    {
        var merged = TiledDetector.Merge([Person(100, 100, 40, 45, 0.9f), Person(98, 100, 44, 110, 0.5f)], 0.45f);
        var kept = Assert.Single(merged);
        Assert.Equal(110, kept.Box.Height);
        // At the torso's score: the body is the same person, seen surely in the first tile.
        Assert.Equal(0.9f, kept.Score);
    }

    [Fact]
    public void A_faint_box_of_the_whole_frame_does_not_suppress_a_tiles_confident_one()
    {
        // Boxes down to the tracker's low threshold take part; the rules later see only confident ones.
        var merged = TiledDetector.Merge([Person(100, 100, 40, 100, 0.15f, tile: false), Person(102, 98, 40, 104, 0.8f)], 0.45f);
        Assert.Equal(0.8f, Assert.Single(merged).Score);
    }

    [Fact]
    public void A_confident_piece_vouches_for_the_faint_whole_it_belongs_to()
    {
        // A man lying across the middle: the whole frame barely sees him, each tile sees a confident half.
        var merged = TiledDetector.Merge([Person(100, 300, 300, 70, 0.15f, tile: false), Person(100, 302, 150, 66, 0.8f, cut: true)], 0.45f);
        var kept = Assert.Single(merged);
        Assert.Equal(300, kept.Box.Width);
        Assert.Equal(0.8f, kept.Score);
    }

    [Fact]
    public void The_whole_frames_own_boxes_all_stay()
    {
        // Two people one behind the other, as the model's NMS left them: not for the tiles to undo.
        var merged = TiledDetector.Merge([Person(239, 197, 115, 157, 0.65f, tile: false), Person(268, 201, 61, 117, 0.31f, tile: false)], 0.45f);
        Assert.Equal(2, merged.Count);
    }

    [Fact]
    public void People_close_together_or_one_in_front_of_another_are_all_kept()
    {
        var merged = TiledDetector.Merge(
        [
            Person(100, 100, 40, 100, 0.8f, tile: false),
            Person(130, 100, 40, 100, 0.7f),      // beside, overlapping a quarter
            Person(110, 150, 15, 35, 0.5f),       // a small far person, inside the first one's box
            Person(300, 100, 40, 100, 0.9f, tile: false),
            Person(300, 100, 42, 100, 0.6f),      // the same person seen by a tile: a duplicate
        ], 0.45f);
        Assert.Equal(4, merged.Count);
    }

    [Fact]
    public void A_box_is_cut_only_by_a_tile_edge_inside_the_frame()
    {
        var left = new Rect(0, 0, 700, 400);
        Assert.True(TiledDetector.IsCutByInnerEdge(new Box(650, 100, 49, 80), left, 1280, 720));
        Assert.False(TiledDetector.IsCutByInnerEdge(new Box(0, 100, 40, 80), left, 1280, 720));
        Assert.False(TiledDetector.IsCutByInnerEdge(new Box(300, 100, 40, 80), left, 1280, 720));
    }
}

/// <summary>Tiling on real frames counted by hand (tests/Vigie.Tests/Data/crowd_counts.json).</summary>
public class TiledDetectorOnRealFramesTests
{
    /// <summary>As the pipeline builds it: boxes down to the tracker's low threshold, of which the rules count the confident.</summary>
    private static IDetector Model(string file, string format, int columns, int rows) => Vigie.Config.SceneCompiler.Detector(new Vigie.Config.DetectorConfig
    {
        Type = "onnx", Model = TestPaths.Model(file), Format = format, Tiles = [columns, rows],
    }, keepFrom: 0.1);

    private static int People(IDetector detector, Mat frame, float confident) =>
        detector.Detect(frame).Count(d => d.Category == Category.Person && d.Score >= confident);

    private static IDetector Yolox(int columns, int rows) => Model("yolox_nano.onnx", "yolox", columns, rows);

    [Theory]
    [InlineData("pedestrians/vtest.avi", 2.0, 50)]
    [InlineData("pedestrians/vtest.avi", 8.0, 40)]
    public void Tiles_find_far_people_of_a_crowd_the_whole_frame_misses_without_counting_anyone_twice(string clip, double seconds, int byHand)
    {
        using var frame = TestPaths.FrameAt(clip, seconds);
        using var whole = Yolox(1, 1);
        using var tiled = Yolox(2, 2);
        var before = People(whole, frame, 0.3f);
        var people = tiled.Detect(frame).Where(d => d.Category == Category.Person && d.Score >= 0.3f).ToList();
        Assert.True(people.Count >= before + 8, $"{people.Count} people with tiles, {before} without");
        Assert.True(Math.Abs(people.Count - byHand) < Math.Abs(before - byHand), $"{people.Count} with tiles, {before} without, {byHand} by hand");
        Assert.True(people.Count <= byHand + 3, $"{people.Count} people, {byHand} by hand");
        foreach (var (a, i) in people.Select((p, i) => (p, i)))
            foreach (var b in people.Skip(i + 1))
                Assert.True(a.Box.IoU(b.Box) <= 0.45f, $"{a.Box} and {b.Box} are one person counted twice");
    }

    [Fact]
    public void Near_people_cut_into_pieces_by_the_tiles_count_once()
    {
        using var frame = TestPaths.FrameAt("negative/kids_orange_food_indoor.mp4", 9.0);
        using var tiled = Model("deimv2_femto_coco.onnx", "deimv2", 2, 2);
        var people = People(tiled, frame, 0.45f);
        Assert.InRange(people, 4, 6); // 5 children by hand, the nearest as tall as the picture: torsos alone in a tile are pieces
    }
}
