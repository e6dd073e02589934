using Vigie.Geometry;

namespace Vigie.Perception;

/// <summary>What the event rules reason about; every model's classes map onto these.</summary>
public enum Category
{
    Person,
    Vehicle,
    Bag,
    Weapon,
    Animal,
    /// <summary>A moving blob from the model-free motion detector: something moved, class unknown.</summary>
    Moving,
    Other,
    /// <summary>Flames, as a fire/smoke detector model sees them (never from the main detector's COCO classes).</summary>
    Fire,
    Smoke,
}

/// <summary>One object found in one frame, in frame pixels. The one record every detector returns.</summary>
public sealed record Detection(Box Box, Category Category, string Label, float Score);
