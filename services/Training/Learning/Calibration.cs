using Papers.Enrichment.Tagging.Learning;

namespace Papers.Training.Learning;

/// <summary>One-dimensional fits used to calibrate scores on held-out predictions.</summary>
internal static class Calibration
{
    /// <summary>
    /// Platt scaling: <c>a, b</c> of <c>P(y=1) = σ(a·score + b)</c>, by Newton's method with a
    /// backtracking line search on the log-loss (Lin, Lin and Weng 2007), with Platt's smoothed
    /// targets so that separable data stays finite.
    /// </summary>
    public static (double A, double B) Platt(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var positives = labels.Count(l => l);
        var negatives = labels.Count - positives;
        var hi = (positives + 1.0) / (positives + 2.0);
        var lo = 1.0 / (negatives + 2.0);
        var targets = labels.Select(l => l ? hi : lo).ToArray();

        double Loss(double a, double b)
        {
            var loss = 0.0;
            for (var i = 0; i < scores.Count; i++)
            {
                var z = a * scores[i] + b;
                // t·log σ(z) + (1-t)·log(1-σ(z)), computed without overflow.
                loss += Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z))) - targets[i] * z;
            }
            return loss;
        }

        double A = 0, B = Math.Log((positives + 1.0) / (negatives + 1.0));
        var current = Loss(A, B);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            double ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
            for (var i = 0; i < scores.Count; i++)
            {
                var p = CategoryClassifier.Sigmoid(A * scores[i] + B);
                var d = p - targets[i];
                var w = p * (1 - p);
                ga += d * scores[i];
                gb += d;
                haa += w * scores[i] * scores[i];
                hab += w * scores[i];
                hbb += w;
            }
            if (Math.Abs(ga) + Math.Abs(gb) < 1e-7)
                break;
            var det = haa * hbb - hab * hab;
            var da = -(hbb * ga - hab * gb) / det;
            var db = -(haa * gb - hab * ga) / det;
            var step = 1.0;
            while (step > 1e-10)
            {
                var next = Loss(A + step * da, B + step * db);
                if (next < current + 1e-4 * step * (ga * da + gb * db))
                {
                    A += step * da;
                    B += step * db;
                    current = next;
                    break;
                }
                step /= 2;
            }
            if (step <= 1e-10)
                break;
        }
        return (A, B);
    }

    /// <summary>
    /// The upper end of the one-sided 95% Wilson score interval of a proportion, <paramref name="successes"/>
    /// of <paramref name="trials"/>: below it lies the true rate with 95% confidence.
    /// </summary>
    public static double WilsonUpper(int successes, int trials)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        const double z = 1.6449;
        double n = trials, p = successes / n, z2 = z * z;
        return (p + z2 / (2 * n) + z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n);
    }

    /// <summary>Golden-section search for the minimum of a unimodal <paramref name="f"/> on [lo, hi].</summary>
    public static double Minimize(Func<double, double> f, double lo, double hi, int iterations = 40)
    {
        var ratio = (Math.Sqrt(5) - 1) / 2;
        double a = lo, b = hi;
        var c = b - ratio * (b - a);
        var d = a + ratio * (b - a);
        double fc = f(c), fd = f(d);
        for (var i = 0; i < iterations; i++)
        {
            if (fc < fd)
            {
                b = d;
                d = c;
                fd = fc;
                c = b - ratio * (b - a);
                fc = f(c);
            }
            else
            {
                a = c;
                c = d;
                fc = fd;
                d = a + ratio * (b - a);
                fd = f(d);
            }
        }
        return (a + b) / 2;
    }
}
