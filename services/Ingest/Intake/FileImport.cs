using Papers.Ingest.Data;
using Papers.Ingest.Parsing;
using Papers.ServiceDefaults.Leases;

namespace Papers.Ingest.Intake;

/// <summary>A file to import, in any format <see cref="SourceFiles"/> reads: our JSONL/JSON export
/// (the bundled Daily Papers sample), an arXiv <c>.abs</c> file, or a saved OAI-PMH, arXiv API or
/// Hugging Face daily-papers response.</summary>
/// <param name="Path">Relative paths are tried against the working directory, then the application folder.</param>
/// <param name="ListedOn">The daily-feed day of papers that don't carry one; also the reference for year-less dates.</param>
/// <param name="Format">One of <see cref="SourceFiles.Formats"/>; <c>auto</c> detects it.</param>
public sealed record ImportFile(string Path, DateOnly? ListedOn = null, string Format = SourceFiles.Auto);

/// <param name="Skipped">Items that could not be read, and deleted records.</param>
public record FileImportSummary(string Path, string Format, int Read, int Skipped, IntakeSummary Intake);

/// <summary>
/// Reads a file of papers and hands them to <see cref="PaperIntake"/> in batches. A malformed line
/// is logged with its line number and skipped; the rest is ingested. A malformed XML file fails
/// as a whole (<see cref="ConnectorException"/>).
/// </summary>
public sealed class FileImport(PaperIntake intake, ILogger<FileImport> logger)
{
    private const int BatchSize = 200;

    public async Task<FileImportSummary> ImportAsync(ImportFile file, CancellationToken cancellationToken, int? limit = null, IProgress<int>? progress = null)
    {
        var path = Resolve(file.Path);
        var source = await SourceFiles.ReadAsync(path, file.Format, file.ListedOn, cancellationToken);
        var parsed = source.Result;
        foreach (var problem in parsed.Problems)
            logger.LogWarning("Skipped: {Problem}", problem.ToString());

        var deleted = parsed.Papers.Count(p => p.Deleted);
        var papers = parsed.Papers.Where(p => !p.Deleted).Take(limit ?? int.MaxValue)
            .Select(p => p.ListedOn is null && file.ListedOn is { } day ? p with { ListedOn = day } : p).ToList();
        int added = 0, revised = 0, unchanged = 0;
        var ids = new List<string>();
        foreach (var batch in papers.Chunk(BatchSize))
        {
            var result = await intake.IngestAsync(batch, cancellationToken);
            (added, revised, unchanged) = (added + result.New, revised + result.Revised, unchanged + result.Unchanged);
            ids.AddRange(result.PaperIds);
            progress?.Report(ids.Count);
        }
        var summary = new FileImportSummary(path, source.Format, papers.Count, parsed.Problems.Count + deleted, new IntakeSummary(added, revised, unchanged, ids));
        logger.LogInformation("Imported {Path} ({Format}): {Read} papers read, {New} new, {Revised} revised, {Unchanged} unchanged, {Skipped} skipped",
            path, source.Format, summary.Read, added, revised, unchanged, summary.Skipped);
        return summary;
    }

    private static string Resolve(string path)
    {
        if (System.IO.Path.IsPathRooted(path) || File.Exists(path))
            return System.IO.Path.GetFullPath(path);
        var besideApp = System.IO.Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(besideApp) ? besideApp : throw new FileNotFoundException($"Ingest:Import names '{path}', which is neither in {Environment.CurrentDirectory} nor in {AppContext.BaseDirectory}.", path);
    }
}

/// <summary>
/// Imports the files listed under <c>Ingest:Import</c> once at start-up (the embedded default's
/// sample). Replicas starting together take turns under the <c>startup-import</c> lease: one
/// imports, the others skip (a replica starting later imports again and finds every paper known).
/// </summary>
public sealed class StartupImport(IServiceScopeFactory scopes, ClusterLease<IngestDbContext> lease, IConfiguration configuration, ILogger<StartupImport> logger) : BackgroundService
{
    public const string Job = "startup-import";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var files = configuration.GetSection("Ingest:Import").Get<List<ImportFile>>() ?? [];
        if (files.Count == 0)
            return;
        var outcome = await lease.RunOnceAsync(Job, occurrence: null, async ct =>
        {
            foreach (var file in files)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<FileImport>().ImportAsync(file, ct);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ConnectorException)
                {
                    logger.LogError("Could not import {Path}: {Reason}", file.Path, ex.Message);
                }
            }
        }, stoppingToken);
        if (outcome == LeaseOutcome.Busy)
            logger.LogInformation("Another replica is importing the start-up files; not importing them here");
    }
}
