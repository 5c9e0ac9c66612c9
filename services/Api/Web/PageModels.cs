using Papers.Api.Browse;
using Papers.Domain;

namespace Papers.Api.Web;

/// <summary>What a page's &lt;head&gt; says: title, description, canonical URL, OpenGraph type, feeds, extra &lt;meta&gt; (citation_*).</summary>
public sealed record PageMeta(string Title, string Description, string CanonicalUrl, string OgType = "website")
{
    public FeedLinks? Feeds { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Extra { get; init; } = [];

    /// <summary>Pages that only repeat others (later pages, searches) ask robots not to index them.</summary>
    public bool NoIndex { get; init; }
}

/// <summary>The RSS 2.0 and Atom feeds of a page: the page's own URL with <c>format=rss</c> or <c>format=atom</c>.</summary>
public sealed record FeedLinks(string Title, string RssUrl, string AtomUrl)
{
    public static FeedLinks For(string title, string pathAndQuery)
    {
        var separator = pathAndQuery.Contains('?') ? '&' : '?';
        return new(title, $"{pathAndQuery}{separator}format=rss", $"{pathAndQuery}{separator}format=atom");
    }
}

/// <summary>What a page needs to let its visitor vote without script: the antiforgery field, which shown papers they upvoted, where to come back to.</summary>
public sealed record VoteState(string FieldName, string Token, IReadOnlySet<string> Voted, string ReturnUrl);

/// <summary>Previous and next pages of a listing (null at the ends).</summary>
public sealed record Paging(string? PreviousUrl, string? NextUrl, int Page);

public sealed record DailyView(PageMeta Meta, DayRange Range, bool Trending, bool IsLatest, ListingPage Listing, Paging Paging,
    string? EarlierUrl, string? LaterUrl, VoteState Votes);

/// <param name="SimilarPending">The similar papers are being found in the background; they show on the next view.</param>
public sealed record PaperView(PageMeta Meta, ListedPaper Paper, IReadOnlyList<(ListedPaper Paper, double Similarity)> Similar,
    IReadOnlyList<ListedPaper> ByAuthors, VoteState Votes, bool SimilarPending = false, SaveToLibrary? Library = null);

public sealed record SearchForm(string? Query, string? Abstract, DateOnly? From, DateOnly? To, string? Category, string? Topic)
{
    public bool ByAbstract => !string.IsNullOrWhiteSpace(Abstract);
    public bool IsEmpty => string.IsNullOrWhiteSpace(Query) && !ByAbstract;
}

public sealed record SearchRow(ListedPaper Paper, double Score, double? Similarity, string MatchedBy);

public sealed record SearchView(PageMeta Meta, SearchForm Form, IReadOnlyList<SearchRow> Results, int Total, Paging Paging,
    IReadOnlyList<string> Errors, IReadOnlySet<string> Terms, IReadOnlyList<TopicCount> Topics, VoteState Votes);

public sealed record TopicView(PageMeta Meta, string Id, string Name, string? Description, bool IsArxivCategory,
    IReadOnlyList<ListedPaper> Trending, IReadOnlyList<ListedPaper> Recent, int Total, Paging Paging, VoteState Votes);

public sealed record TopicsView(PageMeta Meta, IReadOnlyList<TopicCount> Topics, IReadOnlyList<ArxivCategory> Unused);

public sealed record AuthorView(PageMeta Meta, string Name, IReadOnlyList<ListedPaper> Papers, int Total, Paging Paging, VoteState Votes);

public sealed record SubscribeView(PageMeta Meta, bool Sent, string? Error, string? Email, string? Topics);

public sealed record MessageView(PageMeta Meta, string Heading, string Text, string LinkText, string LinkUrl);

/// <summary>The antiforgery field a page's form carries.</summary>
public sealed record FormToken(string FieldName, string Token);

/// <summary>On a paper's page, for a signed-in reader: their collections (and which hold this paper), to save it to or remove it from.</summary>
public sealed record SaveToLibrary(FormToken Form, IReadOnlyList<(Library.CollectionSummary Collection, bool HasPaper)> Collections);

public sealed record LibraryPageView(PageMeta Meta, IReadOnlyList<Library.CollectionSummary> Collections, FormToken Form, string? Error);

/// <param name="Mine">The reader owns it (and may change it); otherwise it is someone's public collection.</param>
public sealed record CollectionPageView(PageMeta Meta, Library.CollectionView Collection, bool Mine, FormToken? Form);

/// <param name="Collection">The collection it learned from; null for the whole library.</param>
public sealed record ForYouView(PageMeta Meta, IReadOnlyList<Library.CollectionSummary> Collections, Library.CollectionSummary? Collection,
    IReadOnlyList<Recommendations.ForYouItem> Items);

/// <param name="NewToken">A feed token just issued: shown once, here.</param>
public sealed record AccountPageView(PageMeta Meta, Accounts.AccountView Account, FormToken Form, Accounts.FeedToken? NewToken, string? Notice);

/// <summary>A question asked before something that can't be undone (delete the account, sign out): one form, one button.</summary>
public sealed record ConfirmView(PageMeta Meta, string Heading, string Text, string Action, string Button, FormToken Form, string CancelUrl);
