using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Papers.Notifications.Data;

namespace Papers.Notifications.Digests;

/// <summary>A digest's period: its key (unique per subscriber) and the instant it became due.</summary>
public readonly record struct DigestPeriod(string Key, DateTimeOffset DueAt);

/// <summary>
/// When a subscriber's digests fall due: at their hour in their IANA time zone, every day or on
/// their weekday. A period is a local date, so daylight-saving changes can neither double nor
/// skip one: an hour that does not exist that day (clocks jump forward) is taken as the first
/// instant after the jump, an hour that happens twice (clocks go back) as its first occurrence.
/// </summary>
public static class DigestSchedule
{
    public static bool TryFindZone(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
            return false;
        // IANA ids only: Windows names ("Pacific Standard Time") are converted by .NET but are not what we store.
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) || !found.HasIanaId)
            return false;
        zone = found;
        return true;
    }

    /// <summary>The latest period due at <paramref name="now"/>.</summary>
    public static DigestPeriod Current(Subscriber s, DateTimeOffset now)
    {
        var zone = TryFindZone(s.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        for (var back = 0; ; back++)
        {
            var day = date.AddDays(-back);
            if (s.Frequency == DigestFrequency.Weekly && day.DayOfWeek != s.Weekday)
                continue;
            var due = Instant(day, s.Hour, zone);
            if (due <= now)
                return new DigestPeriod(Key(s, day), due);
        }
    }

    /// <summary>
    /// The period due at <paramref name="now"/>, or null while the subscriber's first one has not
    /// come: a period that fell due before they confirmed is not theirs, so a new subscriber's
    /// first digest comes at their hour (their weekday for weekly ones), not minutes after confirming.
    /// </summary>
    public static DigestPeriod? Due(Subscriber s, DateTimeOffset now)
    {
        var current = Current(s, now);
        return s.ConfirmedAt is { } confirmed && current.DueAt >= new DateTimeOffset(DateTime.SpecifyKind(confirmed, DateTimeKind.Utc)) ? current : null;
    }

    /// <summary>The first period that falls due after <paramref name="now"/>.</summary>
    public static DigestPeriod Next(Subscriber s, DateTimeOffset now)
    {
        var zone = TryFindZone(s.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var date = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        for (var ahead = 0; ahead <= 8; ahead++)
        {
            var day = date.AddDays(ahead);
            if (s.Frequency == DigestFrequency.Weekly && day.DayOfWeek != s.Weekday)
                continue;
            var due = Instant(day, s.Hour, zone);
            if (due > now)
                return new DigestPeriod(Key(s, day), due);
        }
        throw new UnreachableException("Every week has a due instant.");
    }

    private static string Key(Subscriber s, DateOnly day) =>
        $"{(s.Frequency == DigestFrequency.Weekly ? "weekly" : "daily")}-{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";

    /// <summary>The instant of <paramref name="hour"/>:00 on <paramref name="day"/> in <paramref name="zone"/>.</summary>
    public static DateTimeOffset Instant(DateOnly day, int hour, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(new TimeOnly(hour, 0));
        // In a gap (clocks jumped forward over it): the first minute after it.
        while (zone.IsInvalidTime(local))
            local = local.AddMinutes(1);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}
