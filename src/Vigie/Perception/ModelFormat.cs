namespace Vigie.Perception;

/// <summary>The output layouts Vigie can decode; each matches a model family, not a file.</summary>
public enum ModelFormat
{
    /// <summary>YOLOX: [1,N,5+C] per anchor point, letterbox top-left, BGR 0..255.</summary>
    Yolox,
    /// <summary>DEIMv2 / RT-DETR style: labels, boxes in frame pixels, scores; NMS-free.</summary>
    Deimv2,
    /// <summary>RTMDet (MMDeploy export): dets [1,K,5] in input pixels and labels; NMS included.</summary>
    Rtmdet,
    /// <summary>PP-PicoDet: score maps [1,N,C] then GFL distance maps [1,N,32] for strides 8/16/32/64; RGB ImageNet-normalised.</summary>
    Picodet,
    /// <summary>NanoDet: cls_pred_stride_* and dis_pred_stride_* (GFL) for strides 8/16/32; BGR MMDet-normalised.</summary>
    Nanodet,
}
