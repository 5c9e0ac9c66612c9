namespace Papers.Ingest.Sources;

/// <summary>arXiv OAI-PMH harvesting, bound from <c>Sources:ArxivOai</c>.</summary>
public sealed class ArxivOaiOptions
{
    public const string Section = "Sources:ArxivOai";

    /// <summary>The OAI-PMH endpoint; the harvester calls nothing else.</summary>
    public Uri BaseUrl { get; set; } = new("https://oaipmh.arxiv.org/oai");

    /// <summary><c>arXivRaw</c> (all versions with dates) or <c>arXiv</c> (authors split into keyname/forenames).</summary>
    public string MetadataPrefix { get; set; } = "arXivRaw";

    /// <summary>Sets to harvest, such as <c>cs:cs:LG</c>; empty harvests the whole repository.</summary>
    public string[] Sets { get; set; } = [];

    /// <summary>At least this long between two requests to the host (arXiv asks for 3 s).</summary>
    public TimeSpan MinDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>When the scheduled harvest runs (cron, UTC), e.g. <c>0 6 * * *</c> (arXiv updates its
    /// metadata overnight). Empty (the default) turns the scheduled harvest off.</summary>
    public string Cron { get; set; } = "";

    /// <summary>The <c>from</c> of the very first harvest; null means yesterday.</summary>
    public DateOnly? InitialFrom { get; set; }

    /// <summary>How many 503 answers in a row a request may wait out before the harvest stops.</summary>
    public int MaxThrottleRetries { get; set; } = 10;

    /// <summary>The longest Retry-After honoured; a longer one is shortened to this.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The wait after a 503 that gave no Retry-After.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(30);
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
