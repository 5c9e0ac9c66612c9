using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Analytics.Archive;
using Papers.Analytics.Data;
using Papers.Contracts;

namespace Papers.Analytics.Tests;

public sealed partial class ArchiveTests
{
    private static readonly DateTimeOffset Today = ArchiveRig.Now;

    [Fact]
    public async Task Every_message_of_the_contracts_table_is_archived_and_the_value_records_are_not()
    {
        var documented = DocumentedMessage().Matches(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Docs", "contracts.README.md")))
            .Select(m => m.Groups[1].Value).ToHashSet();
        var types = new ArchivedTypes(typeof(PaperIngested).Assembly, []);

        Assert.Equal(documented.Order(), types.All.Select(t => t.Name).Order());
        Assert.DoesNotContain(types.All, t => t.Type == typeof(PaperAuthor) || t.Type == typeof(TopicTag));
        Assert.Equal("viewedAt", types.Of(typeof(PaperViewed)).EventTimeField);
        Assert.Equal("announcedAt", types.Of(typeof(EnrichmentRunning)).EventTimeField);
    }

    [Fact]
    public async Task A_message_id_is_archived_once_whether_repeated_in_a_batch_or_in_a_later_one()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        var ids = Enumerable.Range(0, 10).Select(_ => Guid.NewGuid()).ToArray();
        var views = ids.Select((id, i) => (id, Events.Viewed($"2401.0000{i}", Today))).ToArray();

        var first = await rig.AppendAsync([.. views, views[0], views[1]]);
        var again = await rig.AppendAsync(views[..4]);
        var mixed = await rig.AppendAsync([views[5], (Guid.NewGuid(), Events.Viewed("2401.99999", Today))]);

        Assert.Equal((10, 2), (first.Archived, first.Duplicates));
        Assert.Equal((0, 4, 0), (again.Archived, again.Duplicates, again.Files.Count));
        Assert.Equal((1, 1), (mixed.Archived, mixed.Duplicates));
        Assert.Equal(11L, await rig.ScalarAsync("SELECT count(*) FROM PaperViewed"));
        Assert.Equal(11L, await rig.ScalarAsync("SELECT count(DISTINCT messageId) FROM PaperViewed"));
        await using var db = rig.Database.Context();
        Assert.Equal(11, await db.Messages.CountAsync());
    }

    [Fact]
    public async Task Events_land_in_the_day_of_their_own_time_and_closed_files_are_never_rewritten()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        var first = await rig.AppendAsync(Events.Viewed("2401.00001", Today), Events.Viewed("2401.00002", Today.AddDays(-3)));
        var firstFiles = first.Files.ToDictionary(f => f, f => File.GetLastWriteTimeUtc(rig.Layout.FullPath(f)));
        // A late event of three days ago, arriving now.
        var late = await rig.AppendAsync(Events.Viewed("2401.00003", Today.AddDays(-3).AddHours(-1)));

        Assert.Equal(["day=2026-11-27", "day=2026-11-30"], first.Files.Select(f => f.Split('/')[1]).Order());
        Assert.Equal("day=2026-11-27", Assert.Single(late.Files).Split('/')[1]);
        Assert.DoesNotContain(late.Files.Single(), firstFiles.Keys);
        Assert.All(firstFiles, f => Assert.Equal(f.Value, File.GetLastWriteTimeUtc(rig.Layout.FullPath(f.Key))));
        Assert.Equal(2L, await rig.ScalarAsync("SELECT count(*) FROM PaperViewed WHERE day = DATE '2026-11-27'"));
        Assert.Empty(Directory.EnumerateFiles(rig.Options.Root, "*" + ArchiveLayout.Pending, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Columns_keep_their_types_and_a_replayed_message_equals_the_published_one()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        var ingested = Events.Ingested("2401.00001", "cs.CL", Today.AddMinutes(-5));
        var enriched = Events.Enriched("2401.00001", Today);
        await rig.AppendAsync(ingested);
        await rig.AppendAsync(enriched);

        Assert.Equal("cs.CL", await rig.ScalarAsync("SELECT primaryCategory FROM PaperIngested"));
        Assert.Equal(new DateOnly(2026, 11, 28), await rig.ScalarAsync("SELECT publishedOn FROM PaperIngested"));
        Assert.Equal("Lovelace", await rig.ScalarAsync("SELECT authors->0->>'keyname' FROM PaperIngested"));
        Assert.Equal(3, await rig.ScalarAsync("SELECT sourceUpvotes FROM PaperIngested"));

        var replayed = await ReadBackAsync<PaperIngested>(rig);
        Assert.Equal(ingested with { Authors = [], Categories = [] }, replayed with { Authors = [], Categories = [] });
        Assert.Equal(ingested.Authors, replayed.Authors);
        Assert.Equal(ingested.Categories, replayed.Categories);
        var back = await ReadBackAsync<PaperEnriched>(rig);
        Assert.Equal(enriched.Embedding, back.Embedding);
        Assert.Equal((enriched.Tags.Single(), enriched.EnrichedAt), (back.Tags.Single(), back.EnrichedAt));
    }

    [Fact]
    public async Task Addresses_never_reach_the_archive_and_searches_keep_no_identity()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        var contact = new ArchiveSchema(typeof(ContactChanged), new HashSet<string>());
        var search = new ArchiveSchema(typeof(SearchedBy), new HashSet<string>());
        var paper = Events.Ingested("2401.00001", "cs.CL", Today, comments: "12 pages; contact ada@example.org for code");
        await rig.AppendAsync(paper);
        await rig.AppendAsync(Events.Searched("mail me at bob@example.com", 0, Today), Events.Searched("10.0.0.1", 0, Today), Events.Searched("2001:db8::1", 0, Today), Events.Searched("1.2", 3, Today));

        Assert.Equal(["personId", "changedAt"], contact.Fields.Select(f => f.Name));
        Assert.Equal(["Email", "IpAddress", "ClientAddress"], contact.Dropped.Keys);
        Assert.Equal(["query", "searchedAt"], search.Fields.Select(f => f.Name));
        Assert.Equal(["VisitorId"], search.Dropped.Keys);
        // The one contract that carries an address (to link an account to its subscription) keeps it out of the archive.
        var linked = new ArchiveSchema(typeof(AccountEmailChanged), new HashSet<string>());
        Assert.Equal(["accountId", "changedAt"], linked.Fields.Select(f => f.Name));
        Assert.Equal(["VerifiedEmail"], linked.Dropped.Keys);
        Assert.Equal("12 pages; contact [email] for code", await rig.ScalarAsync("SELECT comments FROM PaperIngested"));
        Assert.Equal("1.2|[ip]|[ip]|mail me at [email]", await rig.ScalarAsync("SELECT string_agg(query, '|' ORDER BY query) FROM SearchPerformed"));
    }

