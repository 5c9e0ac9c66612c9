using System.Text.RegularExpressions;

namespace Papers.Cluster.Tests.Infrastructure;

/// <summary>A message a consumer received (category <c>Papers.Messaging.Received</c>), by the replica whose log says so.</summary>
public sealed record ReceivedMessage(string Replica, string MessageType, string MessageId, string Queue);

/// <summary>A <c>PaperIngested</c> that changed the Api's read model (category <c>Papers.Api.Applied</c>).</summary>
public sealed record AppliedPaper(string Replica, string PaperId, int Version, string ContentHash, string MessageId);

/// <summary>A <c>PaperEnriched</c> that changed the Api's read model (category <c>Papers.Api.Applied</c>).</summary>
public sealed record AppliedEnrichment(string Replica, string PaperId, int Version, string ContentHash, string EmbeddingModel, string MessageId);

/// <summary>What the services' logs say was received and applied, read from the log files of every replica (a killed replica's up to its death).</summary>
public sealed record MessageLog(IReadOnlyList<ReceivedMessage> Received, IReadOnlyList<AppliedPaper> AppliedPapers, IReadOnlyList<AppliedEnrichment> AppliedEnrichments)
{
    public const string ReceivedCategory = "Papers.Messaging.Received";
    public const string AppliedCategory = "Papers.Api.Applied";

    /// <summary>
    /// The environment that makes a service write these entries, one line each (the simple console
    /// formatter on one line, with a UTC time stamp), and nothing else below Warning.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> LoggingEnvironment { get; } = new Dictionary<string, string?>
    {
        ["Logging__LogLevel__Default"] = "Warning",
        [$"Logging__LogLevel__{ReceivedCategory}"] = "Debug",
        [$"Logging__LogLevel__{AppliedCategory}"] = "Information",
        ["Logging__Console__FormatterName"] = "simple",
        ["Logging__Console__FormatterOptions__SingleLine"] = "true",
        ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
        ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
        ["Logging__Console__FormatterOptions__ColorBehavior"] = "Disabled",
    };

    // The message text; the category is checked on the same line (single-line format) or on the
    // line before (the default format writes "dbug: Category[0]" and then the indented message).
    private static readonly Regex ReceivedText = new(@"Received (?<type>\S+) (?<id>\S+) on (?<queue>\S+)\s*$", RegexOptions.Compiled);
    private static readonly Regex AppliedPaperText = new(@"Applied PaperIngested (?<paper>\S+) v(?<version>\d+) (?<hash>\S+) message (?<id>\S+)\s*$", RegexOptions.Compiled);
    private static readonly Regex AppliedEnrichmentText = new(@"Applied PaperEnriched (?<paper>\S+) v(?<version>\d+) (?<hash>\S+) (?<model>\S+) message (?<id>\S+)\s*$", RegexOptions.Compiled);

    /// <summary>Parses the log files of the replicas named (replica name, file).</summary>
    public static MessageLog Read(IEnumerable<(string Replica, string LogPath)> logs)
    {
        var received = new List<ReceivedMessage>();
        var papers = new List<AppliedPaper>();
        var enrichments = new List<AppliedEnrichment>();
        foreach (var (replica, path) in logs)
        {
            if (!File.Exists(path))
                continue;
            var previous = "";
            foreach (var line in ReadShared(path))
            {
                if (Of(ReceivedCategory, line, previous) && ReceivedText.Match(line) is { Success: true } r)
                    received.Add(new(replica, r.Groups["type"].Value, r.Groups["id"].Value, r.Groups["queue"].Value));
                else if (Of(AppliedCategory, line, previous) && AppliedPaperText.Match(line) is { Success: true } p)
                    papers.Add(new(replica, p.Groups["paper"].Value, int.Parse(p.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture), p.Groups["hash"].Value, p.Groups["id"].Value));
                else if (Of(AppliedCategory, line, previous) && AppliedEnrichmentText.Match(line) is { Success: true } e)
                    enrichments.Add(new(replica, e.Groups["paper"].Value, int.Parse(e.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture), e.Groups["hash"].Value, e.Groups["model"].Value, e.Groups["id"].Value));
                previous = line;
            }
        }
        return new(received, papers, enrichments);
    }

    private static bool Of(string category, string line, string previous) =>
        line.Contains(category + "[", StringComparison.Ordinal) || previous.TrimEnd().EndsWith("]", StringComparison.Ordinal) && previous.Contains(category + "[", StringComparison.Ordinal);

    private static IEnumerable<string> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
            yield return line;
    }

    /// <summary>
    /// Received messages per service and type: how many deliveries, how many distinct message ids,
    /// and so how many were redeliveries or duplicates (allowed: delivery is at least once).
    /// </summary>
    public string DescribeReceived(Func<string, string> serviceOf) => Received.Count == 0
        ? $"no {ReceivedCategory} entries in any log"
        : string.Join("; ", Received.GroupBy(r => (Service: serviceOf(r.Replica), r.MessageType)).OrderBy(g => g.Key.Service, StringComparer.Ordinal).ThenBy(g => g.Key.MessageType, StringComparer.Ordinal)
            .Select(g =>
            {
                var distinct = g.Select(r => r.MessageId).Distinct(StringComparer.Ordinal).Count();
                var replicas = string.Join("+", g.GroupBy(r => r.Replica).OrderBy(x => x.Key, StringComparer.Ordinal).Select(x => $"{x.Key}:{x.Count()}"));
                return $"{g.Key.Service} {g.Key.MessageType} {g.Count()} received ({replicas}), {distinct} distinct, {g.Count() - distinct} duplicate";
            }));
}
