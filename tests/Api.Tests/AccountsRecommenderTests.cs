using Papers.Api.Recommendations;

namespace Papers.Api.Tests;

/// <summary>The "for you" model itself: what it learns from a library, and the "why" of each pick.</summary>
public class AccountsRecommenderTests
{
    private static readonly string[] Fields = ["galaxy", "language", "robot"];

    /// <summary>A paper of <paramref name="field"/>: its embedding points along the field's axis (with noise), its text uses the field's words.</summary>
    private static RecommenderPaper Paper(string id, int field, Random random)
    {
        var vector = new float[8];
        for (var i = 0; i < vector.Length; i++)
            vector[i] = (float)(random.NextDouble() * 0.3);
        vector[field] += 1;
        var norm = MathF.Sqrt(vector.Sum(x => x * x));
        var words = Enumerable.Range(0, 6).Select(_ => random.Next(3) == 0 ? Fields[random.Next(3)] : Fields[field]);
        return new RecommenderPaper(id, $"On {string.Join(" ", words)} survey {id}", vector.Select(x => x / norm).ToArray());
    }

    private static List<RecommenderPaper> Papers(string prefix, int field, int count, Random random) =>
        Enumerable.Range(0, count).Select(i => Paper($"{prefix}{field}-{i}", field, random)).ToList();

    [Fact]
    public void Ranks_papers_like_the_library_first_and_names_the_saved_papers_they_resemble()
    {
        var random = new Random(3);
        var library = Papers("saved", 1, 3, random);
        var recent = Enumerable.Range(0, 3).SelectMany(f => Papers("recent", f, 40, random)).ToList();
        var candidates = Enumerable.Range(0, 3).SelectMany(f => Papers("new", f, 10, random)).Concat(library).ToList();

        var picks = new LibraryRecommender(new RecommenderOptions()).Fit(library, recent).Rank(candidates, 10);

        Assert.Equal(10, picks.Count);
        Assert.All(picks, p => Assert.StartsWith("new1-", p.PaperId)); // saved papers are never recommended again
        Assert.All(picks, p => Assert.Equal(2, p.Resembles.Count));
        Assert.All(picks, p => Assert.All(p.Resembles, id => Assert.Contains(library, s => s.PaperId == id)));
        Assert.True(picks.Zip(picks.Skip(1)).All(pair => pair.First.Score >= pair.Second.Score));
    }

    [Fact]
    public void Papers_without_an_embedding_are_judged_by_their_words()
    {
        var random = new Random(5);
        var library = Papers("saved", 0, 5, random);
        var recent = Enumerable.Range(0, 3).SelectMany(f => Papers("recent", f, 30, random)).ToList();
        var unembedded = new[] { new RecommenderPaper("bare-galaxy", "galaxy galaxy galaxy survey", null), new RecommenderPaper("bare-robot", "robot robot robot survey", null) };

        var picks = new LibraryRecommender(new RecommenderOptions()).Fit(library, recent).Rank(unembedded, 2);

        Assert.Equal(["bare-galaxy", "bare-robot"], picks.Select(p => p.PaperId));
    }

    [Fact]
    public void A_fit_reads_at_most_the_configured_number_of_papers()
    {
        var random = new Random(7);
        var library = Papers("saved", 2, 50, random);
        var recent = Enumerable.Range(0, 3).SelectMany(f => Papers("recent", f, 100, random)).ToList();

        var model = new LibraryRecommender(new RecommenderOptions { MaxPositives = 4, MaxNegatives = 20 }).Fit(library, recent);
        var picks = model.Rank(library, 50, because: 50);

        // Only the 4 most recently saved papers are the model's library: the rest are candidates again.
        Assert.Equal(46, picks.Count);
        Assert.All(picks, p => Assert.Equal(4, p.Resembles.Count));
    }

