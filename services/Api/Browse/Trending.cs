namespace Papers.Api.Browse;

/// <summary>
/// "Trending": upvotes with time decay, the Hacker News way. A paper's score is
/// <c>upvotes / (hours + 2)^1.8</c>, where <c>hours</c> is the time from the start (00:00 UTC) of
/// the day it was listed to the moment the list is judged at: the end of the listing's last day,
/// or now when that is still to come. So a vote counts for less the older the paper was when the
/// list was drawn up, a day's list orders by upvotes alone (its papers are equally old), and a past
/// week or month is ranked as it stood when it ended. Ties go to more upvotes, then the newer
/// publication date, then the id (so pages are stable).
/// </summary>
public static class Trending
{
    public const double Gravity = 1.8;
    public const double OffsetHours = 2;

    public static double Score(int upvotes, DateOnly listedOn, DateTimeOffset asOf)
    {
        var listed = new DateTimeOffset(listedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var hours = Math.Max(0, (asOf - listed).TotalHours);
        return Math.Max(0, upvotes) / Math.Pow(hours + OffsetHours, Gravity);
    }

    /// <summary>When a listing ending on <paramref name="lastDay"/> is judged: the end of that day, or now if earlier.</summary>
    public static DateTimeOffset AsOf(DateOnly lastDay, DateTimeOffset now)
    {
        if (lastDay >= DateOnly.FromDateTime(now.UtcDateTime))
            return now;
        var end = new DateTimeOffset(lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return end < now ? end : now;
    }

    /// <summary>Orders papers by <see cref="Score"/>, then upvotes, then the newer publication date, then id.</summary>
    public static IOrderedEnumerable<T> Order<T>(IEnumerable<T> papers, DateTimeOffset asOf,
        Func<T, int> upvotes, Func<T, DateOnly> listedOn, Func<T, DateOnly?> publishedOn, Func<T, string> id) =>
        papers.OrderByDescending(p => Score(upvotes(p), listedOn(p), asOf))
            .ThenByDescending(upvotes)
            .ThenByDescending(publishedOn)
            .ThenBy(id, StringComparer.Ordinal);
}
