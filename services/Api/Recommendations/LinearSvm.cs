namespace Papers.Api.Recommendations;

/// <summary>
/// One row of features: an optional dense part (an embedding) followed by a sparse part
/// (keyword weights at sorted indexes, offset by the dense part's length).
/// </summary>
public readonly record struct FeatureRow(float[]? Dense, int[] Index, float[] Value)
{
    public double SquaredNorm()
    {
        double sum = 0;
        if (Dense is not null)
            foreach (var x in Dense)
                sum += x * x;
        foreach (var x in Value)
            sum += x * x;
        return sum;
    }
}

/// <summary>
/// A linear SVM (L2-regularised squared hinge loss, classes weighted to balance, bias as a
/// constant feature): liblinear's dual coordinate descent (Hsieh et al., 2008), the solver
/// behind scikit-learn's <c>LinearSVC</c> that arxiv-sanity uses. Cost is bounded by
/// <paramref name="MaxPasses"/> passes over the rows.
/// </summary>
public sealed record LinearSvm(double C, int MaxPasses = 50, double Tolerance = 1e-3, int Seed = 1)
{
    public LinearModel Fit(IReadOnlyList<FeatureRow> rows, IReadOnlyList<bool> labels, int dimensions)
    {
        var n = rows.Count;
        var positives = labels.Count(l => l);
        if (positives == 0 || positives == n)
            throw new ArgumentException("A model needs rows of both classes.", nameof(labels));
        var w = new double[dimensions + 1]; // the last weight is the bias
        var alpha = new double[n];
        var diagonal = new double[n];
        var q = new double[n];
        for (var i = 0; i < n; i++)
        {
            // "balanced": C_i = C · n / (2 · rows of i's class); D_ii = 1 / (2 C_i) for the squared hinge.
            var ci = C * n / (2.0 * (labels[i] ? positives : n - positives));
            diagonal[i] = 1 / (2 * ci);
            q[i] = rows[i].SquaredNorm() + 1 + diagonal[i];
        }
        var order = Enumerable.Range(0, n).ToArray();
        var random = new Random(Seed);
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            random.Shuffle(order);
            double maxGradient = double.NegativeInfinity, minGradient = double.PositiveInfinity;
            foreach (var i in order)
            {
                var y = labels[i] ? 1.0 : -1.0;
                var g = y * Dot(w, rows[i]) - 1 + diagonal[i] * alpha[i];
                var projected = alpha[i] > 0 ? g : Math.Min(g, 0);
                maxGradient = Math.Max(maxGradient, projected);
                minGradient = Math.Min(minGradient, projected);
                if (Math.Abs(projected) < 1e-12)
                    continue;
                var old = alpha[i];
                alpha[i] = Math.Max(old - g / q[i], 0);
                Add(w, rows[i], (alpha[i] - old) * y);
            }
            if (maxGradient - minGradient < Tolerance)
                break;
        }
        return new LinearModel(w);
    }

    internal static double Dot(double[] w, FeatureRow row)
    {
        double sum = w[^1];
        var offset = 0;
        if (row.Dense is { } dense)
        {
            for (var j = 0; j < dense.Length; j++)
                sum += w[j] * dense[j];
            offset = dense.Length;
        }
        for (var j = 0; j < row.Index.Length; j++)
            sum += w[offset + row.Index[j]] * row.Value[j];
        return sum;
    }

    private static void Add(double[] w, FeatureRow row, double scale)
    {
        w[^1] += scale;
        var offset = 0;
        if (row.Dense is { } dense)
        {
            for (var j = 0; j < dense.Length; j++)
                w[j] += scale * dense[j];
            offset = dense.Length;
        }
        for (var j = 0; j < row.Index.Length; j++)
            w[offset + row.Index[j]] += scale * row.Value[j];
    }
}

/// <summary>Weights of a fitted <see cref="LinearSvm"/>, the bias last.</summary>
public sealed class LinearModel(double[] weights)
{
    public double Score(FeatureRow row) => LinearSvm.Dot(weights, row);
}
