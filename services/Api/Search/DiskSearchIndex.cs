using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Microsoft.Extensions.Options;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Papers.Api.Search;

/// <summary>
/// The cluster search backend (<c>Search:Backend=Disk</c>): BM25 in Lucene.Net over the same
/// tokens and fields as <see cref="SearchIndex"/> (title twice, abstract, authors, keywords in
/// one field), and one USearch HNSW graph per embedding model (cosine; vectors of different
/// models are never compared), fused by reciprocal rank like the in-memory index
/// (<see cref="RankFusion"/>). Persisted under <c>Search:IndexDirectory</c>:
/// <c>lucene/</c> (memory-mapped) and <c>vectors/*.usearch</c> (loaded into memory). A
/// snapshot is the HNSW files followed by a Lucene commit whose user data holds the watermark,
/// the next vector key and the models' files, so a restarted replica opens it and catches up on
/// rows changed since. Each paper has a durable <see cref="ulong"/> key (Lucene fields
/// <c>k</c> and <c>key</c>), its USearch key.
/// </summary>
public sealed class DiskSearchIndex : ISearchIndex, IDisposable
{
    private const string Format = "1";
    private const string IdField = "id", IdValues = "idv", KeyField = "k", KeyValues = "key", TextField = "text";

    /// <summary>Stored only: the title and abstract that similar papers use as a keyword query.</summary>
    private const string SimilarityTextField = "similar";
    private static readonly Similarity Bm25 = new BM25Similarity(1.2f, 0.75f);
    private static readonly FieldType TextType = NewTextType();

    private readonly string _vectorDirectory;
    private readonly SearchOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly System.Threading.Lock _write = new();
    private readonly LuceneDirectory _directory;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _searchers;
    private readonly ConcurrentDictionary<string, VectorIndex> _vectors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _dirty = new(StringComparer.Ordinal);
    private ulong _nextKey = 1;
    private long _changes;
    private DateTimeOffset _lastCheckpoint;

    public DiskSearchIndex(IOptions<SearchOptions> options, ILogger<DiskSearchIndex> logger, TimeProvider clock)
        : this(options.Value, logger, clock)
    {
    }

    public DiskSearchIndex(SearchOptions options, ILogger logger, TimeProvider clock)
    {
        _options = options;
        _logger = logger;
        _clock = clock;
        var root = options.IndexDirectory is { Length: > 0 } d ? Path.GetFullPath(d)
            : throw new InvalidOperationException($"{SearchOptions.Section}:Backend=Disk needs {SearchOptions.Section}:IndexDirectory (a directory of this replica's own).");
        _vectorDirectory = Path.Combine(root, "vectors");
        System.IO.Directory.CreateDirectory(_vectorDirectory);
        var lucene = Path.Combine(root, "lucene");
        _directory = FSDirectory.Open(lucene);
        try
        {
            _writer = OpenWriter(OpenMode.CREATE_OR_APPEND);
        }
        catch (Exception ex) when (ex is CorruptIndexException or EndOfStreamException or FileNotFoundException)
        {
            logger.LogWarning(ex, "The search index's Lucene files can't be read; rebuilding it from the read model");
            _directory.Dispose();
            System.IO.Directory.Delete(lucene, recursive: true);
            _directory = FSDirectory.Open(lucene);
            _writer = OpenWriter(OpenMode.CREATE);
        }
        catch (LockObtainFailedException)
        {
            // Another process (a second replica on the same volume?) has the folder: that stops the start.
            _directory.Dispose();
            throw;
        }
        Restore();
        _searchers = new SearcherManager(_writer, applyAllDeletes: true, new Bm25Searchers());
        _lastCheckpoint = clock.GetUtcNow();
    }

    public DateTime? PersistedWatermark { get; private set; }

    public int Count
    {
        get
        {
            var searcher = _searchers.Acquire();
            try { return searcher.IndexReader.NumDocs; }
            finally { _searchers.Release(searcher); }
        }
    }

    /// <summary>Vector indexes by model, for diagnostics and the bench.</summary>
    public IReadOnlyDictionary<string, VectorIndex> Vectors => _vectors;

