using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Papers.Domain;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Keywords;

/// <summary>
/// 3–6 keyphrases per paper, like the "AI keywords" of paper pages. Candidates are noun-phrase-like
/// runs of 1–3 words found without a part-of-speech tagger: the text is cut at punctuation,
/// function words, abstract boilerplate, verb forms and adverbs; a phrase may not end in an
/// adjective. The most frequent candidates (title words count double) are embedded and ranked
/// by similarity to the paper's embedding, with maximal marginal relevance for diversity.
/// Candidates' embeddings are kept in a <see cref="PhraseVectorCache"/> (<c>Keywords:PhraseCacheSize</c>),
/// so a phrase seen in an earlier paper costs no model call.
/// </summary>
public sealed partial class KeywordExtractor(ITextEmbedder embedder, IOptions<KeywordOptions>? options = null)
{
    internal const int MinKeywords = 3;
    internal const int MaxKeywords = 6;
    private const int MaxCandidates = 20;
    private const double Diversity = 0.4;

    /// <summary>Characters of a text read for candidates: abstracts are far shorter; a 1 MB one costs no more.</summary>
    private const int MaxChars = 20_000;

    private readonly PhraseVectorCache _cache = new((options?.Value ?? new KeywordOptions()).PhraseCacheSize);

    /// <summary>The phrase embeddings kept between calls.</summary>
    internal PhraseVectorCache Cache => _cache;

    public async Task<IReadOnlyList<IReadOnlyList<string>>> ExtractAsync(IReadOnlyList<string> texts, IReadOnlyList<float[]> paperVectors, CancellationToken cancellationToken)
    {
        var candidates = texts.Select(Candidates).ToList();
        var all = candidates.SelectMany(c => c).Select(c => c.Phrase).Distinct(StringComparer.Ordinal).ToList();
        var model = embedder.ModelId;
        var byPhrase = new Dictionary<string, float[]>(all.Count, StringComparer.Ordinal);
        var missing = _cache.Lookup(model, all, byPhrase);
        if (missing.Count > 0)
        {
            var vectors = await embedder.EmbedAsync(missing, cancellationToken);
            for (var i = 0; i < missing.Count; i++)
                byPhrase[missing[i]] = vectors[i];
            _cache.Add(model, missing, vectors);
        }
        return candidates.Select((c, i) => (IReadOnlyList<string>)Select(c, byPhrase, paperVectors[i])).ToList();
    }

    private static List<string> Select(List<Candidate> candidates, Dictionary<string, float[]> vectors, float[] paper)
    {
        var relevance = candidates.ToDictionary(c => c.Phrase, c => (double)TensorPrimitives.Dot(vectors[c.Phrase], paper), StringComparer.Ordinal);
        var chosen = new List<Candidate>();
        var pool = candidates.ToList();
        while (chosen.Count < MaxKeywords && pool.Count > 0)
        {
            var best = pool.MaxBy(c => (1 - Diversity) * relevance[c.Phrase]
                - Diversity * (chosen.Count == 0 ? 0 : chosen.Max(k => TensorPrimitives.Dot(vectors[c.Phrase], vectors[k.Phrase]))))!;
            // Past the minimum, stop when what is left says little about the paper.
            if (chosen.Count >= MinKeywords && relevance[best.Phrase] < 0.25)
                break;
            chosen.Add(best);
            // A phrase inside a chosen one (or containing it) adds nothing new.
            pool.RemoveAll(c => c.Key.Contains(best.Key, StringComparison.Ordinal) || best.Key.Contains(c.Key, StringComparison.Ordinal));
        }
        return chosen.Select(c => c.Phrase).ToList();
    }

    /// <param name="Phrase">As shown: lower case, acronyms kept (<c>LLM</c>, <c>LoRA</c>).</param>
    /// <param name="Key">Lower case, plural 's' dropped per word: variants of one phrase share it.</param>
    internal sealed record Candidate(string Phrase, string Key);

