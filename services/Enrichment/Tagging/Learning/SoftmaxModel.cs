using System.Numerics.Tensors;

namespace Papers.Enrichment.Tagging.Learning;

/// <summary>
/// Multinomial logistic regression: <c>z_c = Σ_j x_j·W[j,c] + b_c + α·s_c</c>, where <c>s</c> is
/// an optional per-class score (description similarity) shared through one weight α. Weights
/// are stored feature-major, so a sparse row touches only its own features' rows of W.
/// Fitted by the lab's <c>SoftmaxTrainer</c> (tools/Enrichment.Lab).
/// </summary>
internal sealed class SoftmaxModel(int classes, int dimensions)
{
    public int Classes { get; } = classes;

    public int Dimensions { get; } = dimensions;

    /// <summary>W[j, c] at <c>j·Classes + c</c>.</summary>
    public float[] Weights { get; } = new float[classes * dimensions];

    public float[] Bias { get; } = new float[classes];

    public float Alpha { get; set; }

    public void Logits(IFeatures x, int row, float[]? extra, Span<float> logits)
    {
        Bias.CopyTo(logits);
        if (extra is not null)
            TensorPrimitives.MultiplyAdd(extra, Alpha, logits, logits);
        x.Row(row, out var index, out var values);
        for (var i = 0; i < values.Length; i++)
        {
            var j = index.IsEmpty ? i : index[i];
            TensorPrimitives.MultiplyAdd(Weights.AsSpan(j * Classes, Classes), values[i], logits, logits);
        }
    }
}
