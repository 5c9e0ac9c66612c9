using Papers.Contracts;
using Papers.Domain;

namespace Papers.Api.Browse;

/// <summary>What browsing by topic, author and date needs of a paper (no text, no vectors).</summary>
public sealed record PaperFacets(
    string PaperId,
    DateOnly ListedOn,
    DateOnly? PublishedOn,
    int Upvotes,
    IReadOnlyList<string> Categories,
    IReadOnlyList<TopicTag> Tags,
    IReadOnlyList<string> Authors)
{
    /// <summary>The day filters by date use: the first version's, else the day it was listed.</summary>
    public DateOnly Date => PublishedOn ?? ListedOn;

    /// <summary>Its arXiv categories and the topics it was tagged with.</summary>
    public IEnumerable<string> Topics => Categories.Concat(Tags.Select(t => t.Topic)).Distinct(StringComparer.OrdinalIgnoreCase);

    public bool HasTopic(string topic) =>
        Categories.Contains(topic, StringComparer.OrdinalIgnoreCase) || Tags.Any(t => string.Equals(t.Topic, topic, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Filters of listings and search: a publication date range; an arXiv category (the paper's own
/// categories, or for a paper that came without any, the tagger's prediction); a topic (a category
/// or any topic it was tagged with, custom topics included); an author.
/// </summary>
public sealed record PaperFilter(DateOnly? From = null, DateOnly? To = null, string? Category = null, string? Topic = null, string? Author = null)
{
    public bool IsEmpty => From is null && To is null && Category is null && Topic is null && Author is null;

    public bool Matches(PaperFacets p) =>
        (From is not { } from || p.Date >= from)
        && (To is not { } to || p.Date <= to)
        && (Category is null || (p.Categories.Count > 0
            ? p.Categories.Contains(Category, StringComparer.OrdinalIgnoreCase)
            : p.Tags.Any(t => string.Equals(t.Topic, Category, StringComparison.OrdinalIgnoreCase))))
        && (Topic is null || p.HasTopic(Topic))
        && (Author is null || p.Authors.Any(a => FacetIndex.AuthorKey(a) == FacetIndex.AuthorKey(Author)));
}

/// <summary>A topic and how many papers carry it.</summary>
public sealed record TopicCount(string Id, string Name, int Papers, bool IsArxivCategory);

/// <summary>A position in the newest-first order: listed day, then id.</summary>
public readonly record struct ListingKey(DateOnly ListedOn, string PaperId);

/// <summary>
/// This replica's in-memory view of every paper's facets, kept in step with the read model by
/// <see cref="FacetHydrator"/>: papers by topic (arXiv categories and tagger topics) and by author,
/// each newest first, so topic and author pages, "more from these authors", the filters of search
/// and of <c>/v1</c> answer without scanning the papers table. About 1.4 KB a paper (140 MiB per
/// 100k papers, as <c>tools/Web.Bench memory</c> measures it).
/// </summary>
public sealed class FacetIndex
{
    private static readonly IComparer<ListingKey> NewestFirst = Comparer<ListingKey>.Create((a, b) =>
    {
        var byDay = b.ListedOn.CompareTo(a.ListedOn);
        return byDay != 0 ? byDay : string.CompareOrdinal(a.PaperId, b.PaperId);
    });

    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<string, PaperFacets> _papers = new(StringComparer.Ordinal);
    private readonly SortedSet<ListingKey> _all = new(NewestFirst);
    private readonly Dictionary<string, SortedSet<ListingKey>> _byTopic = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SortedSet<ListingKey>> _byAuthor = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _topicNames = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _authorNames = new(StringComparer.Ordinal);

    /// <summary>How an author's name is matched: case and spacing ignored.</summary>
    public static string AuthorKey(string name) =>
        string.Join(' ', name.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _papers.Count; }
            finally { _lock.ExitReadLock(); }
        }
    }

    public void Upsert(IEnumerable<PaperFacets> papers)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var paper in papers)
            {
                RemoveLocked(paper.PaperId);
                _papers[paper.PaperId] = paper;
                var key = new ListingKey(paper.ListedOn, paper.PaperId);
                _all.Add(key);
                foreach (var topic in paper.Topics)
                    Bucket(_byTopic, topic).Add(key);
                foreach (var tag in paper.Tags)
                    _topicNames[tag.Topic] = tag.Name;
                foreach (var author in paper.Authors)
                {
                    var authorKey = AuthorKey(author);
                    if (authorKey.Length == 0)
                        continue;
                    Bucket(_byAuthor, authorKey).Add(key);
                    _authorNames.TryAdd(authorKey, author.Trim());
                }
            }
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public PaperFacets? Get(string paperId)
    {
        _lock.EnterReadLock();
        try { return _papers.GetValueOrDefault(paperId); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Papers matching <paramref name="filter"/>, newest listing first, after <paramref name="after"/> and <paramref name="skip"/> more; ask one more than a page to know whether there is a next.</summary>
    public IReadOnlyList<PaperFacets> Page(PaperFilter filter, ListingKey? after, int skip, int limit)
    {
        _lock.EnterReadLock();
        try
        {
            var result = new List<PaperFacets>(Math.Min(limit, 1000));
            foreach (var key in Candidates(filter))
            {
                if (after is { } a && NewestFirst.Compare(key, a) <= 0)
                    continue;
                var paper = _papers[key.PaperId];
                if (!filter.Matches(paper) || skip-- > 0)
                    continue;
                result.Add(paper);
                if (result.Count == limit)
                    break;
            }
            return result;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>How many papers match (counts every candidate: for pages' headings, not hot paths).</summary>
    public int CountMatching(PaperFilter filter)
    {
        _lock.EnterReadLock();
        try { return Candidates(filter).Count(k => filter.Matches(_papers[k.PaperId])); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The papers listed in the last <paramref name="days"/> days that match, by <see cref="Trending"/> score as of <paramref name="now"/>.</summary>
    public IReadOnlyList<PaperFacets> Trending(PaperFilter filter, DateTimeOffset now, int days, int limit)
    {
        var since = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-days);
        _lock.EnterReadLock();
        try
        {
            var recent = new List<PaperFacets>();
            foreach (var key in Candidates(filter))
            {
                if (key.ListedOn < since)
                    break;
                var paper = _papers[key.PaperId];
                if (paper.Upvotes > 0 && filter.Matches(paper))
                    recent.Add(paper);
            }
            return [.. Browse.Trending.Order(recent, now, p => p.Upvotes, p => p.ListedOn, p => p.PublishedOn, p => p.PaperId).Take(limit)];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Other papers by any of these authors, newest first.</summary>
    public IReadOnlyList<PaperFacets> ByAuthors(IEnumerable<string> authors, string? except, int limit)
    {
        _lock.EnterReadLock();
        try
        {
            var keys = new SortedSet<ListingKey>(NewestFirst);
            foreach (var author in authors.Take(50))
                if (_byAuthor.TryGetValue(AuthorKey(author), out var set))
                    foreach (var key in set.Where(k => k.PaperId != except).Take(limit))
                        keys.Add(key);
            return [.. keys.Take(limit).Select(k => _papers[k.PaperId])];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>Every topic papers carry, with counts, most papers first.</summary>
    public IReadOnlyList<TopicCount> Topics()
    {
        _lock.EnterReadLock();
        try
        {
            return [.. _byTopic.Where(t => t.Value.Count > 0)
                .Select(t => new TopicCount(CanonicalTopicLocked(t.Key), TopicNameLocked(t.Key), t.Value.Count, ArxivTaxonomy.IsCategory(t.Key)))
                .OrderByDescending(t => t.Papers).ThenBy(t => t.Id, StringComparer.OrdinalIgnoreCase)];
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>A topic's canonical id and name, if any paper carries it or it is an arXiv category.</summary>
    public (string Id, string Name)? Topic(string id)
    {
        _lock.EnterReadLock();
        try
        {
            if (_byTopic.ContainsKey(id) || ArxivTaxonomy.IsCategory(id))
                return (CanonicalTopicLocked(id), TopicNameLocked(id));
            return null;
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <summary>The name of a topic for people ("Computation and Language" for cs.CL); the id when unknown.</summary>
    public string TopicName(string id)
    {
        _lock.EnterReadLock();
        try { return TopicNameLocked(id); }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The author's name as first seen, if any paper has this author.</summary>
    public string? AuthorName(string name)
    {
        _lock.EnterReadLock();
        try { return _authorNames.GetValueOrDefault(AuthorKey(name)); }
        finally { _lock.ExitReadLock(); }
    }

    private IEnumerable<ListingKey> Candidates(PaperFilter filter)
    {
        if (filter.Author is not null)
            return _byAuthor.GetValueOrDefault(AuthorKey(filter.Author)) ?? [];
        if (filter.Topic is not null || filter.Category is not null)
            return _byTopic.GetValueOrDefault(filter.Topic ?? filter.Category!) ?? [];
        return _all;
    }

    private string TopicNameLocked(string id) =>
        ArxivTaxonomy.TryGet(id, out var category) ? category.Name : _topicNames.GetValueOrDefault(id) ?? id;

    private string CanonicalTopicLocked(string id) =>
        ArxivTaxonomy.TryGet(id, out var category) ? category.Id : _topicNames.Keys.FirstOrDefault(k => string.Equals(k, id, StringComparison.OrdinalIgnoreCase)) ?? id;

    private static SortedSet<ListingKey> Bucket(Dictionary<string, SortedSet<ListingKey>> buckets, string key)
    {
        if (!buckets.TryGetValue(key, out var set))
            buckets[key] = set = new SortedSet<ListingKey>(NewestFirst);
        return set;
    }

    private void RemoveLocked(string paperId)
    {
        if (!_papers.Remove(paperId, out var old))
            return;
        var key = new ListingKey(old.ListedOn, old.PaperId);
        _all.Remove(key);
        foreach (var topic in old.Topics)
            if (_byTopic.TryGetValue(topic, out var set))
                set.Remove(key);
        foreach (var author in old.Authors)
            if (_byAuthor.TryGetValue(AuthorKey(author), out var set))
                set.Remove(key);
    }
}