    /// <summary>A paper whose embedding and words say nothing of its field (the same noise for all): only its tag does.</summary>
    private static RecommenderPaper Tagged(string id, string? topic, Random random)
    {
        var vector = Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble()).ToArray();
        var norm = MathF.Sqrt(vector.Sum(x => x * x));
        return new RecommenderPaper(id, $"A study {id}", vector.Select(x => x / norm).ToArray(), topic is null ? null : [new RecommenderTag(topic, 0.9)]);
    }

    [Fact]
    public void Learns_from_the_topic_tags_when_text_and_embedding_say_nothing()
    {
        var random = new Random(11);
        var library = Enumerable.Range(0, 3).Select(i => Tagged($"saved-{i}", "astro-ph.GA", random)).ToList();
        var recent = Enumerable.Range(0, 60).Select(i => Tagged($"recent-{i}", i % 3 == 0 ? "astro-ph.GA" : "astro-ph.CO", random)).ToList();
        var candidates = Enumerable.Range(0, 20).Select(i => Tagged($"new-{i}", i % 2 == 0 ? "astro-ph.GA" : "astro-ph.CO", random))
            .Append(Tagged("untagged", null, random)).Append(Tagged("unknown-topic", "hep-th", random)).ToList();

        var picks = new LibraryRecommender(new RecommenderOptions { TagsFullFrom = 3 }).Fit(library, recent).Rank(candidates, 10);

        Assert.All(picks, p => Assert.Equal(0, int.Parse(p.PaperId["new-".Length..]) % 2));
        // With the tags switched off the same papers are noise to it: it finds far fewer of them.
        var blind = new LibraryRecommender(new RecommenderOptions { TagWeight = 0 }).Fit(library, recent).Rank(candidates, 10);
        Assert.True(blind.Count(p => p.PaperId.StartsWith("new-", StringComparison.Ordinal) && int.Parse(p.PaperId["new-".Length..]) % 2 == 0) < 9);
    }

    [Fact]
    public void A_topic_no_fitted_paper_carries_is_ignored_and_the_order_of_tags_does_not_matter()
    {
        var random = new Random(13);
        var library = Enumerable.Range(0, 3).Select(i => Tagged($"saved-{i}", "cs.CL", random)).ToList();
        var recent = Enumerable.Range(0, 30).Select(i => Tagged($"recent-{i}", "cs.CV", random)).ToList();
        var model = new LibraryRecommender(new RecommenderOptions { TagsFullFrom = 3 }).Fit(library, recent);
        var plain = Tagged("plain", null, new Random(1));

        // The same paper with a topic the model never saw scores as without it, and two tags in any order score alike.
        var unseen = plain with { Tags = [new RecommenderTag("math.AG", 0.99)] };
        var both = plain with { Tags = [new RecommenderTag("cs.CV", 0.5), new RecommenderTag("cs.CL", 0.5)] };
        var reversed = plain with { PaperId = "reversed", Tags = [new RecommenderTag("cs.CL", 0.5), new RecommenderTag("cs.CV", 0.5)] };
        var scores = model.Rank([plain, unseen with { PaperId = "unseen" }, both with { PaperId = "both" }, reversed], 4).ToDictionary(p => p.PaperId, p => p.Score);

        Assert.Equal(scores["plain"], scores["unseen"], 9);
        Assert.Equal(scores["both"], scores["reversed"], 9);
        Assert.NotEqual(scores["plain"], scores["both"], 3);
    }

    [Theory]
    [InlineData(3, 0.1)]
    [InlineData(15, 0.5)]
    [InlineData(30, 1)]
    [InlineData(500, 1)]
    public void Tags_weigh_in_with_the_size_of_the_library(int positives, double share)
    {
        var options = new RecommenderOptions { TagWeight = 2, TagsFullFrom = 30 };
        Assert.Equal(2 * share, options.TagWeightFor(positives), 5);
        Assert.Equal(0, (options with { TagWeight = 0 }).TagWeightFor(positives));
    }

    [Fact]
    public void A_library_without_recent_papers_to_compare_with_is_refused()
    {
        var library = Papers("saved", 0, 3, new Random(1));
        Assert.Throws<ArgumentException>(() => new LibraryRecommender(new RecommenderOptions()).Fit(library, library));
    }
}
