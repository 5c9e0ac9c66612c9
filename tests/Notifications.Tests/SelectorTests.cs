using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;

namespace Papers.Notifications.Tests;

/// <summary>Choosing from many matches: capped, best first by match plus popularity, each paper once with its best reason, the known ones left out.</summary>
public sealed class SelectorTests
{
    private static readonly DateTime Arrived = new(2026, 11, 30, 6, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Of_many_matching_papers_the_best_few_come_in_rank_order_each_with_its_best_reason()
    {
        var random = new Random(7);
        var papers = Enumerable.Range(0, 60).Select(i => Samples.Paper($"2611.{i:00000}", $"Paper {i}", Arrived, authors: i % 7 == 0 ? ["Emmy Noether"] : [],
            tags: [new TopicTag("cs.LG", "Machine Learning", Math.Round(random.NextDouble(), 2))], upvotes: random.Next(0, 100))).ToList();
        var reader = Samples.Subscriber("r@example.org", Arrived, s => (s.Topics, s.Authors) = (["cs.LG"], ["Emmy Noether"]));
        var options = new DigestOptions { MaxPapers = 10, MinTopicSimilarity = 0.3 };
        var known = new HashSet<string> { "2611.00007" };

        var digest = new DigestSelector(papers, options).Select(reader, Arrived.AddDays(-1), known, t => t);

        double Match(CandidatePaper p) => p.Authors.Count > 0 ? 1 : (float)p.Tags[0].Score >= 0.3f ? (float)p.Tags[0].Score : 0;
        var expected = papers.Where(p => Match(p) > 0 && !known.Contains(p.PaperId))
            .OrderByDescending(p => Match(p) + 0.1 * Math.Log10(1 + p.Upvotes)).ThenBy(p => p.PaperId, StringComparer.Ordinal).Take(10).Select(p => p.PaperId);
        Assert.Equal(expected, digest.Select(e => e.Paper.PaperId));
        Assert.All(digest, e => Assert.Equal(e.Paper.Authors.Count > 0 ? "by an author you follow: Emmy Noether" : $"matches your topic cs.LG ({e.Paper.Tags[0].Score:0.00})", e.Reason));
        Assert.DoesNotContain(digest, e => e.Paper.PaperId == "2611.00007");
    }

    [Fact]
    public void Papers_older_than_the_previous_digest_are_not_chosen_and_nothing_new_is_an_empty_digest()
    {
        var selector = new DigestSelector([Samples.Paper("2611.00001", "Old", Arrived, tags: [new TopicTag("cs.LG", "Machine Learning", 0.9)])], new DigestOptions());
        var reader = Samples.Subscriber("r@example.org", Arrived, s => s.Topics = ["cs.LG"]);

        Assert.Empty(selector.Select(reader, Arrived, new HashSet<string>(), t => t));
        Assert.Single(selector.Select(reader, Arrived.AddMinutes(-1), new HashSet<string>(), t => t));
    }
}
