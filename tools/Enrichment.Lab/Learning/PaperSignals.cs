using System.Numerics.Tensors;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// Paper-to-paper scores for <see cref="SimilarRerank"/> (rows of one split): lexical, hubness-
/// corrected, centred and feedback variants of the paper vectors' cosine, and set overlaps.
/// </summary>
internal static class PaperSignals
{
    /// <summary>Each paper's <paramref name="k"/> nearest others by cosine, nearest first.</summary>
    public static int[][] Nearest(float[][] vectors, int k) =>
        [.. vectors.AsParallel().AsOrdered().Select((v, i) => Enumerable.Range(0, vectors.Length).Where(j => j != i)
            .Select(j => (j, s: TensorPrimitives.Dot(v, vectors[j]))).OrderByDescending(t => t.s).ThenBy(t => t.j).Take(k).Select(t => t.j).ToArray())];

    /// <summary>TF-IDF cosine of title and abstract, unigrams and bigrams fitted on these papers.</summary>
    public static Func<int, int, double> TfIdfCosine(IReadOnlyList<LabelledPaper> papers)
    {
        var tfidf = TfIdf.Fit(papers.Select(p => p.Text));
        var sparse = papers.Select(p => tfidf.Transform(p.Text)).ToArray();
        var terms = sparse.Select(x => x.Index.Zip(x.Value).ToDictionary(t => t.First, t => t.Second)).ToArray();
        return (q, c) => sparse[q].Index.Select((t, k) => (double)sparse[q].Value[k] * terms[c].GetValueOrDefault(t)).Sum();
    }

    /// <summary>
    /// Cross-domain similarity local scaling: 2 cos(q, c) minus the candidate's mean cosine to its
    /// <paramref name="k"/> nearest papers (the query's own term is the same for every candidate).
    /// A hub, close to everything, loses its head start.
    /// </summary>
    public static Func<int, int, double> Csls(float[][] vectors, int[][] nearest, int k)
    {
        var density = vectors.Select((v, i) => nearest[i].Take(k).Average(j => (double)TensorPrimitives.Dot(v, vectors[j]))).ToArray();
        return (q, c) => 2 * TensorPrimitives.Dot(vectors[q], vectors[c]) - density[c];
    }

    /// <summary>The normalised mean of the vectors.</summary>
    public static float[] Mean(float[][] vectors)
    {
        var mean = new float[vectors[0].Length];
        foreach (var v in vectors)
            TensorPrimitives.Add(mean, v, mean);
        TensorPrimitives.Divide(mean, vectors.Length, mean);
        return mean;
    }

    /// <summary>Cosine of the two vectors once <paramref name="mean"/> is taken from both (the direction every paper shares carries no topic).</summary>
    public static double CentredCosine(float[] a, float[] b, float[] mean)
    {
        var x = new float[a.Length];
        var y = new float[b.Length];
        TensorPrimitives.Subtract(a, mean, x);
        TensorPrimitives.Subtract(b, mean, y);
        return TensorPrimitives.CosineSimilarity(x, y);
    }

    /// <summary>
    /// Rocchio feedback as a score: the candidate's cosine to the query vector plus
    /// <paramref name="alpha"/> times the mean of the query's <paramref name="k"/> nearest
    /// papers, normalised (the Api's <c>RankFusion.Expand</c>).
    /// </summary>
    public static Func<int, int, double> Feedback(float[][] vectors, int[][] nearest, int k, double alpha)
    {
        var expanded = vectors.Select((v, i) => Api.Search.RankFusion.Expand(v, [.. nearest[i].Take(k).Select(j => vectors[j])], alpha)).ToArray();
        return (q, c) => TensorPrimitives.Dot(expanded[q], vectors[c]);
    }

    public static double Cosine(double[] a, double[] b) => TensorPrimitives.CosineSimilarity(a, b) is var c && double.IsFinite(c) ? c : 0;

