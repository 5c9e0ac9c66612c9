using System.Text.RegularExpressions;
using MassTransit;
using Papers.Analytics.Archive;
using Papers.Analytics.Consumers;
using Papers.Analytics.Queries;

namespace Papers.Analytics.Replay;

/// <summary>
/// Re-sends the archived events of one type and day range to one named queue, so a new consumer
/// can backfill its store; never publishes (the public exchanges, and everyone bound to them, see
/// nothing). Each event keeps its <c>messageId</c> (a consumer that de-duplicates drops what it
/// had) and carries <c>Papers-Replayed: true</c>. Events go in the order of their own times.
/// </summary>
public sealed partial class ArchiveReplay(ArchiveQueries queries, IBus bus, ILogger<ArchiveReplay> logger)
{
    public const string ReplayedHeader = "Papers-Replayed";

    /// <summary>Sends in flight at once: enough to keep the broker's confirmations flowing.</summary>
    private const int InFlight = 64;

    /// <summary>Why <paramref name="queue"/> may not receive a replay, or null when it may.</summary>
    public static string? RefuseQueue(string? queue) => queue switch
    {
        null or "" => "Name the queue to replay to.",
        _ when !QueueName().IsMatch(queue) => $"'{ServiceDefaults.Security.Problems.Echo(queue)}' is not a queue name: lower-case letters, digits, '.', '_' and '-', at most 100 (a public exchange, Papers.Contracts:…, is never a target).",
        _ when queue.StartsWith(ArchiveQueues.Prefix, StringComparison.Ordinal) => $"'{queue}' is one of the archive's own queues.",
        _ => null,
    };

    public async Task<int> ReplayAsync(ArchiveSchema schema, DateOnly from, DateOnly to, string queue, CancellationToken cancellationToken)
    {
        if (RefuseQueue(queue) is { } refused)
            throw new ArgumentException(refused, nameof(queue));
        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{queue}"));
        await using var connection = await queries.OpenAsync(cancellationToken, schema.Name);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * EXCLUDE (day) FROM \"{schema.Name}\" WHERE day BETWEEN $from AND $to ORDER BY {ArchiveSchema.EventTimeColumn}, {ArchiveSchema.MessageIdColumn}";
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("from", from));
        command.Parameters.Add(new DuckDB.NET.Data.DuckDBParameter("to", to));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var sending = new List<Task>(InFlight);
        var sent = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var columns = new Dictionary<string, object?>(reader.FieldCount);
            for (var i = 0; i < reader.FieldCount; i++)
                columns[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            var messageId = Guid.Parse((string)columns[ArchiveSchema.MessageIdColumn]!);
            sending.Add(endpoint.Send(schema.Message(columns), schema.Type, c =>
            {
                c.MessageId = messageId;
                c.Headers.Set(ReplayedHeader, "true");
            }, cancellationToken));
            sent++;
            if (sending.Count == InFlight)
            {
                await Task.WhenAll(sending);
                sending.Clear();
            }
        }
        await Task.WhenAll(sending);
        logger.LogInformation("Replayed {Count} {EventType} of {From}..{To} to queue {Queue}", sent, schema.Name, from, to, queue);
        return sent;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex QueueName();
}
