using Papers.Contracts;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Parsing;

/// <summary>
/// The arXiv listing feeds (RSS and Atom) and OAI-PMH Dublin Core. We have no recording of a
/// non-empty listing feed: these fixtures are built from arXiv's documented format
/// (info.arxiv.org/help/rss_specifications.html) and the OAI-PMH oai_dc schema; see Fixtures/feeds/SOURCES.md.
/// </summary>
public class NewSourceFormatTests
{
    [Fact]
    public void Reads_an_RSS_listing_with_new_cross_and_replace_announcements()
    {
        var feed = ArxivListingFeedParser.Parse(Fixture.Read("feeds/arxiv-rss-cs.LG.xml"), "rss");

        Assert.Equal(new DateOnly(2026, 6, 16), feed.ListedOn);
        Assert.Equal(["2606.11111", "2606.22222", "2511.03333"], feed.Papers.Select(p => p.ArxivId));
        Assert.Equal(["new", "cross", "replace"], feed.Papers.Select(p => p.AnnounceType));
        var first = feed.Papers[0];
        Assert.Equal("Sparse Mixtures of Experts Route Tokens Without Collapse", first.Title);
        Assert.Equal("We study routing collapse in sparse mixtures of experts and propose a load-aware router.", first.Abstract);
        Assert.Equal([new PaperAuthor("Ada Lovelace"), new PaperAuthor("Alan Turing"), new PaperAuthor("Grace Hopper")], first.Authors);
        Assert.Equal("cs.LG", first.PrimaryCategory);
        Assert.Equal(["cs.LG", "cs.AI"], first.Categories);
        Assert.Equal(new DateOnly(2026, 6, 16), first.ListedOn);
        Assert.Equal(ArxivListingFeedParser.SourceLabel, first.Source);
        Assert.Equal("http://creativecommons.org/licenses/by/4.0/", first.License);
        // A cross-list keeps its own primary category; a replacement is a later version.
        Assert.Equal("astro-ph.GA", feed.Papers[1].PrimaryCategory);
        Assert.Equal(3, feed.Papers[2].LatestVersion);
        Assert.Equal("Katharina Götz", feed.Papers[2].Authors[0].Name);
    }

    [Fact]
    public void Reads_the_Atom_shape_of_the_listing()
    {
        var feed = ArxivListingFeedParser.Parse(Fixture.Read("feeds/arxiv-atom-cs.LG.xml"), "atom");

        Assert.Equal(["2606.11111", "2511.03333"], feed.Papers.Select(p => p.ArxivId));
        Assert.Equal(["new", "replace-cross"], feed.Papers.Select(p => p.AnnounceType));
        Assert.Equal(3, feed.Papers[0].Authors.Count);
        Assert.Equal(new DateOnly(2026, 6, 16), feed.Papers[0].ListedOn);
        Assert.Equal("math.OC", feed.Papers[1].PrimaryCategory);
        Assert.Equal(3, feed.Papers[1].LatestVersion);
    }

    [Fact]
    public void An_empty_weekend_feed_is_an_empty_result_not_an_error()
    {
        var feed = ArxivListingFeedParser.Parse(Fixture.Read("feeds/arxiv-rss-empty-weekend.xml"), "rss");

        Assert.Empty(feed.Papers);
        Assert.Equal(new DateOnly(2026, 6, 20), feed.ListedOn);
    }

    [Fact]
    public void An_item_without_an_arXiv_id_names_its_line()
    {
        var xml = Fixture.Read("feeds/arxiv-rss-cs.LG.xml").Replace("oai:arXiv.org:2606.22222v1", "tag:example", StringComparison.Ordinal);

        var ex = Assert.Throws<ConnectorFormatException>(() => ArxivListingFeedParser.Parse(xml, "rss"));

        Assert.Contains("'tag:example' is not an arXiv id", ex.Message);
        Assert.NotNull(ex.Line);
    }

    [Fact]
    public void Reads_Dublin_Core_records_of_a_repository()
    {
        var page = OaiPmhParser.Parse(Fixture.Read("feeds/oai_dc-ListRecords.xml"), "oai_dc");

        Assert.Equal(4, page.Papers.Count);
        var thesis = page.Papers[0];
        Assert.Null(thesis.ArxivId);
        Assert.Equal("Attention Is All You Need", thesis.Title);
        Assert.Equal([new PaperAuthor("Ada Lovelace", "Lovelace", "Ada"), new PaperAuthor("Alan M. Turing", "Turing", "Alan M.")], thesis.Authors);
        Assert.Equal(["Machine learning", "Neural networks"], thesis.Categories);
        Assert.Null(thesis.PrimaryCategory);
        Assert.Equal((new DateOnly(2025, 11, 3), new DateOnly(2026, 6, 10), new DateOnly(2026, 6, 10)), (thesis.PublishedOn, thesis.UpdatedOn, thesis.ListedOn));
        Assert.Equal(["10.5555/EXAMPLE.1201"], thesis.Dois);
        Assert.Equal(["oai:repository.example.edu:1201"], thesis.ExternalIds);
        Assert.Equal("https://repository.example.edu/1201/", thesis.AbsUrl);
        Assert.Equal(DublinCoreRecord.SourceLabel, thesis.Source);

        // dc:relation names another work: its DOI is not this record's.
        var sameTitle = page.Papers[1];
        Assert.Empty(sameTitle.Dois!);
        Assert.Equal(new DateOnly(2024, 1, 1), sameTitle.PublishedOn);

        Assert.Equal("2606.01234", page.Papers[2].ArxivId);
        Assert.True(page.Papers[3].Deleted);
        Assert.Equal(["oai:repository.example.edu:990"], page.DeletedIds);

        var failure = Assert.Single(page.FailedRecords);
        Assert.Equal(("oai:repository.example.edu:1204", "<dc> has no <dc:title> (record oai:repository.example.edu:1204)"), (failure.RecordId, failure.Reason));
    }
}
