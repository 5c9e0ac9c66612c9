using System.Collections;
using System.Diagnostics;

namespace Papers.EndToEnd.Tests;

/// <summary>A thread-safe collection for the in-memory exporter: spans end on many threads while a test reads.</summary>
public sealed class SpanCollection : ICollection<Activity>
{
    private readonly List<Activity> _spans = [];

    public IReadOnlyList<Activity> Snapshot()
    {
        lock (_spans)
            return [.. _spans];
    }

    public void Add(Activity item)
    {
        lock (_spans)
            _spans.Add(item);
    }

    public void Clear()
    {
        lock (_spans)
            _spans.Clear();
    }

    public bool Contains(Activity item)
    {
        lock (_spans)
            return _spans.Contains(item);
    }

    public void CopyTo(Activity[] array, int arrayIndex)
    {
        lock (_spans)
            _spans.CopyTo(array, arrayIndex);
    }

    public bool Remove(Activity item)
    {
        lock (_spans)
            return _spans.Remove(item);
    }

    public int Count
    {
        get
        {
            lock (_spans)
                return _spans.Count;
        }
    }

    public bool IsReadOnly => false;

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
