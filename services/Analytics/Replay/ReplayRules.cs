using System.Globalization;
using Papers.Analytics.Archive;
using Papers.ServiceDefaults.Security;

namespace Papers.Analytics.Replay;

/// <summary>A replay checked: one archived type, a range of UTC days (inclusive) and a queue that may receive it.</summary>
public sealed record ReplayPlan(ArchiveSchema Schema, DateOnly From, DateOnly To, string Queue);

/// <summary>
/// What a replay request must be, whether it comes as the endpoint's JSON or as the command's
/// options: the same fields (<c>eventType</c>, <c>from</c>, <c>to</c>, <c>queue</c>) and the same
/// refusals, each naming the field and the value.
/// </summary>
public static class ReplayRules
{
    /// <summary>Days one replay may span, as the ready queries.</summary>
    public const int MaxDays = 366;

    /// <summary>The plan, or null and the field at fault with why.</summary>
    public static ReplayPlan? Check(ArchivedTypes types, string? eventType, string? from, string? to, string? queue, out (string Field, string Message) problem)
    {
        problem = default;
        if (types.Find(eventType) is not { } schema)
            problem = ("eventType", $"'{Problems.Echo(eventType)}' is not an archived event type ({string.Join(", ", types.All.Select(t => t.Name))}).");
        else if (ArchiveReplay.RefuseQueue(queue) is { } refused)
            problem = ("queue", refused);
        else if (from is null || to is null)
            problem = (from is null ? "from" : "to", "Give both days of the range (YYYY-MM-DD).");
        else if (!TryDay(from, out var start))
            problem = ("from", $"'{Problems.Echo(from)}' is not a day (YYYY-MM-DD).");
        else if (!TryDay(to, out var end))
            problem = ("to", $"'{Problems.Echo(to)}' is not a day (YYYY-MM-DD).");
        else if (start > end)
            problem = ("from", $"'{start:yyyy-MM-dd}' is after to ('{end:yyyy-MM-dd}').");
        else if (end.DayNumber - start.DayNumber + 1 > MaxDays)
            problem = ("from", $"'{start:yyyy-MM-dd}' to '{end:yyyy-MM-dd}' is more than {MaxDays} days.");
        else
            return new ReplayPlan(schema, start, end, queue!);
        return null;
    }

    private static bool TryDay(string text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
