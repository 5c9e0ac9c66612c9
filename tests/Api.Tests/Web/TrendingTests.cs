using Papers.Api.Browse;

namespace Papers.Api.Tests.Web;

/// <summary>The trending formula (upvotes / (hours since listed + 2)^1.8, judged at the end of the listing) and the listing spans.</summary>
public sealed class TrendingTests
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 12, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_score_is_upvotes_over_age_plus_two_hours_to_the_power_1_8()
    {
        Assert.Equal(10 / Math.Pow(14, 1.8), Trending.Score(10, new DateOnly(2026, 6, 12), Noon), 12);
        Assert.Equal(10 / Math.Pow(38, 1.8), Trending.Score(10, new DateOnly(2026, 6, 11), Noon), 12);
        Assert.Equal(0, Trending.Score(0, new DateOnly(2026, 6, 12), Noon));
    }

    [Fact]
    public void Newer_papers_need_fewer_upvotes_to_rank_higher()
    {
        var papers = new[] { ("old, 20 votes", new DateOnly(2026, 6, 5), 20), ("new, 5 votes", new DateOnly(2026, 6, 12), 5), ("yesterday, 5", new DateOnly(2026, 6, 11), 5) };

        var order = Trending.Order(papers, Noon, p => p.Item3, p => p.Item2, _ => null, p => p.Item1).Select(p => p.Item1);

        Assert.Equal(["new, 5 votes", "yesterday, 5", "old, 20 votes"], order);
    }

    [Fact]
    public void A_past_period_is_judged_at_its_end_and_one_day_by_upvotes_alone()
    {
        var asOf = Trending.AsOf(new DateOnly(2025, 1, 19), Noon);
        Assert.Equal(new DateTimeOffset(2025, 1, 20, 0, 0, 0, TimeSpan.Zero), asOf);
        Assert.Equal(Noon, Trending.AsOf(new DateOnly(2026, 6, 12), Noon));

        var day = new DateOnly(2026, 6, 12);
        var sameDay = new[] { ("b", 3, (DateOnly?)new DateOnly(2026, 6, 1)), ("a", 3, new DateOnly(2026, 6, 2)), ("c", 9, null) };
        var order = Trending.Order(sameDay, Noon, p => p.Item2, _ => day, p => p.Item3, p => p.Item1).Select(p => p.Item1);
        Assert.Equal(["c", "a", "b"], order);
    }

    [Theory]
    [InlineData("2025-W03", "2025-01-13", "2025-01-19")]
    [InlineData("2020-W53", "2020-12-28", "2021-01-03")]
    public void Weeks_are_iso_weeks(string week, string monday, string sunday)
    {
        Assert.True(DayRange.TryParseWeek(week, out var range));
        Assert.Equal((DateOnly.Parse(monday), DateOnly.Parse(sunday)), (range.From, range.To));
        Assert.Equal(week, range.Slug);
        Assert.Equal("/week/" + week, range.Path);
    }

    [Theory]
    [InlineData("2025-W54")]
    [InlineData("2025-3")]
    [InlineData("9999-W01")]
    public void Impossible_weeks_are_refused(string week) => Assert.False(DayRange.TryParseWeek(week, out _));

    [Fact]
    public void Ranges_step_and_switch_kinds_and_stop_at_the_calendars_ends()
    {
        Assert.True(DayRange.TryParseMonth("2024-02", out var february));
        Assert.Equal(new DateOnly(2024, 2, 29), february.To);
        Assert.Equal("/month/2024-03", february.Step(+1)!.Path);
        Assert.Equal("/week/2024-W05", february.As(RangeKind.Week)!.Path);
        Assert.Equal("/date/2024-01-31", DayRange.Day(new DateOnly(2024, 2, 1)).Step(-1)!.Path);
        Assert.True(DayRange.TryParseMonth("9999-12", out var last));
        Assert.Null(last.Step(+1));
        Assert.True(DayRange.TryParseDay("9999-12-31", out var lastDay));
        Assert.Null(lastDay.As(RangeKind.Week));
        Assert.Equal("/month/9999-12", lastDay.As(RangeKind.Month)!.Path);
        Assert.Equal("/week/9998-W53", DayRange.Day(new DateOnly(9998, 12, 31)).As(RangeKind.Week)!.Path);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddYears(1), Trending.AsOf(DateOnly.MaxValue, DateTimeOffset.UnixEpoch.AddYears(1)));
        Assert.Null(DayRange.Day(DateOnly.MinValue).Step(-1));
    }
}
