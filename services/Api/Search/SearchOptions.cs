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

    /// <summary>
    /// How vectors are stored in the HNSW graph. I8 measured within 1.5 points of recall@10 of
    /// F16 at half its memory (services/Api/README.md, "Search sizing"); F16 at 2.7M papers
    /// would need ~2 GiB for the vectors alone.
    /// </summary>
    public VectorQuantization Quantization { get; set; } = VectorQuantization.I8;

    /// <summary>HNSW M: neighbours per node (twice that on the base layer).</summary>
    public int Connectivity { get; set; } = 16;

    /// <summary>HNSW ef at build time.</summary>
    public int ExpansionAdd { get; set; } = 128;

    /// <summary>
    /// HNSW ef at search time (USearch raises it to the results wanted, <see cref="RankFusion.Candidates"/>
    /// for search). Measured on the bench's corpus at 1M papers: ef 200 → recall@10 0.64, ef 800 →
    /// 0.83 (0.98 counting near-ties within 0.01 of the exact 10th) for ~2 ms more a search; the
    /// bench sweeps it (services/Api/README.md, "Search sizing").
    /// </summary>
    public int ExpansionSearch { get; set; } = 800;

    /// <summary>How often changes are written as a snapshot (and on shutdown); a restart catches up from the last one.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lucene's in-memory buffer of new documents before it writes a segment.</summary>
    public double WriterBufferMegabytes { get; set; } = 32;

    public HnswSettings Hnsw => new(Quantization, Connectivity, ExpansionAdd, ExpansionSearch);
}
