using System.Text.Json;
using Papers.Domain;
using Papers.Enrichment.Keywords;
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
}
