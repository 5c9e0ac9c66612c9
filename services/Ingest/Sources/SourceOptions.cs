using Papers.Ingest.Parsing;

namespace Papers.Ingest.Sources;

/// <summary>What every OAI-PMH source is configured with; <see cref="ArxivOaiOptions"/> and
/// <see cref="OaiDcOptions"/> are the two kinds.</summary>
public abstract class OaiSourceOptions
{
    /// <summary>The OAI-PMH endpoint; the harvester calls nothing else.</summary>
    public abstract Uri? BaseUrl { get; set; }

    /// <summary>The <c>metadataPrefix</c> asked for.</summary>
    public abstract string MetadataPrefix { get; set; }

    /// <summary>Sets to harvest; empty harvests the whole repository.</summary>
    public string[] Sets { get; set; } = [];

    /// <summary>At least this long between two requests to the host (arXiv asks for 3 s).</summary>
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>When the scheduled harvest runs (cron, UTC). Empty (the default) turns it off.</summary>
    public string Cron { get; set; } = "";

    /// <summary>The <c>from</c> of the very first harvest; null means yesterday.</summary>
    public DateOnly? InitialFrom { get; set; }

    /// <summary>How many 503 answers in a row a request may wait out before the harvest stops.</summary>
    public int MaxThrottleRetries { get; set; } = 10;

    /// <summary>The longest Retry-After honoured; a longer one is shortened to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The wait after a 503 that gave no Retry-After.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The configuration section, for messages.</summary>
    public abstract string SectionName { get; }

    /// <summary>The cursor key of one harvested stream (one set, or <c>*</c> for the whole repository).</summary>
    public abstract string CursorKey(string? set);

    protected static string SetOrAll(string? set) => string.IsNullOrWhiteSpace(set) ? "*" : set;
}

/// <summary>arXiv OAI-PMH harvesting, bound from <c>Sources:ArxivOai</c>.</summary>
public sealed class ArxivOaiOptions : OaiSourceOptions
{
    public const string Section = "Sources:ArxivOai";

    public override Uri? BaseUrl { get; set; } = new("https://oaipmh.arxiv.org/oai");

    /// <summary><c>arXivRaw</c> (all versions with dates) or <c>arXiv</c> (authors split into keyname/forenames).</summary>
    public override string MetadataPrefix { get; set; } = "arXivRaw";

    public override string SectionName => Section;

    /// <summary><c>arxiv-oai:arXivRaw:cs:cs:LG</c>.</summary>
    public override string CursorKey(string? set) => $"{OaiPmhParser.SourceLabel}:{MetadataPrefix}:{SetOrAll(set)}";
}

/// <summary>
/// A repository harvested in Dublin Core (<c>oai_dc</c>), bound from <c>Sources:OaiDc</c>: the
/// format every OAI-PMH repository offers, and often the only one of an institutional repository.
/// Off unless <see cref="BaseUrl"/> is set.
/// </summary>
public sealed class OaiDcOptions : OaiSourceOptions
{
    public const string Section = "Sources:OaiDc";

    /// <summary>The repository's OAI-PMH endpoint, e.g. <c>https://repository.example.edu/oai</c>; none by default.</summary>
    public override Uri? BaseUrl { get; set; }

    /// <summary>Always <c>oai_dc</c>.</summary>
    public override string MetadataPrefix { get; set; } = "oai_dc";

    public override string SectionName => Section;

    /// <summary><c>oai-dc:repository.example.edu:computer_science</c>.</summary>
    public override string CursorKey(string? set) => $"{DublinCoreRecord.SourceLabel}:{BaseUrl?.Authority}:{SetOrAll(set)}";
}

/// <summary>arXiv query API, bound from <c>Sources:ArxivApi</c>.</summary>
public sealed class ArxivApiOptions
{
    public const string Section = "Sources:ArxivApi";

    /// <summary>The query API, e.g. <c>https://export.arxiv.org/api/query</c>. Null (the default):
    /// not configured, so submissions by arXiv id alone cannot be completed.</summary>
    public Uri? BaseUrl { get; set; }

    /// <summary>At least this long between two requests to the host (arXiv asks for 3 s).</summary>
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Results asked for per request (<c>max_results</c>); arXiv allows up to 2,000.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>How often an unexpectedly empty page (a known API hiccup) is asked again.</summary>
    public int EmptyPageRetries { get; set; } = 2;
}

/// <summary>Hugging Face daily papers, bound from <c>Sources:HfDaily</c>.</summary>
public sealed class HfDailyOptions
{
    public const string Section = "Sources:HfDaily";

    public Uri BaseUrl { get; set; } = new("https://huggingface.co/api/daily_papers");

    /// <summary>When the daily import runs (cron, UTC), e.g. <c>30 23 * * *</c>: late, when the day's
    /// list is mostly complete. Empty (the default) turns the scheduled import off.</summary>
    public string Cron { get; set; } = "";

    /// <summary>Items per request (<c>limit</c>, 1–100).</summary>
    public int PageSize { get; set; } = 100;
}

/// <summary>arXiv's daily listing feeds, bound from <c>Sources:ArxivFeed</c>: the cheapest way to
/// follow a few categories daily. Off unless <see cref="Categories"/> and <see cref="Cron"/> are set.</summary>
public sealed class ArxivFeedOptions
{
    public const string Section = "Sources:ArxivFeed";

    /// <summary>The feed endpoint, <c>https://rss.arxiv.org/rss/</c> (or <c>…/atom/</c>); the categories are appended.</summary>
    public Uri? BaseUrl { get; set; } = new("https://rss.arxiv.org/rss/");

    /// <summary>Categories or archives to follow, such as <c>cs.LG</c>, <c>cs.AI</c> or <c>astro-ph</c>: one feed for all of them.</summary>
    public string[] Categories { get; set; } = [];

    /// <summary>When the feed is read (cron, UTC), e.g. <c>30 5 * * 1-5</c>: after arXiv's announcement
    /// (20:00 US Eastern, Sunday to Thursday). Empty (the default) turns the scheduled read off.</summary>
    public string Cron { get; set; } = "";

    /// <summary>At least this long between two requests to the host.</summary>
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromSeconds(3);
}
