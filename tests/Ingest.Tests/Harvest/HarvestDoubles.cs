using System.Collections.Concurrent;
using System.Xml.Linq;
using Papers.Ingest.Harvest;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests.Harvest;

/// <summary>A cursor store that keeps every saved cursor, like the database would.</summary>
internal sealed class InMemoryCursorStore : IHarvestCursorStore
{
    private readonly ConcurrentDictionary<string, HarvestCursor> _cursors = new();

    public List<HarvestCursor> Saved { get; } = [];

    public HarvestCursor? this[string source] => _cursors.TryGetValue(source, out var c) ? c : null;

    public Task<HarvestCursor?> GetAsync(string source, CancellationToken ct) => Task.FromResult(this[source]);

    public Task SaveAsync(HarvestCursor cursor, CancellationToken ct)
    {
        _cursors[cursor.Source] = cursor;
        lock (Saved)
            Saved.Add(cursor);
        return Task.CompletedTask;
    }
}

/// <summary>Records the pages it accepted; can be told to fail on its n-th call, as a broker
/// outage or a database error would.</summary>
internal sealed class RecordingSink(int failOnCall = 0) : IPaperSink
{
    private int _calls;

    public List<IReadOnlyList<SourcePaper>> Pages { get; } = [];

    public List<(string Source, RecordFailure Failure)> Quarantined { get; } = [];

    public IEnumerable<string> Ids => Pages.SelectMany(p => p).Select(p => p.ArxivId!);

    public Task HandOnAsync(IReadOnlyList<SourcePaper> papers, CancellationToken ct)
    {
        if (++_calls == failOnCall)
            throw new InvalidOperationException("sink unavailable");
        Pages.Add(papers);
        return Task.CompletedTask;
    }

    public Task QuarantineAsync(string source, IReadOnlyList<RecordFailure> failures, IReadOnlyList<string> readRecordIds, CancellationToken ct)
    {
        Quarantined.AddRange(failures.Select(f => (source, f)));
        return Task.CompletedTask;
    }
}

/// <summary>Splits the recorded ListRecords page into smaller pages chained by tokens t1, t2, ...</summary>
internal static class OaiPages
{
    private static readonly XNamespace Oai = OaiPmhParser.Oai;

    public static IReadOnlyList<string> Split(string recordedPage, int perPage)
    {
        var source = XDocument.Parse(recordedPage);
        var records = source.Root!.Element(Oai + "ListRecords")!.Elements(Oai + "record").ToList();
        var chunks = records.Chunk(perPage).ToList();
        var pages = new List<string>();
        for (var i = 0; i < chunks.Count; i++)
        {
            var page = new XDocument(source);
            var list = page.Root!.Element(Oai + "ListRecords")!;
            list.RemoveNodes();
            list.Add(chunks[i].Select(r => new XElement(r)));
            list.Add(new XElement(Oai + "resumptionToken",
                new XAttribute("cursor", i * perPage),
                new XAttribute("completeListSize", records.Count),
                i + 1 < chunks.Count ? $"t{i + 1}" : string.Empty));
            pages.Add(page.Declaration + Environment.NewLine + page.Root);
        }

        return pages;
    }
}
