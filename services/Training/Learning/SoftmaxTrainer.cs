using System.Numerics.Tensors;

using Papers.Enrichment.Tagging.Learning;

namespace Papers.Training.Learning;

/// <summary>
/// What one training paper should predict: probability mass on classes, and mass on sets of
/// classes for coarse labels (an old paper's bare <c>astro-ph</c>: any of its categories will
/// do, in the proportions the model currently believes).
/// </summary>
internal sealed record Target((int Class, float Mass)[] Fine, (int[] Classes, float Mass)[] Coarse, float Weight);

/// <summary>
/// Fits a <see cref="SoftmaxModel"/> by mini-batch Adam on the weighted cross-entropy with L2
/// on the weights, decaying the learning rate on a cosine. Adam updates only the features a
/// batch touched ("lazy" Adam), which for dense rows is all of them.
/// </summary>
internal sealed record SoftmaxTrainer
{
    public int Epochs { get; init; } = 40;

    public int BatchSize { get; init; } = 32;

    public float LearningRate { get; init; } = 0.01f;

    /// <summary>L2 penalty on the weights (not the bias or α), per unit of mean sample weight.</summary>
    public float L2 { get; init; } = 1e-4f;

    public int Seed { get; init; } = 1;

    public SoftmaxModel Fit(IFeatures x, IReadOnlyList<int> rows, IReadOnlyList<Target> targets, int classes, float[][]? extra = null)
    {
        var d = x.Dimensions;
        var model = new SoftmaxModel(classes, d);
        var adamW = new Adam(model.Weights.Length);
        var adamB = new Adam(classes);
        var adamA = new Adam(1);
        var gradW = new float[model.Weights.Length];
        var gradB = new float[classes];
        var gradA = new float[1];
        var alpha = new float[1];
        var touched = new bool[d];
        var touchedList = new List<int>();
        var p = new float[classes];
        var g = new float[classes];
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var random = new Random(Seed);
        var steps = Epochs * ((rows.Count + BatchSize - 1) / BatchSize);
        var step = 0;

        for (var epoch = 0; epoch < Epochs; epoch++)
        {
            random.Shuffle(order);
            for (var start = 0; start < order.Length; start += BatchSize)
            {
                Array.Clear(gradB);
                gradA[0] = 0;
                var batch = order.AsSpan(start, Math.Min(BatchSize, order.Length - start));
                var batchWeight = 0f;
                foreach (var i in batch)
                {
                    var row = rows[i];
                    var target = targets[i];
                    var s = extra?[row];
                    model.Logits(x, row, s, p);
                    Softmax(p);
                    // Gradient of the cross-entropy: p - q, with q the target distribution.
                    p.CopyTo(g, 0);
                    foreach (var (c, mass) in target.Fine)
                        g[c] -= mass;
                    foreach (var (set, mass) in target.Coarse)
                    {
                        var inSet = 0f;
                        foreach (var c in set)
                            inSet += p[c];
                        if (inSet > 0)
                            foreach (var c in set)
                                g[c] -= mass * p[c] / inSet;
                    }
                    TensorPrimitives.Multiply(g, target.Weight, g);
                    TensorPrimitives.Add(gradB, g, gradB);
                    if (s is not null)
                        gradA[0] += TensorPrimitives.Dot(g, s);
                    x.Row(row, out var index, out var values);
                    for (var k = 0; k < values.Length; k++)
                    {
                        var j = index.IsEmpty ? k : index[k];
                        TensorPrimitives.MultiplyAdd(g, values[k], gradW.AsSpan(j * classes, classes), gradW.AsSpan(j * classes, classes));
                        if (!touched[j])
                        {
                            touched[j] = true;
                            touchedList.Add(j);
                        }
                    }
                    batchWeight += target.Weight;
                }
                if (batchWeight <= 0)
                    continue;

                var lr = LearningRate * 0.5f * (1 + MathF.Cos(MathF.PI * step++ / steps));
                var scale = 1f / batchWeight;
                adamW.Begin();
                foreach (var j in touchedList)
                {
                    var w = model.Weights.AsSpan(j * classes, classes);
                    var gw = gradW.AsSpan(j * classes, classes);
                    // Weighted mean over the batch, plus the L2 term.
                    TensorPrimitives.Multiply(gw, scale, gw);
                    TensorPrimitives.MultiplyAdd(w, L2, gw, gw);
                    adamW.Step(j * classes, w, gw, lr);
                    gw.Clear();
                    touched[j] = false;
                }
                touchedList.Clear();
                TensorPrimitives.Multiply(gradB, scale, gradB);
                adamB.Begin();
                adamB.Step(0, model.Bias, gradB, lr);
                if (extra is not null)
                {
                    gradA[0] *= scale;
                    alpha[0] = model.Alpha;
                    adamA.Begin();
                    adamA.Step(0, alpha, gradA, lr);
                    model.Alpha = alpha[0];
                }
            }
        }
        return model;
    }

    private static void Softmax(Span<float> logits)
    {
        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, logits);
        TensorPrimitives.Exp(logits, logits);
        TensorPrimitives.Divide(logits, TensorPrimitives.Sum(logits), logits);
    }

    /// <summary>Adam's moments for a parameter vector, updated a slice at a time.</summary>
    private sealed class Adam(int size)
    {
        private const float Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-8f;
        private readonly float[] _m = new float[size];
        private readonly float[] _v = new float[size];
        private readonly float[] _scratch = new float[Math.Min(size, 4096)];
        private int _t;
        private float _c1, _c2;

        public void Begin()
        {
            _t++;
            _c1 = 1 - MathF.Pow(Beta1, _t);
            _c2 = 1 - MathF.Pow(Beta2, _t);
        }

        /// <summary>m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;  θ -= lr·(m/c1) / (√(v/c2) + ε), for the slice at <paramref name="offset"/>.</summary>
        public void Step(int offset, Span<float> parameters, ReadOnlySpan<float> gradient, float learningRate)
        {
            for (var done = 0; done < parameters.Length; done += _scratch.Length)
            {
                var n = Math.Min(_scratch.Length, parameters.Length - done);
                var m = _m.AsSpan(offset + done, n);
                var v = _v.AsSpan(offset + done, n);
                var grad = gradient.Slice(done, n);
                var scratch = _scratch.AsSpan(0, n);
                TensorPrimitives.Multiply(m, Beta1, m);
                TensorPrimitives.MultiplyAdd(grad, 1 - Beta1, m, m);
                TensorPrimitives.Multiply(grad, grad, scratch);
                TensorPrimitives.Multiply(v, Beta2, v);
                TensorPrimitives.MultiplyAdd(scratch, 1 - Beta2, v, v);
                TensorPrimitives.Multiply(v, 1 / _c2, scratch);
                TensorPrimitives.Sqrt(scratch, scratch);
                TensorPrimitives.Add(scratch, Epsilon, scratch);
                TensorPrimitives.Divide(m, scratch, scratch);
                TensorPrimitives.MultiplyAdd(scratch, -learningRate / _c1, parameters.Slice(done, n), parameters.Slice(done, n));
            }
        }
    }
}
