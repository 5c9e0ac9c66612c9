using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using static Papers.Api.Search.UsearchNative;

namespace Papers.Api.Search;

/// <summary>How a <see cref="VectorIndex"/> stores vectors: bytes per dimension 4, 2, 2, 1.</summary>
public enum VectorQuantization
{
    F32,
    F16,
    BF16,
    I8,
}

/// <summary>HNSW parameters (USearch names): M, ef at build time, ef at search time (raised to the number of results wanted), thread contexts.</summary>
public sealed record HnswSettings(VectorQuantization Quantization = VectorQuantization.I8, int Connectivity = 16,
    int ExpansionAdd = 128, int ExpansionSearch = 800, int Contexts = 0)
{
    /// <summary>Concurrent operations the native index serves; more wait. Default: 4 per core, at least 16.</summary>
    public int EffectiveContexts => Contexts > 0 ? Contexts : Math.Max(16, 4 * Environment.ProcessorCount);
}

/// <summary>
/// One USearch HNSW graph (cosine distance) of one embedding model's vectors, keyed by
/// <see cref="ulong"/>. Thread safety, from USearch's <c>index_dense.hpp</c>: add, remove, get
/// and search may run concurrently, each on one of a fixed number of thread contexts (a call
/// finding none free fails, so <see cref="_contexts"/> queues callers); growing the capacity
/// (<c>usearch_reserve</c>) must run alone, so it takes <see cref="_resize"/> for writing and
/// everything else takes it for reading.
/// </summary>
public sealed class VectorIndex : IDisposable
{
    private readonly ReaderWriterLockSlim _resize = new();
    private readonly SemaphoreSlim _contexts;
    private readonly int _contextCount;
    private readonly bool _int8;
    private IntPtr _handle;

    private VectorIndex(IntPtr handle, HnswSettings settings, ScalarKind storage)
    {
        _handle = handle;
        _int8 = storage == ScalarKind.Int8;
        _contextCount = settings.EffectiveContexts;
        _contexts = new SemaphoreSlim(_contextCount);
        Dimensions = (int)usearch_dimensions(handle, out var error);
        Check(error, "dimensions");
        usearch_change_expansion_search(handle, (nuint)settings.ExpansionSearch, out error);
        Check(error, "change_expansion_search");
        SetContexts();
    }

    public int Dimensions { get; }

    /// <summary>Vectors present (removed ones excluded).</summary>
    public long Count
    {
        get
        {
            using var lease = Enter(context: false);
            return (long)usearch_size(lease.Handle, out _);
        }
    }

    /// <summary>USearch's own estimate of its memory (graph, vectors, lookups), within ~10%.</summary>
    public long MemoryBytes
    {
        get
        {
            using var lease = Enter(context: false);
            return (long)usearch_memory_usage(lease.Handle, out _);
        }
    }

    public static VectorIndex Create(int dimensions, HnswSettings settings)
    {
        var options = Options(dimensions, settings);
        var handle = usearch_init(ref options, out var error);
        Check(error, "init");
        return new VectorIndex(handle, settings, options.Quantization);
    }

    /// <summary>Loads a file written by <see cref="Save"/> into memory (its quantization and connectivity come from the file).</summary>
    public static VectorIndex Load(string path, HnswSettings settings)
    {
        var options = Options(1, settings);
        usearch_metadata(path, ref options, out var error);
        Check(error, $"metadata of {path}");
        var handle = usearch_init(ref options, out error);
        Check(error, "init");
        usearch_load(handle, path, out error);
        if (error != IntPtr.Zero)
        {
            var message = Marshal.PtrToStringUTF8(error);
            usearch_free(handle, out _);
            throw new InvalidOperationException($"USearch load of {path} failed: {message}");
        }
        return new VectorIndex(handle, settings, options.Quantization);
    }

