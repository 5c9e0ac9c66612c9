using System.Diagnostics;
using System.Text.RegularExpressions;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Security;

namespace Papers.Digest.Bench;

/// <summary>
/// Choosing every subscriber's digest (<see cref="DigestSelector"/>, as a run does) against the
/// obvious way (each subscriber scored on their own, no score shared), and sending digests with
/// <see cref="DigestMailer"/> (its state recorded per message in the database) against MailKit
/// alone on one connection (the transport's ceiling) and a connection per message (the sender before).
/// </summary>
internal static class Bench
{
    private const double SelectionTargetSeconds = 60, SendTargetPerSecond = 100;

    public static async Task<int> RunAsync(int subscribers, int papers, int mails)
    {
        if (Environment.GetEnvironmentVariable("PAPERS_TEST_SMTP") is not { } smtp || smtp.Split(':') is not [var host, var portText] || !int.TryParse(portText, out var port))
        {
            Console.Error.WriteLine("PAPERS_TEST_SMTP must be host:port of an SMTP server (scripts/infra.sh starts one: source /tmp/papers-infra.env).");
            return 2;
        }
        var day = DateTime.UtcNow.Date;
        var labeled = Path.Combine(Checkout(), "..", "shared", "data", "labeled");
        var workload = Workload.Create(labeled, papers, subscribers, day.AddDays(-1));
        Console.WriteLine($"workload: {subscribers:N0} subscribers, {papers:N0} papers of one day (real cs listings in {Path.GetFullPath(labeled)}, synthetic embeddings), {Environment.ProcessorCount} cores");

        // Choosing.
        var options = new DigestOptions();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var selector = new DigestSelector(workload.Papers, options);
        var byId = workload.Papers.ToDictionary(p => p.PaperId);
        foreach (var seed in workload.Subscribers.SelectMany(s => s.Seeds).Distinct())
            selector.AddSeed(seed, byId[seed].Title!, byId[seed].EmbeddingModel!, byId[seed].Embedding!);
        var none = new HashSet<string>();
        // As a run chooses: on every core; what the subscriber knows is left out (their seed papers; nothing was sent before here).
        var digests = selector.SelectAll(workload.Subscribers, s => s.LastDigestAt.AddDays(-1), s => s.Seeds.Count == 0 ? none : s.Seeds.ToHashSet(), (_, t) => t);
        var selection = clock.Elapsed;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: false);
        var sample = workload.Subscribers.Take(Math.Min(2_000, subscribers)).ToList();
        clock.Restart();
        var naive = sample.Select(s => Naive(s, workload.Papers, byId, options)).ToList();
        var naiveTotal = clock.Elapsed * ((double)subscribers / sample.Count);
        var agree = sample.Select((s, i) => digests[i].Select(e => e.Paper.PaperId).SequenceEqual(naive[i])).Count(x => x);
        Console.WriteLine($"selection: {selection.TotalSeconds:0.00} s for {subscribers:N0} digests ({subscribers / selection.TotalSeconds:N0}/s on {Environment.ProcessorCount} cores); " +
            $"{digests.Count(d => d.Count > 0):N0} not empty, {digests.Average(d => d.Count):0.0} papers on average; " +
            $"target < {SelectionTargetSeconds} s: ratio {SelectionTargetSeconds / selection.TotalSeconds:0.0}x");
        Console.WriteLine($"  baseline (each subscriber scored alone, one thread): {naiveTotal.TotalSeconds:0.0} s (extrapolated from {sample.Count:N0}); " +
            $"{naiveTotal / selection:0.0}x slower; same digests for {agree:N0} of {sample.Count:N0}");
        Console.WriteLine($"  memory: managed heap {(heapAfter - heapBefore) / 1048576.0:0} MiB for the selector and the digests; process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB");

