using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Papers.Ingest.Data;
using Papers.Ingest.Harvest;
using Papers.Ingest.Intake;
using Papers.Ingest.Sources;
using Papers.Ingest.Tests.Sources;

namespace Papers.Ingest.Tests.Harvest;

/// <summary>Fails the n-th SaveChanges, as a database outage would.</summary>
internal sealed class FailingSave(int failOnCall) : SaveChangesInterceptor
{
    private int _calls;

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ++_calls == failOnCall ? throw new DbUpdateException("database unavailable") : ValueTask.FromResult(result);
}

/// <summary>The harvest pieces wired by hand on one DbContext, pointed at a replay server.</summary>
internal sealed class HarvestRig(IngestDbContext db, ReplayServer server, string[]? sets = null)
{
    public static readonly DateOnly InitialFrom = new(2014, 10, 1);

    public IOptions<ArxivOaiOptions> Options { get; } = Microsoft.Extensions.Options.Options.Create(new ArxivOaiOptions
    {
        BaseUrl = server.Url("/oai"),
        MinDelay = TimeSpan.Zero,
        InitialFrom = InitialFrom,
        Sets = sets ?? [],
    });

    public HarvestIntake Intake { get; } = new(db, new PaperIntake(db, TimeProvider.System), TimeProvider.System);

    public OaiPmhHarvester Harvester() => new(
        new OaiPmhClient(new HttpClient(), Options, new PolitenessGate(TimeProvider.System), TimeProvider.System, NullLogger<OaiPmhClient>.Instance),
        Intake, Intake, Options, TimeProvider.System, NullLogger<OaiPmhHarvester>.Instance);

    public OaiHarvestJob Job() => new(Harvester(), Intake, db, Options, TimeProvider.System, NullLogger<OaiHarvestJob>.Instance);
}

/// <summary>Hand-made OAI-PMH ListRecords pages of arXivRaw records.</summary>
internal static class OaiXml
{
    public static string Page(IEnumerable<string> ids, string submitted = "Mon, 8 Jan 2024 10:00:00 GMT", string datestamp = "2024-01-09", string? token = null) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">
        <responseDate>2024-01-10T06:00:00Z</responseDate>
        <request verb="ListRecords" metadataPrefix="arXivRaw">http://oai.example/oai</request>
        <ListRecords>
        {string.Concat(ids.Select(id => Record(id, submitted, datestamp)))}
        {(token is null ? "" : $"<resumptionToken>{token}</resumptionToken>")}
        </ListRecords>
        </OAI-PMH>
        """;

    private static string Record(string id, string submitted, string datestamp) => $"""
        <record><header><identifier>oai:arXiv.org:{id}</identifier><datestamp>{datestamp}</datestamp><setSpec>cs</setSpec></header>
        <metadata><arXivRaw xmlns="http://arxiv.org/OAI/arXivRaw/"><id>{id}</id><submitter>Ada</submitter>
        <version version="v1"><date>{submitted}</date><size>10kb</size></version>
        <title>Paper {id}</title><authors>Ada Lovelace</authors><categories>cs.LG</categories><abstract>About {id}.</abstract></arXivRaw></metadata></record>
        """;
}