    public static double Jaccard(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Intersect(b, StringComparer.Ordinal).Count() / (double)Math.Max(1, a.Union(b, StringComparer.Ordinal).Count());

    /// <summary>
    /// Topics without labels: k-means (<paramref name="k"/> clusters, cosine, seeded k-means++,
    /// 20 rounds) over the papers' vectors; each paper's soft membership is the softmax of its
    /// cosine to the centroids at <paramref name="sharpness"/>. Two papers score the cosine of their memberships.
    /// </summary>
    public static Func<int, int, double> Clusters(float[][] vectors, int k, double sharpness, int seed = 1)
    {
        var random = new Random(seed);
        var centroids = new List<float[]> { vectors[random.Next(vectors.Length)] };
        while (centroids.Count < k)
        {
            var distance = vectors.Select(v => Math.Max(0, 1 - centroids.Max(c => TensorPrimitives.Dot(v, c)))).ToArray();
            var pick = random.NextDouble() * distance.Sum();
            var i = 0;
            for (; i < vectors.Length - 1 && (pick -= distance[i]) > 0; i++) { }
            centroids.Add(vectors[i]);
        }
        var centre = centroids.ToArray();
        for (var round = 0; round < 20; round++)
        {
            var assigned = vectors.AsParallel().AsOrdered().Select(v => Enumerable.Range(0, k).MaxBy(c => TensorPrimitives.Dot(v, centre[c]))).ToArray();
            centre = [.. Enumerable.Range(0, k).Select(c => assigned.Select((a, i) => (a, i)).Where(t => t.a == c).Select(t => vectors[t.i]).ToArray() is { Length: > 0 } members
                ? Normalised(Mean(members)) : centre[c])];
        }
        var membership = vectors.Select(v =>
        {
            var logits = centre.Select(c => sharpness * TensorPrimitives.Dot(v, c)).ToArray();
            var max = logits.Max();
            var e = logits.Select(l => Math.Exp(l - max)).ToArray();
            return e.Select(x => x / e.Sum()).ToArray();
        }).ToArray();
        return (q, c) => Cosine(membership[q], membership[c]);
    }

    /// <summary>
    /// Two models' vectors of one paper side by side, the second scaled by √<paramref name="weight"/>,
    /// normalised: the dot product of two such vectors is (cos₁ + w cos₂) / (1 + w), so the Api's
    /// index ranks the score fusion of the two models as it ranks one model's vectors.
    /// </summary>
    public static float[] Fused(float[] first, float[] second, double weight)
    {
        var fused = new float[first.Length + second.Length];
        first.CopyTo(fused, 0);
        TensorPrimitives.Multiply(second, (float)Math.Sqrt(weight), fused.AsSpan(first.Length));
        return Normalised(fused);
    }

    /// <summary>The vector scaled to length 1, in place.</summary>
    public static float[] Normalised(float[] v)
    {
        TensorPrimitives.Divide(v, Math.Max(TensorPrimitives.Norm(v), 1e-9f), v);
        return v;
    }

    /// <summary>
    /// Diffusion on the papers' nearest-neighbour graph (manifold ranking, as in image retrieval):
    /// each paper joined to its <paramref name="k"/> nearest with weight cos³, made symmetric and
    /// normalised (D^-½ A D^-½); from the query, <c>f ← α W f + (1 − α) e_q</c> for 20 rounds. A
    /// candidate scores what reaches it through the graph, so papers linked through many shared
    /// neighbours (the shipped shared-neighbour count, taken further) rise.
    /// </summary>
    public static Func<int, int[], double[]> Diffusion(float[][] vectors, int[][] nearest, int k, double alpha)
    {
        var n = vectors.Length;
        var edges = new Dictionary<int, double>[n];
        for (var i = 0; i < n; i++)
            edges[i] = [];
        for (var i = 0; i < n; i++)
            foreach (var j in nearest[i].Take(k))
            {
                var w = Math.Pow(Math.Max(0, TensorPrimitives.Dot(vectors[i], vectors[j])), 3);
                edges[i][j] = edges[i].GetValueOrDefault(j) + w;
                edges[j][i] = edges[j].GetValueOrDefault(i) + w;
            }
        var degree = edges.Select(e => Math.Sqrt(Math.Max(e.Values.Sum(), 1e-12))).ToArray();
        var graph = edges.Select((e, i) => e.Select(x => (x.Key, x.Value / (degree[i] * degree[x.Key]))).ToArray()).ToArray();
        return (query, candidates) =>
        {
            var f = new double[n];
            var next = new double[n];
            f[query] = 1;
            for (var round = 0; round < 20; round++)
            {
                for (var i = 0; i < n; i++)
                {
                    double sum = 0;
                    foreach (var (j, w) in graph[i])
                        sum += w * f[j];
                    next[i] = alpha * sum + (i == query ? 1 - alpha : 0);
                }
                (f, next) = (next, f);
            }
            return [.. candidates.Select(c => f[c])];
        };
    }
}
