using Papers.Domain;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

public class HfDailyPapersParserTests
{
    private static ParseResult Recorded() =>
        HfDailyPapersParser.Parse(Fixture.Read("hf-daily-papers/daily_papers_2026-06-12.json"), "daily_papers_2026-06-12.json");

    [Fact]
    public void Reads_every_item_of_a_recorded_day()
    {
        var result = Recorded();

        Assert.Empty(result.Problems);
        Assert.Equal(30, result.Papers.Count);
        Assert.All(result.Papers, p =>
        {
            Assert.Equal(new DateOnly(2026, 6, 12), p.ListedOn);
            Assert.Equal("hf-daily", p.Source);
            Assert.True(ArxivId.TryParse(p.ArxivId, out var id) && id.YearMonth == 2606);
            Assert.NotEmpty(p.Authors);
        });
        Assert.Equal(30, result.Papers.Select(p => p.ArxivId).Distinct().Count());
    }

    [Fact]
    public void Keeps_upvotes_dates_authors_in_order()
    {
        var papers = Recorded().Papers;

        var first = papers[0];
        Assert.Equal("2606.00467", first.ArxivId);
        Assert.StartsWith("On the Limits of LLM Adaptability: Impact of Model-Internalized Priors", first.Title);
        Assert.Equal(0, first.SourceUpvotes);
        Assert.Equal(new DateOnly(2026, 5, 30), first.PublishedOn);
        Assert.Equal(3, first.Authors.Count);
        Assert.Equal(["Etienne Casanova", "Rafal Kocielnik"], first.Authors.Take(2).Select(a => a.Name));
        Assert.StartsWith("Large Language Models (LLMs) are increasingly used for zero-shot annotation", first.Abstract);

        var top = papers.MaxBy(p => p.SourceUpvotes)!;
        Assert.Equal(("2606.13681", 118, 14), (top.ArxivId, top.SourceUpvotes, top.Authors.Count));
        Assert.Equal(new DateOnly(2026, 6, 11), top.PublishedOn);
        Assert.Equal(103, papers.Single(p => p.ArxivId == "2606.13392").SourceUpvotes);
    }

    [Fact]
    public void A_bad_item_is_reported_with_its_line_and_the_rest_is_kept()
    {
        const string content = """
            [
              {"paper": {"id": "2606.00467", "title": "Kept", "authors": [{"name": "A"}], "upvotes": 3}},
              {"paper": {"id": "not-an-id", "title": "Dropped"}},
              {"title": "no paper object"}
            ]
            """;

        var result = HfDailyPapersParser.Parse(content, "daily.json");

        Assert.Equal(["2606.00467"], result.Papers.Select(p => p.ArxivId));
        Assert.Equal(3, result.Papers[0].SourceUpvotes);
        Assert.Equal([3, 4], result.Problems.Select(p => p.Line));
        Assert.Equal("daily.json: line 3: item 2: paper.id 'not-an-id' is not an arXiv id", result.Problems[0].ToString());
        Assert.Contains("no 'paper' object", result.Problems[1].Message);
    }
}
