namespace Papers.Api.Search;

public enum SearchBackend
{
    /// <summary><see cref="SearchIndex"/>: everything in memory, rebuilt from the read model at every start (embedded default).</summary>
    InMemory,

    /// <summary><see cref="DiskSearchIndex"/>: Lucene.Net + USearch HNSW under <see cref="SearchOptions.IndexDirectory"/> (clusters).</summary>
    Disk,
}

/// <summary>Section <c>Search</c>; sizing and measurements in services/Api/README.md, "Search sizing".</summary>
public sealed class SearchOptions
{
    public const string Section = "Search";

    public SearchBackend Backend { get; set; } = SearchBackend.InMemory;

    /// <summary>Where the disk index lives (one directory per replica: Lucene locks it); needed for <see cref="SearchBackend.Disk"/>.</summary>
    public string? IndexDirectory { get; set; }

    /// <summary>How vectors are stored in the HNSW graph (the bench compares them: services/Api/README.md).</summary>
    public VectorQuantization Quantization { get; set; } = VectorQuantization.I8;

    /// <summary>HNSW M: neighbours per node (twice that on the base layer).</summary>
    public int Connectivity { get; set; } = 16;

    /// <summary>HNSW ef at build time.</summary>
    public int ExpansionAdd { get; set; } = 128;

    /// <summary>
    /// HNSW ef at search time (USearch raises it to the results wanted, <see cref="RankFusion.Candidates"/>
    /// for search). Measured at 1M papers: ef 200 → recall@10 0.65, ef 800 → 0.85 (0.98 counting
    /// near-ties within 0.01) for ~1.3 ms a search; the bench sweeps it (services/Api/README.md).
    /// </summary>
    public int ExpansionSearch { get; set; } = 800;

    /// <summary>How often changes are written as a snapshot (and on shutdown); a restart catches up from the last one.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lucene's in-memory buffer of new documents before it writes a segment.</summary>
    public double WriterBufferMegabytes { get; set; } = 32;

    public HnswSettings Hnsw => new(Quantization, Connectivity, ExpansionAdd, ExpansionSearch);
}
