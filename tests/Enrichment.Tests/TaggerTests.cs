using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Enrichment.Tagging;

namespace Papers.Enrichment.Tests;

[Collection(ModelCollection.Name)]
public sealed class TaggerTests(EmbedderFixture fixture)
{
    private const string Galaxies = "The stellar mass function of quiescent galaxies at redshift 3 from JWST. " +
        "We measure the number density of massive quiescent galaxies at 3 < z < 5 using NIRCam imaging and NIRSpec spectroscopy, " +
        "and compare with cosmological hydrodynamical simulations of galaxy formation and star formation quenching.";

    private const string Translation = "Low-resource machine translation with multilingual language models. " +
        "We fine-tune a multilingual transformer on parallel corpora for ten low-resource languages and study tokenization, " +
        "back-translation and in-context learning; BLEU and chrF improve over prior neural machine translation systems.";

    private const string Quantization = "4-bit weight quantization of large language models. We quantize the weights of LLMs to 4 bits " +
        "with a calibration set, keeping activations in 16-bit floating point, and reduce inference memory with little loss in perplexity.";

    private const string Geometry = "Moduli spaces of stable vector bundles on algebraic curves. We compute the cohomology of the moduli " +
        "space of stable rank two vector bundles on a smooth projective curve and prove a conjecture on its Chow ring.";

    private static TaggerModel Model => TaggerModel.LoadEmbedded() ?? throw new InvalidOperationException("No tagger model embedded; run `train` of tools/Enrichment.Lab.");

    private TopicTagger Tagger(params CustomTopic[] topics) =>
        new(fixture.Embedder, Model, new CustomTopicsOptions { Topics = [.. topics] }, NullLogger.Instance);

    [Fact]
    public async Task A_clear_astrophysics_paper_is_tagged_astro_ph()
    {
        var result = (await Tagger().TagAsync(fixture.Embedder.Embed([Galaxies]), CancellationToken.None))[0];
        Assert.StartsWith("astro-ph.", result.PredictedPrimaryCategory);
        Assert.StartsWith("astro-ph.", result.Tags[0].Topic);
    }

    [Fact]
    public async Task A_clear_computational_linguistics_paper_is_tagged_cs_CL()
    {
        var result = (await Tagger().TagAsync(fixture.Embedder.Embed([Translation]), CancellationToken.None))[0];
        Assert.Equal("cs.CL", result.PredictedPrimaryCategory);
        Assert.Equal("cs.CL", result.Tags[0].Topic);
        Assert.Equal("Computation and Language", result.Tags[0].Name);
    }

    [Fact]
    public async Task A_paper_of_a_category_the_model_learned_little_of_still_lands_in_its_archive()
    {
        var result = (await Tagger().TagAsync(fixture.Embedder.Embed([Geometry]), CancellationToken.None))[0];
        Assert.StartsWith("math.", result.PredictedPrimaryCategory);
    }

    [Fact]
    public async Task Tags_are_calibrated_scores_best_first_the_primary_first_at_most_the_models_limit()
    {
        var model = Model;
        var results = await Tagger().TagAsync(fixture.Embedder.Embed([Galaxies, Translation, Quantization, Geometry, ""]), CancellationToken.None);
        // The shipped model is fitted by the Training service's recipe: at most 3 tags, a coverage, withheld categories.
        Assert.Equal(3, model.MaxTags);
        Assert.True(model.Classifier.Coverage > 0, "the shipped model shows categories by threshold only: it was not fitted by the recipe");
        foreach (var result in results)
        {
            Assert.InRange(result.Tags.Count, 1, model.MaxTags);
            Assert.All(result.Tags, t => Assert.InRange(t.Score, 0, 1));
            Assert.Equal(result.Tags.OrderByDescending(t => t.Score).Select(t => t.Topic), result.Tags.Select(t => t.Topic));
            // The primary and the tags come from one ranking: the primary is a category of the
            // model, shown (the coverage shows it whatever its score) as the best tag, and never withheld.
            Assert.Contains(result.PredictedPrimaryCategory, model.Classes);
            Assert.Equal(result.PredictedPrimaryCategory, result.Tags[0].Topic);
            Assert.All(result.Tags, t => Assert.DoesNotContain(t.Topic, model.Classifier.Withheld));
        }
    }

    [Fact]
    public async Task Custom_topics_are_tagged_by_description_or_examples()
    {
        var tagger = Tagger(
            new CustomTopic { Name = "Quantization", Description = "Quantizing neural network weights and activations to low-bit integers or floats to cut memory and speed up inference." },
            new CustomTopic
            {
                Name = "Data selection for LLMs",
                Examples = [
                "Data selection for language model pretraining: choosing which web documents to train on with importance resampling.",
                "Less is more for instruction tuning: selecting a small high-quality subset of instruction data for LLM alignment."]
            });
        var results = await tagger.TagAsync(fixture.Embedder.Embed([Quantization, Galaxies,
            "Selecting training data for large language models: we score pretraining documents by quality and keep the best 10%."]), CancellationToken.None);

        Assert.Contains(results[0].Tags, t => t.Topic == "quantization" && t.Name == "Quantization");
        Assert.DoesNotContain(results[1].Tags, t => t.Topic is "quantization" or "data-selection-for-llms");
        Assert.Contains(results[2].Tags, t => t.Topic == "data-selection-for-llms");
    }

    [Fact]
    public void Custom_topics_must_have_names_and_distinct_ids()
    {
        Assert.Throws<InvalidOperationException>(() => Tagger(new CustomTopic { Description = "no name" }));
        Assert.Throws<InvalidOperationException>(() => Tagger(new CustomTopic { Name = "A b" }, new CustomTopic { Name = "a-B" }));
        Assert.Throws<InvalidOperationException>(() => Tagger(new CustomTopic { Name = "Galaxies", Id = "astro-ph.GA" }));
    }

    [Fact]
    public async Task A_model_trained_on_other_embeddings_falls_back_to_descriptions_with_a_warning()
    {
        var logger = new CapturingLogger();
        var stale = new FakeModelId(fixture.Embedder, "another-model@1");
        var tagger = new TopicTagger(stale, Model, new CustomTopicsOptions(), logger);
        var result = (await tagger.TagAsync(fixture.Embedder.Embed([Galaxies]), CancellationToken.None))[0];
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("description similarity only"));
        Assert.StartsWith("astro-ph.", result.PredictedPrimaryCategory);
    }

    private sealed class FakeModelId(Papers.ServiceDefaults.Embeddings.ITextEmbedder inner, string id) : Papers.ServiceDefaults.Embeddings.ITextEmbedder
    {
        public string ModelId => id;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) => inner.EmbedAsync(texts, cancellationToken);
    }
}
