using System.Globalization;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Browse;

public enum RangeKind
{
    Day,
    Week,
    Month,
}

/// <summary>
/// A listing's span: a day (<c>2025-01-15</c>), an ISO week (<c>2025-W03</c>) or a month
/// (<c>2025-01</c>), as the Hugging Face API and our pages (<c>/date/…</c>, <c>/week/…</c>,
/// <c>/month/…</c>) name them.
/// </summary>
public sealed record DayRange(RangeKind Kind, DateOnly From, DateOnly To)
{
    public static DayRange Day(DateOnly day) => new(RangeKind.Day, day, day);

    /// <summary>The name the URLs use: <c>2025-01-15</c>, <c>2025-W03</c>, <c>2025-01</c>.</summary>
    public string Slug => Kind switch
    {
        RangeKind.Day => From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        RangeKind.Week => string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(From.ToDateTime(TimeOnly.MinValue)):D4}-W{ISOWeek.GetWeekOfYear(From.ToDateTime(TimeOnly.MinValue)):D2}"),
        _ => From.ToString("yyyy-MM", CultureInfo.InvariantCulture),
    };

    /// <summary>The page of this range: <c>/date/2025-01-15</c>, <c>/week/2025-W03</c>, <c>/month/2025-01</c>.</summary>
    public string Path => Kind switch
    {
        RangeKind.Day => "/date/" + Slug,
        RangeKind.Week => "/week/" + Slug,
        _ => "/month/" + Slug,
    };

    /// <summary>For people: "Nov 7, 2025", "Week 3 of 2025 (Jan 13 – Jan 19)", "January 2025".</summary>
    public string Label => Kind switch
    {
        RangeKind.Day => From.ToString("MMM d, yyyy", CultureInfo.InvariantCulture),
        RangeKind.Week => string.Create(CultureInfo.InvariantCulture,
            $"Week {ISOWeek.GetWeekOfYear(From.ToDateTime(TimeOnly.MinValue))} of {ISOWeek.GetYear(From.ToDateTime(TimeOnly.MinValue))} ({From:MMM d} – {To:MMM d})"),
        _ => From.ToString("MMMM yyyy", CultureInfo.InvariantCulture),
    };

    /// <summary>The range of the same kind before (-1) or after (+1) this one; null past the calendar's ends.</summary>
    public DayRange? Step(int direction)
    {
        var limit = direction < 0 ? DateOnly.MinValue.AddDays(7) : DateOnly.MaxValue.AddDays(-62);
        if (direction < 0 ? From <= limit : To >= limit)
            return null;
        return Kind switch
        {
            RangeKind.Day => Day(From.AddDays(direction)),
            RangeKind.Week => new(RangeKind.Week, From.AddDays(7 * direction), To.AddDays(7 * direction)),
            _ => Month(From.AddMonths(direction)),
        };
    }

    /// <summary>
    /// The day, week and month this range starts in, for switching between them; no week in ISO year
    /// 9999, which URLs can't name (its last week runs past the calendar's last day).
    /// </summary>
    public DayRange? As(RangeKind kind) => kind switch
    {
        RangeKind.Day => Day(From),
        RangeKind.Week => ISOWeek.GetYear(From.ToDateTime(TimeOnly.MinValue)) < 9999 ? Week(From) : null,
        _ => Month(From),
    };

    public static DayRange Week(DateOnly day)
    {
        var monday = day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
        return new(RangeKind.Week, monday, monday.AddDays(6));
    }

    public static DayRange Month(DateOnly day)
    {
        var first = new DateOnly(day.Year, day.Month, 1);
        return new(RangeKind.Month, first, new DateOnly(day.Year, day.Month, DateTime.DaysInMonth(day.Year, day.Month)));
    }

    public static bool TryParseDay(string? text, out DayRange range)
    {
        range = null!;
        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return false;
        range = Day(day);
        return true;
    }

    public static bool TryParseWeek(string? text, out DayRange range)
    {
        range = null!;
        if (text is not { Length: 8 } || text[4] != '-' || text[5] != 'W'
            || !int.TryParse(text[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            || !int.TryParse(text[6..], NumberStyles.None, CultureInfo.InvariantCulture, out var w)
            || y is < 1 or >= 9999 || w < 1 || w > ISOWeek.GetWeeksInYear(y))
            return false;
        var monday = DateOnly.FromDateTime(ISOWeek.ToDateTime(y, w, DayOfWeek.Monday));
        range = new(RangeKind.Week, monday, monday.AddDays(6));
        return true;
    }

    public static bool TryParseMonth(string? text, out DayRange range)
    {
        range = null!;
        if (text is not { Length: 7 } || !DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var first))
            return false;
        range = Month(first);
        return true;
    }

    /// <summary>At most one of <paramref name="date"/>, <paramref name="week"/> and <paramref name="month"/>; errors as the API words them.</summary>
    public static DayRange? Parse(string? date, string? week, string? month, Dictionary<string, string[]> errors)
    {
        if (new[] { date, week, month }.Count(v => v is not null) > 1)
        {
            errors["date"] = ["Give at most one of date, week and month."];
            return null;
        }
        if (date is not null)
        {
            if (TryParseDay(date, out var d))
                return d;
            errors["date"] = [$"date must be YYYY-MM-DD; got '{Problems.Echo(date)}'."];
        }
        if (week is not null)
        {
            if (TryParseWeek(week, out var w))
                return w;
            errors["week"] = [$"week must be an ISO week YYYY-Www of a year from 0001 to 9998 (e.g. 2025-W45); got '{Problems.Echo(week)}'."];
        }
        if (month is not null)
        {
            if (TryParseMonth(month, out var m))
                return m;
            errors["month"] = [$"month must be YYYY-MM; got '{Problems.Echo(month)}'."];
        }
        return null;
    }
}
