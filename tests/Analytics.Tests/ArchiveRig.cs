using DuckDB.NET.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Papers.Analytics.Archive;
using Papers.Analytics.Data;
using Papers.Analytics.Queries;
using Papers.Contracts;
using Papers.TestSupport;

namespace Papers.Analytics.Tests;

/// <summary>An archive in a temporary folder with its index in a SQLite file (or PostgreSQL), appended to directly (no bus), at a fixed clock.</summary>
public sealed class ArchiveRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private ArchiveRig(TestDatabase<AnalyticsDbContext> database, ArchiveOptions options)
    {
        Database = database;
        Options = options;
        Types = new ArchivedTypes(typeof(PaperIngested).Assembly, options.DropFields);
        Scopes = ScopesOf(database);
        Queries = new ArchiveQueries(options, Types, Scopes);
    }

    /// <summary>Scopes with the archive's DbContext, as the service's singletons get them.</summary>
    public IServiceScopeFactory Scopes { get; }

    public TestDatabase<AnalyticsDbContext> Database { get; }

    public ArchiveOptions Options { get; }

    public ArchivedTypes Types { get; }

    public ArchiveQueries Queries { get; }

    public FakeTimeProvider Clock { get; } = new(Now);

    public ArchiveLayout Layout => new(Options.Root);

    /// <summary>With its index on PostgreSQL (the cluster's), not SQLite; needs PAPERS_TEST_POSTGRES.</summary>
    public static async Task<ArchiveRig> CreateOnPostgresAsync() =>
        new(await PostgresTestDatabase<AnalyticsDbContext>.CreateAsync(), new ArchiveOptions { Root = Directory.CreateTempSubdirectory("papers-archive-").FullName });

    public static async Task<ArchiveRig> CreateAsync(Action<ArchiveOptions>? configure = null)
    {
        var options = new ArchiveOptions { Root = Directory.CreateTempSubdirectory("papers-archive-").FullName };
        configure?.Invoke(options);
        return new ArchiveRig(await SqliteFileTestDatabase<AnalyticsDbContext>.CreateAsync(), options);
    }

    public async Task<AppendResult> AppendAsync<T>(params (Guid Id, T Message)[] messages) where T : class
    {
        var schema = Types.Of(typeof(T));
        await using var db = Database.Context();
        var appender = new ArchiveAppender(db, Options, Clock, NullLogger<ArchiveAppender>.Instance);
        return await appender.AppendAsync(schema, [.. messages.Select(m => schema.Row(m.Id, Now.UtcDateTime, m.Message))], CancellationToken.None);
    }

    public Task<AppendResult> AppendAsync<T>(params T[] messages) where T : class =>
        AppendAsync([.. messages.Select(m => (Guid.NewGuid(), m))]);

    public static IServiceScopeFactory ScopesOf(TestDatabase<AnalyticsDbContext> database)
    {
        var services = new ServiceCollection();
        services.AddDbContext<AnalyticsDbContext>(o => database.Configure(o));
        return services.BuildServiceProvider().GetRequiredService<IServiceScopeFactory>();
    }

    public ArchiveCompaction Compaction() => new(Scopes, Types, Options, Clock, NullLogger<ArchiveCompaction>.Instance);

    public ArchiveRecovery Recovery() => new(Scopes, Compaction(), Options, Clock, NullLogger<ArchiveRecovery>.Instance);

    /// <summary>One value of <paramref name="sql"/> over the archive's views.</summary>
    public Task<object?> ScalarAsync(string sql) => new ArchiveReader(Queries).ScalarAsync(sql);

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        Directory.Delete(Options.Root, recursive: true);
    }
}

/// <summary>Events as the platform publishes them.</summary>
public static class Events
{
    public static PaperViewed Viewed(string paperId, DateTimeOffset at) => new(paperId, at);

    public static PaperIngested Ingested(string paperId, string category, DateTimeOffset at, string hash = "h1", string? comments = null) =>
        new(paperId, 1, $"Title of {paperId}", "An abstract.", [new PaperAuthor("Ada Lovelace", "Lovelace", "Ada")], category, [category, "cs.AI"],
            new DateOnly(2026, 11, 28), DateOnly.FromDateTime(at.UtcDateTime), "arxiv", 3, comments, null, null, null, null, null, null, hash, at);

    public static PaperEnriched Enriched(string paperId, DateTimeOffset at, string hash = "h1", string model = "minilm") =>
        new(paperId, 1, hash, [0.25f, -0.5f], model, [new TopicTag("cs.LG", "Machine Learning", 0.9)], "cs.LG", ["transformers"], at);

    public static SearchPerformed Searched(string query, int results, DateTimeOffset at) => new(query, results, results == 0 ? [] : ["2401.00001"], at);
}

/// <summary>SQL over an archive's views (<see cref="ArchiveQueries"/>).</summary>
public sealed class ArchiveReader(ArchiveQueries queries)
{
    /// <summary>The archive in <paramref name="root"/> whose files <paramref name="database"/> holds.</summary>
    public ArchiveReader(string root, TestDatabase<AnalyticsDbContext> database)
        : this(new ArchiveQueries(new ArchiveOptions { Root = root }, new ArchivedTypes(typeof(PaperIngested).Assembly, []), ArchiveRig.ScopesOf(database)))
    {
    }

    public async Task<object?> ScalarAsync(string sql) => (await ListAsync<object?>(sql)).SingleOrDefault();

    public Task<List<string>> ListAsync(string sql) => ListAsync<string>(sql);

    private async Task<List<T>> ListAsync<T>(string sql) =>
        await queries.QueryAsync(sql, new Dictionary<string, object?>(), r => (T)r.GetValue(0), CancellationToken.None);
}