    public void Upsert(IReadOnlyCollection<IndexedPaper> papers)
    {
        var batch = papers.GroupBy(p => p.PaperId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        if (batch.Count == 0)
            return;
        lock (_write)
        {
            var keys = new ulong[batch.Count];
            var searcher = _searchers.Acquire();
            try
            {
                for (var i = 0; i < batch.Count; i++)
                    keys[i] = KeyOf(searcher, batch[i].PaperId) ?? _nextKey++;
            }
            finally
            {
                _searchers.Release(searcher);
            }
            foreach (var group in batch.Where(HasVector).GroupBy(p => p.EmbeddingModel!, StringComparer.Ordinal))
                VectorsFor(group.Key, group.First().Embedding!.Length).EnsureCapacity(group.Count());

            // Lucene's writer takes concurrent writers: the batch is spread over the cores (USearch's adds take turns, see VectorIndex).
            Parallel.For(0, batch.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                var paper = batch[i];
                _writer.UpdateDocument(new Term(IdField, paper.PaperId), Document(paper, keys[i]));
                // A paper has at most one vector, in its model's index: a model change, a lost
                // embedding or a key reused after a crash all start by removing the old one.
                foreach (var (model, vectors) in _vectors)
                    if (vectors.Remove(keys[i]))
                        _dirty[model] = true;
                if (HasVector(paper) && _vectors.TryGetValue(paper.EmbeddingModel!, out var target) && target.Dimensions == paper.Embedding!.Length)
                {
                    target.Add(keys[i], paper.Embedding);
                    _dirty[paper.EmbeddingModel!] = true;
                }
            });
            _changes += batch.Count;
            _searchers.MaybeRefreshBlocking();
        }
    }

    public void Remove(string paperId)
    {
        lock (_write)
        {
            var searcher = _searchers.Acquire();
            ulong? key;
            try { key = KeyOf(searcher, paperId); }
            finally { _searchers.Release(searcher); }
            if (key is null)
                return;
            _writer.DeleteDocuments(new Term(IdField, paperId));
            foreach (var (model, vectors) in _vectors)
                if (vectors.Remove(key.Value))
                    _dirty[model] = true;
            _changes++;
            _searchers.MaybeRefreshBlocking();
        }
    }

