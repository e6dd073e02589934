namespace Vigie.Perception;

/// <summary>Model class names and how they map onto Vigie's categories.</summary>
public static class ClassMaps
{
    public static readonly IReadOnlyList<string> Coco80 =
    [
        "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
        "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep", "cow",
        "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase", "frisbee",
        "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard", "surfboard",
        "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
        "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
        "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard",
        "cell phone", "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase",
        "scissors", "teddy bear", "hair drier", "toothbrush",
    ];

    public static readonly IReadOnlyList<string> PersonOnly = ["person"];

    /// <summary>Default label → category map; models with other labels add theirs in config.</summary>
    public static readonly IReadOnlyDictionary<string, Category> DefaultCategories = new Dictionary<string, Category>
    {
        ["person"] = Category.Person,
        ["bicycle"] = Category.Vehicle,
        ["car"] = Category.Vehicle,
        ["motorcycle"] = Category.Vehicle,
        ["bus"] = Category.Vehicle,
        ["train"] = Category.Vehicle,
        ["truck"] = Category.Vehicle,
        ["boat"] = Category.Vehicle,
        ["backpack"] = Category.Bag,
        ["handbag"] = Category.Bag,
        ["suitcase"] = Category.Bag,
        ["knife"] = Category.Weapon,
        ["gun"] = Category.Weapon,
        ["handgun"] = Category.Weapon,
        ["pistol"] = Category.Weapon,
        ["rifle"] = Category.Weapon,
        ["bird"] = Category.Animal,
        ["cat"] = Category.Animal,
        ["dog"] = Category.Animal,
        ["horse"] = Category.Animal,
        ["fire"] = Category.Fire,
        ["flame"] = Category.Fire,
        ["flames"] = Category.Fire,
        ["smoke"] = Category.Smoke,
    };

    public static Category CategoryOf(string label, IReadOnlyDictionary<string, Category>? overrides = null) =>
        overrides is not null && overrides.TryGetValue(label, out var c) ? c
        : DefaultCategories.TryGetValue(label, out var d) ? d
        : Category.Other;
}
