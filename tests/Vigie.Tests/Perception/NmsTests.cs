using Vigie.Geometry;
using Vigie.Perception;

namespace Vigie.Tests.Perception;

public class NmsTests
{
    private static Detection D(float x, string label, float score) => new(new Box(x, 0, 10, 10), ClassMaps.CategoryOf(label), label, score);

    [Fact]
    public void Overlapping_boxes_of_one_class_keep_the_best()
    {
        var kept = Nms.ClassWise([D(0, "person", 0.6f), D(1, "person", 0.9f), D(30, "person", 0.5f)], 0.45f, 100);
        Assert.Equal(2, kept.Count);
        Assert.Equal(0.9f, kept[0].Score);
        Assert.Equal(30, kept[1].Box.X);
    }

    [Fact]
    public void Overlapping_boxes_of_different_classes_are_both_kept()
    {
        var kept = Nms.ClassWise([D(0, "person", 0.9f), D(1, "handbag", 0.5f)], 0.45f, 100);
        Assert.Equal(2, kept.Count);
    }

    [Fact]
    public void At_most_the_limit_is_returned_best_first()
    {
        var many = Enumerable.Range(0, 20).Select(i => D(i * 20, "car", i / 20f)).ToList();
        var kept = Nms.ClassWise(many, 0.45f, 5);
        Assert.Equal(5, kept.Count);
        Assert.Equal(19 / 20f, kept[0].Score);
    }

    [Fact]
    public void Coco_labels_map_to_vigie_categories()
    {
        Assert.Equal(Category.Person, ClassMaps.CategoryOf("person"));
        Assert.Equal(Category.Vehicle, ClassMaps.CategoryOf("truck"));
        Assert.Equal(Category.Bag, ClassMaps.CategoryOf("suitcase"));
        Assert.Equal(Category.Weapon, ClassMaps.CategoryOf("knife"));
        Assert.Equal(Category.Other, ClassMaps.CategoryOf("banana"));
        Assert.Equal(Category.Weapon, ClassMaps.CategoryOf("banana", new Dictionary<string, Category> { ["banana"] = Category.Weapon }));
        Assert.Equal(80, ClassMaps.Coco80.Count);
        Assert.Equal("knife", ClassMaps.Coco80[43]);
    }
}