    /// <summary>Changes the search-time ef (raised to the results wanted by USearch anyway).</summary>
    public void ChangeExpansionSearch(int expansion)
    {
        _resize.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
            usearch_change_expansion_search(_handle, (nuint)expansion, out var error);
            Check(error, "change_expansion_search");
        }
        finally
        {
            _resize.ExitWriteLock();
        }
    }

    /// <summary>Makes room for <paramref name="extra"/> more vectors, so concurrent adds never have to grow the index.</summary>
    public void EnsureCapacity(int extra)
    {
        using (var lease = Enter(context: false))
            if ((long)usearch_size(lease.Handle, out _) + extra <= (long)usearch_capacity(lease.Handle, out _))
                return;
        _resize.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_handle == IntPtr.Zero, this);
            var size = (long)usearch_size(_handle, out _);
            var capacity = (long)usearch_capacity(_handle, out _);
            if (size + extra <= capacity)
                return;
            usearch_reserve(_handle, (nuint)Math.Max(Math.Max(size + extra, capacity + capacity / 2), 1024), out var error);
            Check(error, "reserve");
            SetContexts(); // reserving resets the contexts to the machine's core count
        }
        finally
        {
            _resize.ExitWriteLock();
        }
    }

    /// <summary>Adds a vector under a key that must not be present (remove it first).</summary>
    public void Add(ulong key, ReadOnlySpan<float> vector)
    {
        CheckLength(vector.Length);
        EnsureCapacity(1);
        Span<sbyte> quantized = _int8 ? stackalloc sbyte[vector.Length] : default;
        using var lease = Enter(context: true);
        IntPtr error;
        if (_int8)
            usearch_add_i8(lease.Handle, key, ref MemoryMarshal.GetReference(Quantize(vector, quantized)), ScalarKind.Int8, out error);
        else
            usearch_add(lease.Handle, key, ref MemoryMarshal.GetReference(vector), ScalarKind.Float32, out error);
        Check(error, "add");
    }

    public bool Remove(ulong key)
    {
        using var lease = Enter(context: false);
        var removed = usearch_remove(lease.Handle, key, out var error);
        Check(error, "remove");
        return removed > 0;
    }

    public bool Contains(ulong key)
    {
        using var lease = Enter(context: false);
        return usearch_contains(lease.Handle, key, out _);
    }

    /// <summary>Nearest vectors, best first: fills keys and cosine distances (1 − cosine) and returns how many.</summary>
    public int Search(ReadOnlySpan<float> query, Span<ulong> keys, Span<float> distances)
    {
        CheckLength(query.Length);
        if (keys.Length == 0 || distances.Length < keys.Length)
            return 0;
        Span<sbyte> quantized = _int8 ? stackalloc sbyte[query.Length] : default;
        using var lease = Enter(context: true);
        IntPtr error;
        var found = _int8
            ? usearch_search_i8(lease.Handle, ref MemoryMarshal.GetReference(Quantize(query, quantized)), ScalarKind.Int8, (nuint)keys.Length,
                ref MemoryMarshal.GetReference(keys), ref MemoryMarshal.GetReference(distances), out error)
            : usearch_search(lease.Handle, ref MemoryMarshal.GetReference(query), ScalarKind.Float32, (nuint)keys.Length,
                ref MemoryMarshal.GetReference(keys), ref MemoryMarshal.GetReference(distances), out error);
        Check(error, "search");
        return (int)found;
    }

    /// <summary>The stored vector of a key (as quantized, scaled: same direction, so the same cosines), or null.</summary>
    public float[]? Get(ulong key)
    {
        var vector = new float[Dimensions];
        using var lease = Enter(context: false);
        return usearch_get(lease.Handle, key, 1, ref vector[0], ScalarKind.Float32, out _) > 0 ? vector : null;
    }

    /// <summary>Writes the index to a file; searches may go on, adds and removes must not.</summary>
    public void Save(string path)
    {
        using var lease = Enter(context: false);
        usearch_save(lease.Handle, path, out var error);
        Check(error, $"save to {path}");
    }

    public void Dispose()
    {
        _resize.EnterWriteLock();
        try
        {
            if (_handle != IntPtr.Zero)
                usearch_free(_handle, out _);
            _handle = IntPtr.Zero;
        }
        finally
        {
            _resize.ExitWriteLock();
        }
    }

    private static InitOptions Options(int dimensions, HnswSettings settings) => new()
    {
        MetricKind = MetricKind.Cos,
        Quantization = settings.Quantization switch
        {
            VectorQuantization.F32 => ScalarKind.Float32,
            VectorQuantization.F16 => ScalarKind.Float16,
            VectorQuantization.BF16 => ScalarKind.BFloat16,
            _ => ScalarKind.Int8,
        },
        Dimensions = (nuint)dimensions,
        Connectivity = (nuint)settings.Connectivity,
        ExpansionAdd = (nuint)settings.ExpansionAdd,
        ExpansionSearch = (nuint)settings.ExpansionSearch,
    };

    /// <summary>
    /// Int8 storage, quantized here rather than by USearch: its own cast scales a vector to unit
    /// length before mapping [-1, 1] to [-127, 127], so a MiniLM vector (components mostly
    /// within ±0.2) uses a tenth of the range. Scaling the largest component to ±127 uses all of
    /// it; cosine ignores the scale (measured recall: services/Api/README.md, "Search sizing").
    /// </summary>
    private static Span<sbyte> Quantize(ReadOnlySpan<float> vector, Span<sbyte> quantized)
    {
        var max = Math.Abs(TensorPrimitives.MaxMagnitude(vector));
        var scale = max > 0 ? 127 / max : 0;
        for (var i = 0; i < vector.Length; i++)
            quantized[i] = (sbyte)Math.Round(vector[i] * scale);
        return quantized;
    }

    private void SetContexts()
    {
        usearch_change_threads_add(_handle, (nuint)_contextCount, out var error);
        Check(error, "change_threads_add");
        usearch_change_threads_search(_handle, (nuint)_contextCount, out error);
        Check(error, "change_threads_search");
    }

    private void CheckLength(int length)
    {
        if (length != Dimensions)
            throw new ArgumentException($"The vector has {length} dimensions; this index holds {Dimensions}.");
    }

    /// <summary>Shares the index with other calls (not with a reserve); with a thread context for add and search.</summary>
    private Lease Enter(bool context)
    {
        if (context)
            _contexts.Wait();
        _resize.EnterReadLock();
        if (_handle != IntPtr.Zero)
            return new Lease(this, context);
        _resize.ExitReadLock();
        if (context)
            _contexts.Release();
        throw new ObjectDisposedException(nameof(VectorIndex));
    }

    private readonly struct Lease(VectorIndex owner, bool context) : IDisposable
    {
        public IntPtr Handle => owner._handle;

        public void Dispose()
        {
            owner._resize.ExitReadLock();
            if (context)
                owner._contexts.Release();
        }
    }
}