    [Fact]
    public async Task Days_past_retention_are_refused_and_deleted_with_their_ids()
    {
        await using var rig = await ArchiveRig.CreateAsync(o => o.RetentionDaysByType["PaperViewed"] = 7);
        var kept = await rig.AppendAsync(Events.Viewed("2401.00001", Today.AddDays(-6)), Events.Viewed("2401.00002", Today.AddDays(-7)));
        var ingested = await rig.AppendAsync(Events.Ingested("2401.00001", "cs.CL", Today.AddDays(-30)));
        rig.Clock.Advance(TimeSpan.FromDays(1));
        var retention = new ArchiveRetention(rig.Scopes, rig.Types, rig.Options, rig.Clock, NullLogger<ArchiveRetention>.Instance);

        var deleted = await retention.RunAsync(CancellationToken.None);

        Assert.Equal((1, 1), (kept.Archived, kept.Expired));
        Assert.Equal(1, ingested.Archived);
        Assert.Equal(1, deleted);
        Assert.Equal(0L, await rig.ScalarAsync("SELECT count(*) FROM PaperViewed"));
        Assert.Equal(1L, await rig.ScalarAsync("SELECT count(*) FROM PaperIngested"));
        await using var db = rig.Database.Context();
        Assert.Equal(["PaperIngested"], await db.Messages.Select(m => m.EventType).ToListAsync());
        Assert.Equal(["PaperIngested"], await db.Files.Select(m => m.EventType).ToListAsync());
    }

    [Fact]
    public async Task Recovery_publishes_committed_pending_files_and_deletes_abandoned_ones()
    {
        await using var rig = await ArchiveRig.CreateAsync();
        var committed = (await rig.AppendAsync(Events.Viewed("2401.00001", Today))).Files.Single();
        // As a crash after the commit leaves it: still under its pending name.
        File.Move(rig.Layout.FullPath(committed), rig.Layout.FullPath(committed) + ArchiveLayout.Pending);
        var abandoned = rig.Layout.FullPath(ArchiveLayout.NewPart("PaperViewed", DateOnly.FromDateTime(Today.UtcDateTime), Today.UtcDateTime)) + ArchiveLayout.Pending;
        var young = rig.Layout.FullPath(ArchiveLayout.NewPart("PaperViewed", DateOnly.FromDateTime(Today.UtcDateTime), Today.UtcDateTime)) + ArchiveLayout.Pending;
        File.Copy(rig.Layout.FullPath(committed) + ArchiveLayout.Pending, abandoned);
        File.Copy(rig.Layout.FullPath(committed) + ArchiveLayout.Pending, young);
        File.SetLastWriteTimeUtc(abandoned, Today.UtcDateTime - ArchiveRecovery.Grace - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(young, Today.UtcDateTime);
        // Committed, so it counts under its pending name already; the uncommitted copies do not.
        Assert.Equal(1L, await rig.ScalarAsync("SELECT count(*) FROM PaperViewed"));

        var (published, deleted) = await rig.Recovery().RunAsync(CancellationToken.None);

        Assert.Equal((1, 1), (published, deleted));
        Assert.True(File.Exists(rig.Layout.FullPath(committed)));
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(young));
        Assert.Equal(1L, await rig.ScalarAsync("SELECT count(*) FROM PaperViewed"));
    }

    private static async Task<T> ReadBackAsync<T>(ArchiveRig rig)
    {
        var schema = rig.Types.Of(typeof(T));
        await using var connection = await rig.Queries.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{schema.Name}\"";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var columns = Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i));
        return (T)schema.Message(columns);
    }

    [GeneratedRegex(@"^\| `(\w+)` \|", RegexOptions.Multiline)]
    private static partial Regex DocumentedMessage();
}

public sealed record ContactChanged(Guid PersonId, string Email, string IpAddress, string ClientAddress, DateTimeOffset ChangedAt);

public sealed record SearchedBy(string Query, string VisitorId, DateTimeOffset SearchedAt);