    /// <summary>Noun-phrase-like candidates of 1–3 words, most frequent (and longest) first.</summary>
    internal static List<Candidate> Candidates(string text)
    {
        if (text.Length > MaxChars)
            text = text[..MaxChars];
        var stats = new Dictionary<string, (string Phrase, double Count, int Words, int First)>(StringComparer.Ordinal);
        var position = 0;
        // The title (before the first ". ") counts double: it names what the paper is about.
        text = text.Replace("--", " , ", StringComparison.Ordinal).Replace('\u2013', ',').Replace('\u2014', ',');
        var titleEnd = text.IndexOf(". ", StringComparison.Ordinal);
        foreach (Match run in Run().Matches(text))
        {
            var weight = titleEnd > 0 && run.Index < titleEnd ? 2.0 : 1.0;
            var words = Word().Matches(run.Value).Select(m => m.Value).ToArray();
            var start = 0;
            for (var i = 0; i <= words.Length; i++)
            {
                if (i < words.Length && !Breaks(words[i]))
                    continue;
                // words[start..i] is a run of content words: every 1–3 word window of it is a candidate.
                for (var n = 1; n <= 3; n++)
                    for (var s = start; s + n <= i; s++)
                    {
                        var span = words.AsSpan(s, n);
                        if (!IsCandidate(span))
                            continue;
                        var key = string.Join(' ', span.ToArray().Select(KeyOf));
                        var current = stats.GetValueOrDefault(key, (Display(span), 0, n, position++));
                        stats[key] = current with { Count = current.Count + weight };
                    }
                start = i + 1;
            }
        }
        // A phrase seen (almost) only inside a longer candidate is that candidate's fragment ("reinforcement" of "reinforcement learning").
        var containing = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in stats)
        {
            var parts = key.Split(' ');
            for (var n = 1; n < parts.Length; n++)
                for (var s = 0; s + n <= parts.Length; s++)
                {
                    var sub = string.Join(' ', parts[s..(s + n)]);
                    containing[sub] = Math.Max(containing.GetValueOrDefault(sub), value.Count);
                }
        }
        foreach (var (sub, count) in containing)
            if (stats.TryGetValue(sub, out var value) && count >= 0.67 * value.Count)
                stats.Remove(sub);
        return stats
            .OrderByDescending(s => s.Value.Count * (1 + 0.5 * (s.Value.Words - 1)))
            .ThenBy(s => s.Value.First)
            .Take(MaxCandidates)
            .Select(s => new Candidate(s.Value.Phrase, s.Key))
            .ToList();
    }

    private static bool Breaks(string word)
    {
        var lower = word.ToLowerInvariant();
        return StopWords.Words.Contains(lower) || Lexicon.VerbForms.Contains(lower) || Lexicon.IsAdverb(lower)
            || lower.All(c => char.IsDigit(c) || c == '-') || lower.Length == 1;
    }

    private static bool IsCandidate(ReadOnlySpan<string> words)
    {
        var last = words[^1].ToLowerInvariant();
        var first = words[0].ToLowerInvariant();
        if (Lexicon.Adjectives.Contains(last) || Lexicon.LooksAdjective(last) || Lexicon.IsParticiple(last)
            || Lexicon.IsVerbalIng(first) || Lexicon.Evaluative.Contains(first) || Lexicon.VerbBases.Contains(first)
            || first.EndsWith('-') || last.EndsWith('-'))
            return false;
        // One word alone must be a term, not a fragment or a generic noun: long enough, or an acronym.
        return words.Length > 1 ? true : IsAcronym(words[0]) ? last.Length >= 3
            : last.Length >= 4 && !Lexicon.Generic.Contains(last) && !last.EndsWith("ic", StringComparison.Ordinal);
    }

    /// <summary>Capitals past the first letter: an acronym or a name (<c>LLM</c>, <c>LoRA</c>, <c>BiBench</c>), kept as written.</summary>
    private static bool IsAcronym(string part) => part.Skip(1).Any(char.IsUpper);

    /// <summary>Lower case, except acronyms and names, per hyphenated part: <c>TDA-Based</c> → <c>TDA-based</c>, <c>High-Energy</c> → <c>high-energy</c>.</summary>
    private static string Display(ReadOnlySpan<string> words) =>
        string.Join(' ', words.ToArray().Select(w => string.Join('-', w.Split('-').Select(p => IsAcronym(p) ? p : p.ToLowerInvariant()))));

    private static string KeyOf(string word)
    {
        var lower = word.ToLowerInvariant();
        return lower.Length > 3 && lower.EndsWith('s') && !lower.EndsWith("ss", StringComparison.Ordinal) ? lower[..^1] : lower;
    }

    /// <summary>Text between punctuation that ends a phrase (LaTeX and brackets included).</summary>
    [GeneratedRegex(@"[^.,;:!?()\[\]{}""$\\/=<>|]+")]
    private static partial Regex Run();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\-']*[\p{L}\p{N}]|[\p{L}\p{N}]")]
    private static partial Regex Word();
}