        // Sending.
        var letters = workload.Subscribers.Select((s, i) => (s, Entries: digests[i])).Where(x => x.Entries.Count > 0).Take(mails).ToList();
        var mail = new MailOptions { Transport = MailTransport.Smtp, Smtp = new SmtpOptions { Host = host, Port = port } };
        var postgres = Environment.GetEnvironmentVariable("PAPERS_TEST_POSTGRES");
        var database = postgres is null ? $"Data Source={Path.Combine(Path.GetTempPath(), $"digest-bench-{Guid.NewGuid():N}.db")}" : $"{postgres};Database=digest_bench_{Guid.NewGuid():N}";
        await using var services = Services(database, postgres is not null, mail);
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<NotificationsDbContext>().Database.EnsureCreatedAsync();
        try
        {
            var claimed = await ClaimAsync(services, letters, mail, day);
            clock.Restart();
            var outcome = await services.GetRequiredService<DigestMailer>().SendAsync(claimed, CancellationToken.None);
            var send = clock.Elapsed;
            Console.WriteLine($"sending: {outcome.Sent:N0} digests in {send.TotalSeconds:0.0} s = {outcome.Sent / send.TotalSeconds:0} mails/s over {mail.Connections} SMTP connections, " +
                $"each recorded in {(postgres is null ? "SQLite" : "PostgreSQL")} ({outcome.Failed} failed); target >= {SendTargetPerSecond}/s: ratio {outcome.Sent / send.TotalSeconds / SendTargetPerSecond:0.00}x");

            var links = services.GetRequiredService<SubscriptionLinks>();
            var messages = claimed.Take(500).Select(l => DigestRenderer.Render(l.Subscriber, l.Delivery, l.Lines, links.ManagePageUrl(l.Subscriber), mail, services.GetRequiredService<IOptions<PublicSiteOptions>>().Value)).ToList();
            var oneConnection = await RawAsync(messages, host, port, reuse: true);
            var perMessage = await RawAsync(messages.Take(200).ToList(), host, port, reuse: false);
            Console.WriteLine($"  baseline: MailKit alone with its default socket (Nagle on), no database: one connection {oneConnection:0} mails/s; a connection per message (the sender before) {perMessage:0} mails/s");
        }
        finally
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<NotificationsDbContext>().Database.EnsureDeletedAsync();
        }
        return 0;
    }

    /// <summary>The obvious way: each paper scored against each profile item of this subscriber, nothing shared between subscribers.</summary>
    private static List<string> Naive(Subscriber s, List<CandidatePaper> papers, Dictionary<string, CandidatePaper> byId, DigestOptions options)
    {
        if (s.Kind == DigestKind.Trending)
            return [.. papers.OrderByDescending(p => p.Upvotes).ThenByDescending(p => p.ArrivedAt).ThenBy(p => p.PaperId, StringComparer.Ordinal).Take(options.MaxPapers).Select(p => p.PaperId)];
        var keywords = s.Keywords.Select(k => new Regex($@"(?<!\w){Regex.Escape(k)}(?!\w)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)).ToList();
        var scored = new List<(string Id, double Rank)>();
        foreach (var p in papers)
        {
            var best = 0.0;
            foreach (var t in s.Topics)
                best = Math.Max(best, p.Tags.FirstOrDefault(g => string.Equals(g.Topic, t, StringComparison.OrdinalIgnoreCase))?.Score is { } v && v >= options.MinTopicSimilarity ? v : 0);
            if (s.Authors.Any(a => p.Authors.Contains(a, StringComparer.OrdinalIgnoreCase)))
                best = Math.Max(best, 1);
            foreach (var k in keywords)
                best = Math.Max(best, k.IsMatch(p.Title ?? "") ? 0.8 : k.IsMatch(p.Abstract ?? "") ? 0.6 : 0);
            foreach (var seed in s.Seeds)
                if (seed != p.PaperId && System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(byId[seed].Embedding!, p.Embedding!) is var c && c >= options.MinTopicSimilarity)
                    best = Math.Max(best, c);
            if (best > 0 && !s.Seeds.Contains(p.PaperId))
                scored.Add((p.PaperId, (float)best + options.PopularityWeight * Math.Log10(1 + p.Upvotes)));
        }
        return [.. scored.OrderByDescending(x => x.Rank).ThenBy(x => x.Id, StringComparer.Ordinal).Take(options.MaxPapers).Select(x => x.Id)];
    }

    private static ServiceProvider Services(string connectionString, bool postgres, MailOptions mail)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddDbContext<NotificationsDbContext>(o => _ = postgres ? o.UseNpgsql(connectionString) : o.UseSqlite(connectionString));
        services.AddDataProtection().SetApplicationName("papers-digest-bench");
        services.AddSingleton<IMailSender, SmtpMailSender>();
        services.AddSingleton(Options.Create(mail));
        services.AddSingleton(Options.Create(new PublicSiteOptions { BaseUrl = "https://papers.example.org" }));
        services.AddSingleton<SubscriptionLinks>();
        services.AddSingleton<DigestMailer>();
        return services.BuildServiceProvider();
    }

    /// <summary>The subscribers, papers and claimed deliveries a run would have written before sending.</summary>
    private static async Task<List<DigestLetter>> ClaimAsync(ServiceProvider services, List<(Subscriber Subscriber, IReadOnlyList<DigestEntry> Entries)> chosen, MailOptions mail, DateTime day)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
        var period = $"daily-{day:yyyy-MM-dd}";
        var letters = chosen.Select(c => new DigestLetter(c.Subscriber, new Delivery
        {
            Id = Guid.NewGuid(),
            SubscriberId = c.Subscriber.Id,
            Period = period,
            State = DeliveryState.Claimed,
            MessageId = DigestRenderer.MessageId(c.Subscriber.Id, period, mail),
            PaperIds = [.. c.Entries.Select(e => e.Paper.PaperId)],
            Reasons = [.. c.Entries.Select(e => e.Reason)],
            ClaimedAt = DateTime.UtcNow,
            Transport = "smtp",
        }, [.. c.Entries.Select(e => new DigestLine(e.Paper, e.Reason))])).ToList();
        db.Subscribers.AddRange(letters.Select(l => l.Subscriber));
        db.Deliveries.AddRange(letters.Select(l => l.Delivery));
        await db.SaveChangesAsync();
        return letters;
    }

    private static async Task<double> RawAsync(List<MimeMessage> messages, string host, int port, bool reuse)
    {
        var clock = Stopwatch.StartNew();
        SmtpClient? client = null;
        foreach (var message in messages)
        {
            if (client is null)
            {
                client = new SmtpClient();
                await client.ConnectAsync(host, port, SecureSocketOptions.None);
            }
            await client.SendAsync(message);
            if (!reuse)
            {
                await client.DisconnectAsync(true);
                client.Dispose();
                client = null;
            }
        }
        if (client is not null)
        {
            await client.DisconnectAsync(true);
            client.Dispose();
        }
        return messages.Count / clock.Elapsed.TotalSeconds;
    }

    private static string Checkout()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "platform.sln")))
                return dir.FullName;
        throw new InvalidOperationException("Run the bench from inside the repository checkout (platform.sln not found above it).");
    }
}
