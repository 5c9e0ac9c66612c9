using System.Text.Json;
using Microsoft.Extensions.Options;
using Papers.Domain;
using Papers.Enrichment.Keywords;
using Papers.ServiceDefaults.Embeddings;
using Xunit.Abstractions;

namespace Papers.Enrichment.Tests;

[Collection(ModelCollection.Name)]
public sealed class KeywordTests(EmbedderFixture fixture, ITestOutputHelper output)
{
    private static readonly HashSet<string> Junk = ["despite", "whenever", "relevant", "using", "based", "proposed", "novel", "via", "enables", "reduces", "shows"];

    [Fact]
    public async Task Every_sample_paper_gets_three_to_six_clean_keyphrases()
    {
        var papers = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "daily-papers-page.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => $"{e.GetProperty("title").GetString()}. {e.GetProperty("summary").GetString()}")
            .Take(24).ToList();
        var vectors = fixture.Embedder.Embed(papers);
        var keywords = await new KeywordExtractor(fixture.Embedder).ExtractAsync(papers, vectors, CancellationToken.None);

        for (var i = 0; i < papers.Count; i++)
        {
            output.WriteLine($"{papers[i][..Math.Min(70, papers[i].Length)]}… → {string.Join(" | ", keywords[i])}");
            Assert.InRange(keywords[i].Count, KeywordExtractor.MinKeywords, KeywordExtractor.MaxKeywords);
            Assert.Equal(keywords[i].Count, keywords[i].Distinct(StringComparer.OrdinalIgnoreCase).Count());
            foreach (var phrase in keywords[i])
            {
                var words = phrase.ToLowerInvariant().Split(' ');
                Assert.InRange(words.Length, 1, 3);
                Assert.DoesNotContain(words[0], StopWords.Words);
                Assert.DoesNotContain(words[^1], StopWords.Words);
                Assert.DoesNotContain(words[^1], Junk);
                Assert.DoesNotContain(words[^1], Lexicon.VerbForms);
            }
        }
    }

    [Theory]
    [InlineData("Running on edge devices despite limited memory, our relevant whenever memory allows scheme reduces latency.")]
    [InlineData("We propose a novel approach that significantly improves performance.")]
    public void Candidates_are_not_fragments(string text)
    {
        var candidates = KeywordExtractor.Candidates(text).Select(c => c.Phrase).ToList();
        output.WriteLine(string.Join(" | ", candidates));
        Assert.DoesNotContain("edge devices despite", candidates);
        Assert.DoesNotContain("relevant whenever memory", candidates);
        Assert.DoesNotContain(candidates, c => c.Split(' ').Any(w => Junk.Contains(w) || StopWords.Words.Contains(w)));
    }

    [Fact]
    public async Task Empty_and_huge_texts_are_handled()
    {
        var huge = string.Join(' ', Enumerable.Repeat("Dark matter halos shape galaxy rotation curves.", 25_000));
        string[] texts = ["", huge];
        var vectors = fixture.Embedder.Embed(texts);
        var keywords = await new KeywordExtractor(fixture.Embedder).ExtractAsync(texts, vectors, CancellationToken.None);
        Assert.Empty(keywords[0]);
        Assert.InRange(keywords[1].Count, 1, KeywordExtractor.MaxKeywords);
    }

    [Fact]
    public async Task Phrases_seen_before_come_from_the_cache_and_give_the_same_keyphrases()
    {
        var papers = SamplePapers().Take(8).ToList();
        var vectors = fixture.Embedder.Embed(papers);
        var counting = new CountingEmbedder(fixture.Embedder);
        var extractor = new KeywordExtractor(counting);

        var first = await extractor.ExtractAsync(papers, vectors, CancellationToken.None);
        var embedded = counting.Texts;
        Assert.True(embedded > 0);
        Assert.Equal(embedded, extractor.Cache.Count);

        var again = await extractor.ExtractAsync(papers, vectors, CancellationToken.None);
        Assert.Equal(embedded, counting.Texts);
        Assert.Equal(first, again);

        // A new paper's candidates are embedded only where no earlier paper had them.
        var next = SamplePapers().Skip(8).Take(1).ToList();
        var candidates = KeywordExtractor.Candidates(next[0]).Select(c => c.Phrase).Distinct().ToList();
        var known = candidates.Count(p => extractor.Cache.Lookup(fixture.Embedder.ModelId, [p], new()).Count == 0);
        await extractor.ExtractAsync(next, fixture.Embedder.Embed(next), CancellationToken.None);
        Assert.Equal(embedded + candidates.Count - known, counting.Texts);
    }

    [Fact]
    public async Task Without_a_cache_every_call_embeds_its_candidates()
    {
        var papers = SamplePapers().Take(4).ToList();
        var vectors = fixture.Embedder.Embed(papers);
        var counting = new CountingEmbedder(fixture.Embedder);
        var extractor = new KeywordExtractor(counting, Options.Create(new KeywordOptions { PhraseCacheSize = 0 }));

        var first = await extractor.ExtractAsync(papers, vectors, CancellationToken.None);
        var once = counting.Texts;
        var again = await extractor.ExtractAsync(papers, vectors, CancellationToken.None);

        Assert.Equal(2 * once, counting.Texts);
        Assert.Equal(0, extractor.Cache.Count);
        Assert.Equal(first, again);
    }

    [Fact]
    public void The_cache_drops_the_least_recently_used_phrase_and_keys_by_model()
    {
        var cache = new PhraseVectorCache(2);
        cache.Add("m", ["a", "b"], [[1f], [2f]]);
        Assert.Empty(cache.Lookup("m", ["a"], new())); // a is now the most recent
        cache.Add("m", ["c"], [[3f]]);

        var found = new Dictionary<string, float[]>();
        Assert.Equal(["b"], cache.Lookup("m", ["a", "b", "c"], found));
        Assert.Equal([1f], found["a"]);
        Assert.Equal([3f], found["c"]);
        Assert.Equal(["a"], cache.Lookup("other-model", ["a"], new()));
    }

    private static IEnumerable<string> SamplePapers() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "daily-papers-page.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => $"{e.GetProperty("title").GetString()}. {e.GetProperty("summary").GetString()}");

    /// <summary>The real model, counting the texts it is asked to embed.</summary>
    private sealed class CountingEmbedder(ITextEmbedder model) : ITextEmbedder
    {
        private int _texts;

        public int Texts => Volatile.Read(ref _texts);

        public string ModelId => model.ModelId;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref _texts, texts.Count);
            return model.EmbedAsync(texts, cancellationToken);
        }
    }
}
