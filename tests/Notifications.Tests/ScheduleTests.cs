using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Mail;
using Papers.TestSupport;

namespace Papers.Notifications.Tests;

/// <summary>
/// Digests at each subscriber's hour in their own time zone, on a fake clock: UTC−8, UTC+5:30 and
/// UTC+13, weekly ones on their weekday, and across daylight-saving changes neither doubled nor skipped.
/// </summary>
public sealed class ScheduleTests : IDisposable
{
    private readonly string _mail = Directory.CreateTempSubdirectory("papers-schedule-").FullName;

    public void Dispose() => Directory.Delete(_mail, recursive: true);

    [Fact]
    public async Task Subscribers_get_their_digest_at_their_hour_in_their_zone_and_weekly_ones_on_their_weekday()
    {
        await using var database = await SqliteFileTestDatabase<NotificationsDbContext>.CreateAsync();
        // Monday 2026-11-30 00:00 UTC; the clock then moves an hour at a time, waking the scheduler each time.
        var start = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var confirmed = start.UtcDateTime.AddDays(-10);
        var subscribers = new[]
        {
            Samples.Subscriber("la@example.org", confirmed, s => (s.TimeZone, s.Hour) = ("America/Los_Angeles", 7)),       // UTC−8 in winter
            Samples.Subscriber("kolkata@example.org", confirmed, s => (s.TimeZone, s.Hour) = ("Asia/Kolkata", 7)),        // UTC+5:30
            Samples.Subscriber("tongatapu@example.org", confirmed, s => (s.TimeZone, s.Hour) = ("Pacific/Tongatapu", 7)), // UTC+13
            Samples.Subscriber("weekly@example.org", confirmed, s => (s.TimeZone, s.Hour, s.Frequency, s.Weekday) = ("Europe/Berlin", 9, DigestFrequency.Weekly, DayOfWeek.Wednesday)),
        };
        await using (var db = database.Context())
        {
            db.Subscribers.AddRange(subscribers);
            await db.SaveChangesAsync();
        }
        var mail = new MailOptions { PickupDirectory = _mail };
        await using var host = DigestHost.Build(database, new PickupDirectoryMailSender(Options.Create(mail)), clock, new Samples.FixedEmbedder(), mail);

        // Start with every current period claimed, as a service running for a while would have them.
        await DigestHost.Runner(host).RunAsync(default);
        await using (var db = database.Context())
            await db.Deliveries.ExecuteDeleteAsync();
        var sent = await RunHourlyAsync(database, host, clock, days: 7);
        // The first run sends each subscriber the period current at the start (their latest hour before it); after that, only due ones.
        Assert.Equal([.. Enumerable.Range(0, 7).Select(d => start.AddDays(d).AddHours(15).UtcDateTime)], Claims(sent[subscribers[0].Id]).Skip(1));
        Assert.Equal([.. Enumerable.Range(0, 7).Select(d => start.AddDays(d).AddHours(2).UtcDateTime)], Claims(sent[subscribers[1].Id]).Skip(1));
        Assert.Equal([.. Enumerable.Range(0, 7).Select(d => start.AddDays(d).AddHours(18).UtcDateTime)], Claims(sent[subscribers[2].Id]).Skip(1));
        // Wednesday 09:00 in Berlin (UTC+1) is 08:00 UTC.
        Assert.Equal([new DateTime(2026, 12, 2, 8, 0, 0, DateTimeKind.Utc)], Claims(sent[subscribers[3].Id]).Skip(1));
        Assert.Equal(["daily-2026-11-30", "daily-2026-12-01"], sent[subscribers[1].Id].OrderBy(d => d.ClaimedAt).Skip(1).Take(2).Select(d => d.Period));
    }

