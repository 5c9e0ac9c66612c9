using System.Globalization;
using System.Numerics.Tensors;
using System.Text.Json;
using System.Text.RegularExpressions;
using Papers.Api.Search;

namespace Papers.Search.Bench;

/// <summary>A real paper of the bundled data, with its MiniLM vector.</summary>
public sealed record RealPaper(string Title, string Summary, IReadOnlyList<string> Authors, string[] Sentences);

/// <summary>
/// Synthetic papers recombined from the ~900 real abstracts in the repository, deterministic by
/// index, so any paper (and its vector) can be regenerated for exact search without storing
/// 2.7M vectors. Paper <c>i</c> takes its title's head from a real paper A and its tail from B,
/// 3–5 consecutive sentences of A's abstract, 1–2 of B's and 0–2 of C's, and 1–5 real authors.
/// Its vector is the real MiniLM vectors of A, B and C weighted by their sentence counts, plus
/// noise of norm <see cref="NoiseScale"/> (a sum of two of 4,096 fixed Gaussian directions), normalised.
/// </summary>
public sealed partial class Corpus
{
    public const float NoiseScale = 0.3f;
    private const int NoisePool = 4096;
    private readonly RealPaper[] _real;
    private readonly float[][] _realVectors;
    private readonly float[][] _noise;
    private readonly string[] _authors;

    public Corpus(RealPaper[] real, float[][] realVectors, string model)
    {
        _real = real;
        _realVectors = realVectors;
        Model = model;
        Dimensions = realVectors[0].Length;
        _authors = real.SelectMany(p => p.Authors).Distinct(StringComparer.Ordinal).ToArray();
        var random = new Random(20_250_101);
        _noise = Enumerable.Range(0, NoisePool).Select(_ =>
        {
            var v = new float[Dimensions];
            for (var d = 0; d < v.Length; d++)
                v[d] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()) / Math.Sqrt(Dimensions));
            return v;
        }).ToArray();
    }

    public string Model { get; }

    public int Dimensions { get; }

    public IReadOnlyList<RealPaper> Real => _real;

    /// <summary>arXiv-shaped, unique: 100,000 papers a "month" from 2015-01.</summary>
    public static string IdOf(int i) => $"{15 + i / 100_000 / 12:00}{i / 100_000 % 12 + 1:00}.{i % 100_000:00000}";

    public static int IndexOf(string id) =>
        ((int.Parse(id[..2], CultureInfo.InvariantCulture) - 15) * 12 + int.Parse(id[2..4], CultureInfo.InvariantCulture) - 1) * 100_000
        + int.Parse(id[5..], CultureInfo.InvariantCulture);

    public IndexedPaper Paper(int i)
    {
        var (a, b, c, na, nb, nc, random) = Recipe(i);
        var titleA = _real[a].Title.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var titleB = _real[b].Title.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var head = titleA[..Math.Max(1, (titleA.Length + 1) / 2 + random.Next(0, Math.Max(1, titleA.Length / 3)))];
        var tail = titleB[Math.Min(titleB.Length - 1, titleB.Length / 2 + random.Next(0, Math.Max(1, titleB.Length / 3)))..];
        var title = string.Join(' ', head.Concat(tail));
        var sentences = Take(_real[a].Sentences, na, random).Concat(Take(_real[b].Sentences, nb, random)).Concat(Take(_real[c].Sentences, nc, random));
        var authors = Enumerable.Range(0, random.Next(1, 6)).Select(_ => _authors[random.Next(_authors.Length)]).ToList();
        var vector = new float[Dimensions];
        VectorInto(i, vector);
        return new IndexedPaper(IdOf(i), title, string.Join(' ', sentences), authors, [], vector, Model);
    }

    /// <summary>Paper i's vector, without its text (exact search regenerates them).</summary>
    public void VectorInto(int i, Span<float> vector)
    {
        var (a, b, c, na, nb, nc, _) = Recipe(i);
        float total = na + nb + nc;
        vector.Clear();
        TensorPrimitives.MultiplyAdd(_realVectors[a], na / total, vector, vector);
        TensorPrimitives.MultiplyAdd(_realVectors[b], nb / total, vector, vector);
        if (nc > 0)
            TensorPrimitives.MultiplyAdd(_realVectors[c], nc / total, vector, vector);
        var h = (uint)i * 2_654_435_761u;
        var scale = NoiseScale / MathF.Sqrt(2);
        TensorPrimitives.MultiplyAdd(_noise[(int)(h >> 20) % NoisePool], scale, vector, vector);
        TensorPrimitives.MultiplyAdd(_noise[(int)((h ^ (uint)i * 40_503u) & (NoisePool - 1))], scale, vector, vector);
        TensorPrimitives.Divide(vector, TensorPrimitives.Norm(vector), vector);
    }

    private (int A, int B, int C, int Na, int Nb, int Nc, Random Random) Recipe(int i)
    {
        var random = new Random(i);
        var a = random.Next(_real.Length);
        var b = random.Next(_real.Length);
        var c = random.Next(_real.Length);
        return (a, b, c, random.Next(3, 6), random.Next(1, 3), random.Next(0, 3), random);
    }

    private static IEnumerable<string> Take(string[] sentences, int count, Random random)
    {
        if (count == 0 || sentences.Length == 0)
            return [];
        var start = random.Next(Math.Max(1, sentences.Length - count + 1));
        return sentences.Skip(start).Take(count);
    }

    /// <summary>The real papers of tests/Cluster.Tests/Data/papers.jsonl and the bundled Daily Papers sample.</summary>
    public static RealPaper[] LoadReal(string repositoryRoot)
    {
        var files = new[] { "tests/Cluster.Tests/Data/papers.jsonl", "services/Ingest/samples/daily-papers-page.jsonl" };
        return files.SelectMany(f => File.ReadLines(Path.Combine(repositoryRoot, f))).Select(line =>
        {
            var json = JsonDocument.Parse(line).RootElement;
            var summary = Spaces().Replace(json.GetProperty("summary").GetString()!, " ").Trim();
            var authors = json.TryGetProperty("authors", out var list) ? list.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
            return new RealPaper(Spaces().Replace(json.GetProperty("title").GetString()!, " ").Trim(), summary, authors,
                SentenceEnd().Split(summary).Where(s => s.Length > 0).ToArray());
        }).ToArray();
    }

    /// <summary>
    /// Distinct real query strings: every title, and the first 3–8 words of abstract sentences
    /// (the kind of phrase people type), shuffled.
    /// </summary>
    public static List<string> Queries(RealPaper[] real, int max)
    {
        var random = new Random(42);
        var queries = new HashSet<string>(real.Select(p => p.Title), StringComparer.Ordinal);
        foreach (var sentence in real.SelectMany(p => p.Sentences))
        {
            var words = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 3)
                queries.Add(string.Join(' ', words.Take(random.Next(3, 9))).TrimEnd(',', '.', ';', ':'));
        }
        return queries.Where(q => q.Length is >= 8 and <= 200).OrderBy(_ => random.Next()).Take(max).ToList();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z])")]
    private static partial Regex SentenceEnd();
}
