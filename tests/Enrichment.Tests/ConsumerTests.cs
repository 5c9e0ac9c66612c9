using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Contracts;
using Papers.Enrichment.Consumers;
using Papers.Enrichment.Keywords;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Tests;

[Collection(ModelCollection.Name)]
public sealed class ConsumerTests(EmbedderFixture fixture)
{
    [Fact]
    public async Task Every_paper_of_a_batch_is_enriched_however_bad_its_text()
    {
        await using var provider = Services();
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        string[] abstracts =
        [
            "",
            string.Concat(Enumerable.Repeat("Galaxy clusters trace the cosmic web. ", 30_000)),
            "Control\u0000 characters\u0007 and \u001b[0m escapes in graph neural networks.",
            @"We prove $\sum_{k=1}^{n} k^{-s} \to \zeta(s)$ for $\Re s > 1$ \cite{riemann}.",
            "我们研究大型语言模型的量化。",
        ];
        var abstractOf = Enumerable.Range(0, abstracts.Length).ToDictionary(i => $"2501.0000{i}", i => abstracts[i]);
        foreach (var (id, summary) in abstractOf)
            await harness.Bus.Publish(Paper(id, summary));

        var enriched = new List<PaperEnriched>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var message in harness.Published.SelectAsync<PaperEnriched>(timeout.Token))
        {
            enriched.Add(message.Context.Message);
            if (enriched.Count == abstracts.Length)
                break;
        }

        Assert.Equal(abstracts.Length, enriched.Select(e => e.PaperId).Distinct().Count());
        var tagger = provider.GetRequiredService<ITopicTagger>();
        foreach (var e in enriched)
        {
            Assert.Equal(fixture.Embedder.ModelId, e.EmbeddingModel);
            Assert.InRange(TensorPrimitives.Norm(e.Embedding), 0.9999f, 1.0001f);
            // Each paper of the batch carries its own tags and keyphrases: those of its vector and its text.
            var tagged = (await tagger.TagAsync([e.Embedding], CancellationToken.None))[0];
            Assert.Equal(tagged.PredictedPrimaryCategory, e.PredictedPrimaryCategory);
            Assert.Equal(tagged.Tags, e.Tags);
            var words = Words(EnrichPaperConsumer.ModelText($"Paper {e.PaperId}", abstractOf[e.PaperId]));
            Assert.InRange(e.Keywords.Count, 0, KeywordExtractor.MaxKeywords);
            Assert.All(e.Keywords, k => Assert.Contains($" {Words(k)} ", $" {words} ", StringComparison.Ordinal));
        }
        // Of the bad texts, the one with words of a field in it is still tagged in that field.
        Assert.StartsWith("astro-ph.", enriched.Single(e => e.PaperId == "2501.00001").PredictedPrimaryCategory);
        Assert.False(await harness.Published.Any<Fault<Batch<PaperIngested>>>());
    }

    [Fact]
    public async Task A_re_enrichment_request_is_answered_for_the_version_and_content_it_names()
    {
        await using var provider = Services();
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        await harness.Bus.Publish(new EnrichPaper("2501.00042", 3, "hash-v3", "Quantization of large language models",
            "We quantize weights to four bits.", "embedding model old → new", DateTimeOffset.UtcNow));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var enriched = await harness.Published.SelectAsync<PaperEnriched>(timeout.Token).FirstAsync(timeout.Token);
        var e = enriched.Context.Message;
        Assert.Equal(("2501.00042", 3, "hash-v3", fixture.Embedder.ModelId), (e.PaperId, e.Version, e.ContentHash, e.EmbeddingModel));
        Assert.Equal(fixture.Embedder.Embed(["Quantization of large language models. We quantize weights to four bits."])[0], e.Embedding);
        Assert.NotEmpty(e.Keywords);
        Assert.Null(e.TaggerModelId); // tagged by the built-in model, which has no registry id
        Assert.False(await harness.Published.Any<Fault<Batch<EnrichPaper>>>());
    }

    private ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ITextEmbedder>(fixture.Embedder);
        var models = new TaggerModelHolder(fixture.Embedder, new NoTaggerModelSource(), TaggerModel.LoadEmbedded(), NullLogger.Instance);
        services.AddSingleton(models);
        services.AddSingleton<ITopicTagger>(new TopicTagger(fixture.Embedder, models, new CustomTopicsOptions(), NullLogger.Instance));
        services.AddSingleton<KeywordExtractor>();
        services.AddSingleton(TimeProvider.System);
        services.AddMassTransitTestHarness(x => x.AddConsumer<EnrichPaperConsumer, EnrichPaperConsumerDefinition>());
        return services.BuildServiceProvider(true);
    }

    private static PaperIngested Paper(string id, string summary) => new(
        PaperId: id, Version: 1, Title: $"Paper {id}", Abstract: summary, Authors: [], PrimaryCategory: null, Categories: [],
        PublishedOn: null, ListedOn: new DateOnly(2025, 1, 1), Source: "file", SourceUpvotes: 0, Comments: null, JournalRef: null,
        Doi: null, License: null, AbsUrl: null, PdfUrl: null, SubmittedBy: null, ContentHash: $"hash-{id}", IngestedAt: DateTimeOffset.UtcNow);

    /// <summary>A text's words, lower case, one space apart: a keyphrase is a run of them.</summary>
    private static string Words(string text) =>
        string.Join(' ', Regex.Matches(text.ToLowerInvariant(), @"[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*").Select(m => m.Value));
}
