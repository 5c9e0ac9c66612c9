using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MimeKit;
using Item = Papers.EndToEnd.Tests.LocalHostFixture.Item;

namespace Papers.EndToEnd.Tests;

/// <summary>The whole platform on the embedded default, asserted through HTTP as a user would see it.</summary>
[Collection(LocalHostCollection.Name)]
public sealed partial class EmbeddedDefaultTests(LocalHostFixture host)
{
    private readonly HttpClient _client = host.CreateClient();

    [Fact]
    public async Task Serves_every_sample_paper_once_with_tags_and_keywords()
    {
        var items = await _client.GetFromJsonAsync<List<Item>>("/api/daily_papers?date=2025-11-07&limit=100");

        Assert.Equal(LocalHostFixture.SamplePapers, items!.Count);
        Assert.Equal(items.Count, items.Select(i => i.Paper.Id).Distinct().Count());
        Assert.All(items, i => Assert.InRange(i.Paper.AiKeywords.Count, 3, 8));
        Assert.True(items.Count(i => i.Paper.Tags.Count > 0) > items.Count * 0.9, "most papers carry topic tags");
    }

    [Fact]
    public async Task Search_finds_quantization_papers_by_a_paraphrase_without_the_word()
    {
        var items = await _client.GetFromJsonAsync<List<Item>>("/api/papers/search?q=" + Uri.EscapeDataString("storing network weights in fewer bits to speed up inference") + "&limit=5");

        Assert.NotNull(items);
        Assert.True(items.Take(3).All(i => Quantization().IsMatch(i.Paper.Title + " " + i.Paper.Summary)),
            "top 3: " + string.Join(" | ", items.Take(3).Select(i => i.Paper.Title)));
    }

    [Fact]
    public async Task Similar_papers_of_a_quantization_paper_are_mostly_quantization_papers()
    {
        var hawq = (await _client.GetFromJsonAsync<List<Item>>("/api/papers/search?q=HAWQV3%20dyadic&limit=1"))!.Single();
        Assert.Contains("HAWQV3", hawq.Paper.Title);

        var similar = await _client.GetFromJsonAsync<List<Item>>($"/api/papers/{hawq.Paper.Id}/similar?limit=8");

        Assert.Equal(8, similar!.Count);
        Assert.DoesNotContain(similar, s => s.Paper.Id == hawq.Paper.Id);
        var onTopic = similar.Count(s => Quantization().IsMatch(s.Paper.Title + " " + s.Paper.Summary));
        Assert.True(onTopic >= 6, $"{onTopic} of 8 similar papers are about quantization: " + string.Join(" | ", similar.Select(s => s.Paper.Title)));
    }

    [Fact]
    public async Task Digest_file_for_a_subscriber_names_papers_of_their_topic()
    {
        var email = $"reader-{Guid.NewGuid():N}@example.org";
        var subscribe = await _client.PostAsJsonAsync("/api/subscriptions", new { email, topics = new[] { "quantization" } });
        Assert.Equal(HttpStatusCode.Accepted, subscribe.StatusCode);
        await host.ConfirmSubscriptionAsync(email);
        await host.ConfirmedTwoDaysAgoAsync(email);

        using var admin = await host.KeyClientAsync();
        (await admin.PostAsync("/api/digests/run", null)).EnsureSuccessStatusCode();

        var digest = Digest(email);
        var text = digest.TextBody ?? "";
        Assert.False(string.IsNullOrEmpty(digest.HtmlBody));
        var titles = TitleLine().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.InRange(titles.Count, 3, 10);
        var onTopic = titles.Count(t => Quantization().IsMatch(t));
        Assert.True(onTopic >= titles.Count * 0.8, $"{onTopic} of {titles.Count} digest papers are about quantization: {string.Join(" | ", titles)}");
        Assert.Contains("Why: matches your topic quantization (", text);
        Assert.Contains("/api/subscriptions/unsubscribe?token=", text);
    }

    [Fact]
    public async Task A_topic_the_subscriber_defines_by_example_papers_brings_papers_like_them()
    {
        async Task<string> IdOf(string title) =>
            (await _client.GetFromJsonAsync<List<Item>>("/api/papers/search?q=" + Uri.EscapeDataString(title) + "&limit=1"))!.Single().Paper.Id;
        string[] examples = [await IdOf("MIG: Automatic Data Selection for Instruction Tuning"), await IdOf("What Makes Good Data for Alignment? Automatic Data Selection in Instruction Tuning")];
        var email = $"curator-{Guid.NewGuid():N}@example.org";
        var subscribe = await _client.PostAsJsonAsync("/api/subscriptions", new
        {
            email,
            topics = Array.Empty<string>(),
            customTopics = new[] { new { name = "Picking training data for LLMs", description = (string?)null, examples } },
        });
        Assert.Equal(HttpStatusCode.Accepted, subscribe.StatusCode);
        await host.ConfirmSubscriptionAsync(email);
        await host.ConfirmedTwoDaysAgoAsync(email);

        using var admin = await host.KeyClientAsync();
        (await admin.PostAsync("/api/digests/run", null)).EnsureSuccessStatusCode();

        var text = Digest(email).TextBody ?? "";
        var titles = TitleLine().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.DoesNotContain(titles, t => t.StartsWith("MIG:", StringComparison.Ordinal) || t.StartsWith("What Makes Good Data", StringComparison.Ordinal));
        Assert.InRange(titles.Count, 2, 10);
        var onTopic = titles.Count(t => TrainingData().IsMatch(t));
        Assert.True(onTopic >= titles.Count * 0.6, $"{onTopic} of {titles.Count} digest papers are about training data: {string.Join(" | ", titles)}");
        Assert.Contains("Why: matches your topic Picking training data for LLMs (", text);
    }