    [Fact]
    public async Task A_new_subscriber_s_first_digest_waits_for_their_hour_and_weekday()
    {
        await using var database = await SqliteFileTestDatabase<NotificationsDbContext>.CreateAsync();
        // Monday 2026-11-30 06:00 UTC: everyone confirms now; the clock then moves an hour at a time.
        var start = new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        var subscribers = new[]
        {
            // 07:00 in Kolkata (01:30 UTC) has passed today: the first is tomorrow's.
            Samples.Subscriber("kolkata@example.org", start.UtcDateTime, s => (s.TimeZone, s.Hour) = ("Asia/Kolkata", 7)),
            // 07:00 in Los Angeles (15:00 UTC) is still to come today.
            Samples.Subscriber("la@example.org", start.UtcDateTime, s => (s.TimeZone, s.Hour) = ("America/Los_Angeles", 7)),
            // Mondays 06:00 in Berlin (05:00 UTC): today's has passed, so next Monday's.
            Samples.Subscriber("weekly@example.org", start.UtcDateTime, s => (s.TimeZone, s.Hour, s.Frequency, s.Weekday) = ("Europe/Berlin", 6, DigestFrequency.Weekly, DayOfWeek.Monday)),
        };
        await using (var db = database.Context())
        {
            db.Subscribers.AddRange(subscribers);
            db.Candidates.Add(Samples.Paper("2611.99999", "Paper before confirming", start.UtcDateTime.AddHours(-1), tags: [new TopicTag("cs.LG", "Machine Learning", 0.9)]));
            await db.SaveChangesAsync();
        }
        var mail = new MailOptions { PickupDirectory = _mail };
        await using var host = DigestHost.Build(database, new PickupDirectoryMailSender(Options.Create(mail)), clock, new Samples.FixedEmbedder(), mail);

        // The preview names the period the first digest will be for, not the one that fell due before confirming.
        await using (var scope = host.CreateAsyncScope())
        {
            var previews = scope.ServiceProvider.GetRequiredService<DigestPreviews>();
            Assert.Equal(("daily-2026-12-01", new DateTimeOffset(2026, 12, 1, 1, 30, 0, TimeSpan.Zero)), await PeriodAsync(previews, subscribers[0]));
            Assert.Equal(("daily-2026-11-30", new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero)), await PeriodAsync(previews, subscribers[1]));
            Assert.Equal(("weekly-2026-12-07", new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero)), await PeriodAsync(previews, subscribers[2]));
        }
        var sent = await RunHourlyAsync(database, host, clock, days: 8);
        // Nothing at the first wake after confirming (the old rule sent all three then): each first digest at the subscriber's own hour.
        Assert.Equal(new DateTime(2026, 12, 1, 2, 0, 0, DateTimeKind.Utc), Claims(sent[subscribers[0].Id])[0]); // the first wake after 01:30
        Assert.Equal("daily-2026-12-01", sent[subscribers[0].Id].MinBy(d => d.ClaimedAt)!.Period);
        Assert.Equal(new DateTime(2026, 11, 30, 15, 0, 0, DateTimeKind.Utc), Claims(sent[subscribers[1].Id])[0]);
        Assert.Equal([new DateTime(2026, 12, 7, 5, 0, 0, DateTimeKind.Utc)], Claims(sent[subscribers[2].Id]));
        // Then once a day until the clock stops (Tuesday Dec 8, 05:00 UTC): Kolkata Dec 1 … Dec 8, Los Angeles Nov 30 … Dec 7.
        Assert.Equal(8, sent[subscribers[0].Id].Count());
        Assert.Equal(8, sent[subscribers[1].Id].Count());
    }

    /// <summary>
    /// Wakes the scheduler every hour of <paramref name="days"/> days on the fake clock, with a new
    /// paper every hour so that no digest is empty; the digests sent, by subscriber.
    /// </summary>
    private static async Task<ILookup<Guid, Delivery>> RunHourlyAsync(TestDatabase<NotificationsDbContext> database, IServiceProvider host, FakeTimeProvider clock, int days)
    {
        for (var hour = 0; hour < days * 24; hour++)
        {
            await using (var db = database.Context())
            {
                db.Candidates.Add(Samples.Paper($"2611.{hour:00000}", $"Paper {hour}", clock.GetUtcNow().UtcDateTime.AddMinutes(-1),
                    tags: [new TopicTag("cs.LG", "Machine Learning", 0.9)]));
                await db.SaveChangesAsync();
            }
            await DigestHost.Runner(host).RunAsync(default);
            clock.Advance(TimeSpan.FromHours(1));
        }
        await using var check = database.Context();
        return (await check.Deliveries.Where(d => d.State == DeliveryState.Sent).ToListAsync()).ToLookup(d => d.SubscriberId);
    }

    private static async Task<(string, DateTimeOffset)> PeriodAsync(DigestPreviews previews, Subscriber subscriber)
    {
        var preview = await previews.PreviewAsync(subscriber, default);
        return (preview.Period, preview.DueAt);
    }

    /// <summary>When each digest was claimed, to the hour the fake clock was at.</summary>
    private static List<DateTime> Claims(IEnumerable<Delivery> deliveries) =>
        [.. deliveries.Select(d => d.ClaimedAt).Order()];

    public static TheoryData<string, int, string> Transitions => new()
    {
        // Clocks jump from 02:00 to 03:00: a 02:00 digest goes at 03:00 local (07:00 UTC), once.
        { "America/New_York", 2, "2026-03-08" },
        // 01:00 happens twice: the digest goes at the first (05:00 UTC), once.
        { "America/New_York", 1, "2026-11-01" },
        { "Europe/Berlin", 2, "2026-03-29" },
        { "Europe/Berlin", 2, "2026-10-25" },
        // Southern hemisphere, half-hour zone shift (Lord Howe moves 30 minutes).
        { "Australia/Lord_Howe", 2, "2026-04-05" },
    };

    [Theory]
    [MemberData(nameof(Transitions))]
    public void Across_a_daylight_saving_change_every_local_day_has_exactly_one_period(string zone, int hour, string day)
    {
        var subscriber = Samples.Subscriber("dst@example.org", DateTime.UtcNow, s => (s.TimeZone, s.Hour) = (zone, hour));
        var around = DateTimeOffset.Parse(day + "T12:00:00Z").AddDays(-3);
        var seen = new List<DigestPeriod>();
        // Minute by minute over a week: the current period changes exactly once a day, at the subscriber's hour.
        for (var t = around; t < around.AddDays(7); t = t.AddMinutes(1))
        {
            var current = DigestSchedule.Current(subscriber, t);
            if (seen.Count == 0 || seen[^1] != current)
                seen.Add(current);
        }
        var keys = seen.Select(p => p.Key).ToList();
        Assert.Equal(keys.Distinct().Count(), keys.Count);
        Assert.Equal(8, keys.Count);
        Assert.All(seen.Zip(seen.Skip(1)), pair => Assert.InRange((pair.Second.DueAt - pair.First.DueAt).TotalHours, 22, 26));
        Assert.Contains(seen, p => p.Key == $"daily-{day}");
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var transition = seen.Single(p => p.Key == $"daily-{day}");
        var local = TimeZoneInfo.ConvertTime(transition.DueAt, tz);
        Assert.InRange(local.Hour, hour, hour + 1);
    }

    [Fact]
    public void The_next_period_is_the_first_due_after_now()
    {
        var weekly = Samples.Subscriber("w@example.org", DateTime.UtcNow, s => (s.TimeZone, s.Hour, s.Frequency, s.Weekday) = ("Asia/Kolkata", 7, DigestFrequency.Weekly, DayOfWeek.Friday));
        var now = new DateTimeOffset(2026, 12, 4, 1, 30, 0, TimeSpan.Zero); // Friday 07:00 in Kolkata
        Assert.Equal(new DigestPeriod("weekly-2026-11-27", new DateTimeOffset(2026, 11, 27, 1, 30, 0, TimeSpan.Zero)), DigestSchedule.Current(weekly, now.AddTicks(-1)));
        Assert.Equal(new DigestPeriod("weekly-2026-12-04", now), DigestSchedule.Current(weekly, now));
        Assert.Equal(new DigestPeriod("weekly-2026-12-11", now.AddDays(7)), DigestSchedule.Next(weekly, now));
    }
}