    public IReadOnlyList<SearchHit> Search(string query, float[]? queryVector, string? model, int limit)
    {
        var searcher = _searchers.Acquire();
        try
        {
            var docs = new Dictionary<ulong, int>();
            var keyword = KeywordCandidates(searcher, query, docs);
            var semantic = queryVector is not null && model is not null ? Nearest(model, queryVector, RankFusion.Candidates, exclude: null) : [];
            return RankFusion.Top(RankFusion.Fuse(keyword, semantic), key => PaperIdOf(searcher, key, docs), limit);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    public IReadOnlyList<(string PaperId, double Similarity)> Similar(string paperId, int limit)
    {
        var searcher = _searchers.Acquire();
        try
        {
            if (KeyAndTextOf(searcher, paperId) is not var (key, text))
                return [];
            foreach (var (model, vectors) in _vectors)
            {
                if (Vector(vectors, key) is not { } vector)
                    continue;
                // A snapshot written before the text was stored finds by meaning alone until the paper is upserted again.
                return SimilarHits(searcher, text ?? "", vector, model, key, limit, FusionWeights.Similar)
                    .Select(h => (h.PaperId, h.Similarity ?? Cosine(searcher, vectors, vector, h.PaperId))).ToList();
            }
            return [];
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    public IReadOnlyList<SearchHit> SimilarTo(string text, float[]? vector, string? model, string? exclude, int limit, FusionWeights? blend = null)
    {
        var searcher = _searchers.Acquire();
        try
        {
            return SimilarHits(searcher, text, vector, model, exclude is null ? null : KeyOf(searcher, exclude), limit, blend ?? FusionWeights.Similar);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    private List<SearchHit> SimilarHits(IndexSearcher searcher, string text, float[]? vector, string? model, ulong? exclude, int limit, FusionWeights blend)
    {
        var docs = new Dictionary<ulong, int>();
        var keyword = blend.Keyword > 0 ? KeywordCandidates(searcher, text, docs) : [];
        if (exclude is { } excluded)
            keyword.Remove(excluded);
        var semantic = vector is not null && model is not null && blend.Meaning > 0 ? Nearest(model, vector, RankFusion.Candidates, exclude) : [];
        var queryNeighbours = semantic.Take(RankFusion.SharedNeighbourCount).Select(n => n.Key).ToList();
        _vectors.TryGetValue(model ?? "", out var vectors);
        if (blend.Neighbourhood > 0 && semantic.Count > 0 && vectors is not null)
        {
            // The ranking comes from the expanded query; each paper still shows its similarity to the text.
            var neighbours = RankFusion.Neighbourhood(semantic).Select(n => Vector(vectors, n.Key)).OfType<float[]>().ToList();
            var expanded = RankFusion.Expand(vector!, neighbours, blend.Neighbourhood);
            semantic = [.. Nearest(model!, expanded, RankFusion.Candidates, exclude)
                .Select(n => (n.Key, Vector(vectors, n.Key) is { } v ? (double)System.Numerics.Tensors.TensorPrimitives.Dot(vector!, v) : n.Similarity))];
        }
        var fused = RankFusion.Fuse(keyword, semantic, blend);
        if (blend.SharedNeighbours > 0 && queryNeighbours.Count > 0 && vectors is not null)
            // One more nearest paper, as the index may return the candidate itself.
            fused = RankFusion.ShareNeighbours(fused, queryNeighbours, key => Vector(vectors, key) is { } v && v.Length == vector!.Length
                ? (Nearest(model!, v, RankFusion.SharedNeighbourCount + 1, key).Take(RankFusion.SharedNeighbourCount).Select(n => n.Key),
                    System.Numerics.Tensors.TensorPrimitives.Dot(vector, v)) : ([], 0), blend.SharedNeighbours);
        return RankFusion.Top(fused, key => PaperIdOf(searcher, key, docs), limit);
    }

    /// <summary>A stored vector made unit length again (the index keeps it scaled), or null.</summary>
    private static float[]? Vector(VectorIndex vectors, ulong key)
    {
        float[]? vector;
        try { vector = vectors.Get(key); }
        catch (ObjectDisposedException) { return null; }
        if (vector is not null && System.Numerics.Tensors.TensorPrimitives.Norm(vector) is var norm and > 0)
            System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    /// <summary>Embedding similarity of a paper found by keywords only (0 when it has no vector of this model).</summary>
    private static double Cosine(IndexSearcher searcher, VectorIndex vectors, float[] vector, string paperId) =>
        KeyOf(searcher, paperId) is { } key && Vector(vectors, key) is { } other && other.Length == vector.Length
            ? Math.Round(System.Numerics.Tensors.TensorPrimitives.Dot(vector, other), 4) : 0;

    public void Checkpoint(DateTime watermark, bool force = false)
    {
        lock (_write)
        {
            var due = _changes > 0 && (PersistedWatermark is null || _clock.GetUtcNow() - _lastCheckpoint >= _options.CheckpointInterval);
            if (!due && !(force && (_changes > 0 || PersistedWatermark != watermark)))
                return;
            var started = _clock.GetTimestamp();
            foreach (var model in _dirty.Keys.ToList())
            {
                if (!_vectors.TryGetValue(model, out var vectors) || vectors.Count > 0)
                    continue;
                _vectors.TryRemove(model, out _);
                vectors.Dispose();
            }
            var files = _vectors.Keys.ToDictionary(m => m, FileOf, StringComparer.Ordinal);
            foreach (var model in _dirty.Keys.Where(files.ContainsKey))
            {
                var path = Path.Combine(_vectorDirectory, files[model]);
                _vectors[model].Save(path + ".tmp");
                using (var written = new FileStream(path + ".tmp", FileMode.Open, FileAccess.ReadWrite))
                    written.Flush(flushToDisk: true);
                File.Move(path + ".tmp", path, overwrite: true);
            }
            _writer.SetCommitData(new Dictionary<string, string>
            {
                ["format"] = Format,
                ["watermark"] = watermark.Ticks.ToString(CultureInfo.InvariantCulture),
                ["nextKey"] = _nextKey.ToString(CultureInfo.InvariantCulture),
                ["models"] = JsonSerializer.Serialize(files),
            });
            _writer.Commit();
            foreach (var stale in System.IO.Directory.EnumerateFiles(_vectorDirectory).Where(f => !files.ContainsValue(Path.GetFileName(f))))
                File.Delete(stale);
            PersistedWatermark = watermark;
            _changes = 0;
            _dirty.Clear();
            _lastCheckpoint = _clock.GetUtcNow();
            _logger.LogInformation("Search index snapshot written in {Elapsed} ms: {Papers} papers, {Models} vector indexes, watermark {Watermark:o}",
                (long)_clock.GetElapsedTime(started).TotalMilliseconds, Count, files.Count, watermark);
        }
    }

    /// <summary>Closes without writing what no checkpoint wrote: the next start catches up from the last snapshot's watermark.</summary>
    public void Dispose()
    {
        lock (_write)
        {
            _searchers.Dispose();
            _writer.Rollback();
            _directory.Dispose();
            foreach (var vectors in _vectors.Values)
                vectors.Dispose();
            _vectors.Clear();
        }
    }

    private void Restore()
    {
        IDictionary<string, string> data = _writer.CommitData;
        if (data.Count == 0 && _writer.NumDocs == 0)
            return;
        try
        {
            if (!data.TryGetValue("format", out var format) || format != Format)
                throw new InvalidDataException($"snapshot format '{format}', expected '{Format}'");
            var files = JsonSerializer.Deserialize<Dictionary<string, string>>(data["models"])!;
            foreach (var (model, file) in files)
                _vectors[model] = VectorIndex.Load(Path.Combine(_vectorDirectory, file), _options.Hnsw);
            _nextKey = ulong.Parse(data["nextKey"], CultureInfo.InvariantCulture);
            PersistedWatermark = new DateTime(long.Parse(data["watermark"], CultureInfo.InvariantCulture), DateTimeKind.Utc);
            _logger.LogInformation("Search index opened: {Papers} papers, vectors of {Models} model(s), changes up to {Watermark:o}",
                _writer.NumDocs, files.Count, PersistedWatermark);
        }
        catch (Exception ex) when (ex is InvalidDataException or KeyNotFoundException or JsonException or FormatException or InvalidOperationException or IOException)
        {
            _logger.LogWarning(ex, "The search index snapshot can't be used; rebuilding it from the read model");
            foreach (var vectors in _vectors.Values)
                vectors.Dispose();
            _vectors.Clear();
            _writer.DeleteAll();
            _nextKey = 1;
            PersistedWatermark = null;
        }
    }

    private IndexWriter OpenWriter(OpenMode mode) => new(_directory, new IndexWriterConfig(LuceneVersion.LUCENE_48, new PaperAnalyzer())
    {
        OpenMode = mode,
        Similarity = Bm25,
        RAMBufferSizeMB = _options.WriterBufferMegabytes,
    });

    private VectorIndex VectorsFor(string model, int dimensions) =>
        _vectors.GetOrAdd(model, _ => VectorIndex.Create(dimensions, _options.Hnsw));

    private static bool HasVector(IndexedPaper p) => p.Embedding is { Length: > 0 } && p.EmbeddingModel is not null;

    private List<(ulong Key, double Similarity)> Nearest(string model, float[] vector, int wanted, ulong? exclude)
    {
        if (!_vectors.TryGetValue(model, out var vectors) || vectors.Dimensions != vector.Length)
            return [];
        var keys = new ulong[wanted];
        var distances = new float[wanted];
        int found;
        try
        {
            found = vectors.Search(vector, keys, distances);
        }
        catch (ObjectDisposedException)
        {
            return []; // a model's index emptied by re-enrichment and dropped at a checkpoint
        }
        var result = new List<(ulong, double)>(found);
        for (var i = 0; i < found; i++)
            if (keys[i] != exclude)
                result.Add((keys[i], 1.0 - distances[i]));
        return result;
    }

    private static List<ulong> KeywordCandidates(IndexSearcher searcher, string query, Dictionary<ulong, int> docs)
    {
        var terms = TextTokens.Tokenize(query).Distinct(StringComparer.Ordinal).ToList();
        if (terms.Count == 0)
            return [];
        var top = KeywordScorer.Top(searcher, TextField, Bm25, terms, RankFusion.Candidates);
        var leaves = searcher.IndexReader.Leaves;
        var keys = new List<ulong>(top.Count);
        foreach (var (doc, _) in top)
        {
            var leaf = leaves[ReaderUtil.SubIndex(doc, leaves)];
            var key = (ulong)leaf.AtomicReader.GetNumericDocValues(KeyValues).Get(doc - leaf.DocBase);
            docs[key] = doc;
            keys.Add(key);
        }
        return keys;
    }

    /// <summary>The durable key of a paper (its USearch key), or null; for diagnostics and the bench.</summary>
    public ulong? KeyOf(string paperId)
    {
        var searcher = _searchers.Acquire();
        try { return KeyOf(searcher, paperId); }
        finally { _searchers.Release(searcher); }
    }

    /// <summary>Keyword candidates by KeywordScorer and by Lucene's own BooleanQuery, for tests: (doc, score) best first.</summary>
    internal (List<(int Doc, float Score)> Pruned, List<(int Doc, float Score)> Lucene) CompareKeywordScoring(string query, int k)
    {
        var searcher = _searchers.Acquire();
        try
        {
            var terms = TextTokens.Tokenize(query).Distinct(StringComparer.Ordinal).ToList();
            var boolean = new BooleanQuery(disableCoord: true);
            foreach (var term in terms)
                boolean.Add(new TermQuery(new Term(TextField, term)), Occur.SHOULD);
            return (KeywordScorer.Top(searcher, TextField, Bm25, terms, k),
                searcher.Search(boolean, k).ScoreDocs.Select(d => (d.Doc, d.Score)).ToList());
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>A paper's key and the text it is compared by in similar papers (null in a snapshot written before it was stored).</summary>
    private static (ulong Key, string? Text)? KeyAndTextOf(IndexSearcher searcher, string paperId)
    {
        var term = new Term(IdField, paperId);
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var postings = leaf.AtomicReader.GetTermDocsEnum(term);
            if (postings is not null && postings.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                return ((ulong)leaf.AtomicReader.GetNumericDocValues(KeyValues).Get(postings.DocID),
                    leaf.AtomicReader.Document(postings.DocID).Get(SimilarityTextField));
        }
        return null;
    }

    private static ulong? KeyOf(IndexSearcher searcher, string paperId)
    {
        var term = new Term(IdField, paperId);
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var postings = leaf.AtomicReader.GetTermDocsEnum(term);
            if (postings is not null && postings.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                return (ulong)leaf.AtomicReader.GetNumericDocValues(KeyValues).Get(postings.DocID);
        }
        return null;
    }

    /// <summary>The paper of a key: through the keyword hits' documents, else the key's term; null if no live document has it.</summary>
    private static string? PaperIdOf(IndexSearcher searcher, ulong key, Dictionary<ulong, int> docs)
    {
        var leaves = searcher.IndexReader.Leaves;
        if (docs.TryGetValue(key, out var doc))
        {
            var leaf = leaves[ReaderUtil.SubIndex(doc, leaves)];
            return IdOf(leaf.AtomicReader, doc - leaf.DocBase);
        }
        var term = new Term(KeyField, KeyTerm(key));
        foreach (var leaf in leaves)
        {
            var postings = leaf.AtomicReader.GetTermDocsEnum(term);
            if (postings is not null && postings.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                return IdOf(leaf.AtomicReader, postings.DocID);
        }
        return null;
    }

    private static string IdOf(AtomicReader reader, int doc)
    {
        var bytes = new BytesRef();
        reader.GetBinaryDocValues(IdValues).Get(doc, bytes);
        return bytes.Utf8ToString();
    }

    private static string KeyTerm(ulong key) => key.ToString("x", CultureInfo.InvariantCulture);

    private static string FileOf(string model) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(model)))[..24] + ".usearch";

    private static List<IIndexableField> Document(IndexedPaper p, ulong key)
    {
        var text = new StringBuilder().Append(p.Title).Append('\n').Append(p.Title).Append('\n').Append(p.Abstract);
        foreach (var s in p.Authors.Concat(p.Keywords))
            text.Append('\n').Append(s);
        return
        [
            new StringField(IdField, p.PaperId, Field.Store.NO),
            new BinaryDocValuesField(IdValues, new BytesRef(p.PaperId)),
            new StringField(KeyField, KeyTerm(key), Field.Store.NO),
            new NumericDocValuesField(KeyValues, (long)key),
            new Field(TextField, text.ToString(), TextType),
            new StoredField(SimilarityTextField, SearchIndex.SimilarityText(p)),
        ];
    }

    private static FieldType NewTextType()
    {
        // BM25 needs term frequencies and lengths (norms), not positions: no phrase queries here.
        var type = new FieldType { IsIndexed = true, IsTokenized = true, IsStored = false, IndexOptions = IndexOptions.DOCS_AND_FREQS };
        type.Freeze();
        return type;
    }

    private sealed class Bm25Searchers : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = Bm25 };
    }
}