    [Fact]
    public async Task A_custom_topic_with_an_unknown_example_id_is_refused_naming_it()
    {
        var response = await _client.PostAsJsonAsync("/api/subscriptions", new
        {
            email = "someone@example.org",
            customTopics = new[] { new { name = "mine", examples = new[] { "2512.99999v2" } } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("customTopics[0].examples", body);
        Assert.Contains("2512.99999", body);
    }

    [Fact]
    public async Task Bad_requests_get_problem_details()
    {
        var unknown = await _client.GetAsync("/api/papers/9999.99999");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);

        var empty = await _client.GetAsync("/api/papers/search?q=");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);

        var tooLong = await _client.GetAsync("/api/papers/search?q=" + new string('a', 251));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("250", await tooLong.Content.ReadAsStringAsync());

        var badDate = await _client.GetAsync("/api/daily_papers?date=2025-13-40");
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
    }

    [Fact]
    public async Task A_submitted_paper_becomes_searchable_once_an_admin_approves_it()
    {
        using var visitor = await host.VisitorClientAsync();
        var submit = await visitor.PostAsJsonAsync("/api/papers/submit", new
        {
            title = "Gradient-free Tuning of Sparse Mixture-of-Experts Routers for Protein Folding",
            summary = "We tune the routers of sparse mixture-of-experts models for protein structure prediction without gradients, using evolutionary search over routing tables.",
            authors = new[] { "Ada Example", "Alan Sample" },
        });
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        var pending = (await submit.Content.ReadFromJsonAsync<Submission>())!;
        Assert.Equal("pending", pending.Status);

        using var admin = await host.KeyClientAsync();
        (await admin.PostAsync($"/api/admin/submissions/{pending.SubmissionId}/approve", null)).EnsureSuccessStatusCode();

        await Eventually.UntilAsync(async () =>
        {
            var hits = await _client.GetFromJsonAsync<List<Item>>("/api/papers/search?q=evolutionary%20routing%20protein%20experts&limit=3");
            return hits!.Any(h => h.Paper.Title.StartsWith("Gradient-free Tuning", StringComparison.Ordinal) && h.Paper.Enriched);
        }, TimeSpan.FromMinutes(1), "the submitted paper to be searchable and enriched");
    }

    [Fact]
    public async Task Upvotes_count_once_per_visitor_and_can_be_taken_back()
    {
        var paper = (await _client.GetFromJsonAsync<List<Item>>("/api/daily_papers?date=2025-11-07&limit=1"))!.Single().Paper;
        using var visitor = await host.VisitorClientAsync();

        var first = await Vote(visitor, HttpMethod.Post, paper.Id);
        var second = await Vote(visitor, HttpMethod.Post, paper.Id);
        Assert.True(first.Counted);
        Assert.False(second.Counted);
        Assert.Equal(first.Upvotes, second.Upvotes);
        Assert.Equal(paper.Upvotes + 1, (await _client.GetFromJsonAsync<LocalHostFixture.Paper>($"/api/papers/{paper.Id}"))!.Upvotes);

        var withdrawn = await Vote(visitor, HttpMethod.Delete, paper.Id);
        var again = await Vote(visitor, HttpMethod.Delete, paper.Id);
        Assert.True(withdrawn.Counted);
        Assert.False(again.Counted);
        Assert.Equal(paper.Upvotes, (await _client.GetFromJsonAsync<LocalHostFixture.Paper>($"/api/papers/{paper.Id}"))!.Upvotes);
    }

    private static async Task<VoteResult> Vote(HttpClient client, HttpMethod method, string id)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(method, $"/api/papers/{id}/upvote"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<VoteResult>())!;
    }

    /// <summary>The digest (not the confirmation mail) sent to <paramref name="email"/>.</summary>
    private MimeMessage Digest(string email) => host.MailsTo(email).Single(m => m.Subject?.StartsWith("Papers digest", StringComparison.Ordinal) == true);

    private sealed record VoteResult(string PaperId, int Upvotes, bool Counted, bool Voted);

    private sealed record Submission(Guid SubmissionId, string? PaperId, string Status);

    [GeneratedRegex(@"quantiz|low-bit|bitwidth|binariz|int8|fp8|precision|8-bit", RegexOptions.IgnoreCase)]
    private static partial Regex Quantization();

    [GeneratedRegex(@"^\d+\. (.+)$", RegexOptions.Multiline)]
    private static partial Regex TitleLine();

    [GeneratedRegex(@"data|instruction|curat|filter|synthes|corpus|alignment|fine-tun", RegexOptions.IgnoreCase)]
    private static partial Regex TrainingData();
}
