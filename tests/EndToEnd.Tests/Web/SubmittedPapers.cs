using System.Net.Http.Json;
using System.Text.Json;

namespace Papers.EndToEnd.Tests.Web;

/// <summary>
/// Papers brought through the moderation path as a member of the public would bring them: submitted
/// by title, abstract and authors with a key, approved by an admin, then ingested, enriched and listed
/// today. Made once per host run and shared by the tests that need them.
/// </summary>
public static class SubmittedPapers
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> Made = [];

    /// <summary>A paper with authors and an arXiv-like subject, for the pages that need authors.</summary>
    public static readonly Submission Ordinary = new(
        "Notes on the Analytical Engine and the quantization of its weights",
        "We revisit the notes on the Analytical Engine and ask how few bits its weights need: quantization of network weights to low precision keeps accuracy while making inference cheaper.",
        ["Ada Lovelace", "Charles Babbage"]);

    /// <summary>Stored markup and event handlers in every text field a page, feed or tag shows.</summary>
    public static readonly Submission Hostile = new(
        "<script>window.__pwned='title'</script><img src=x onerror=\"window.__pwned='img'\"> Zyzzogeton payloads in titles",
        "</p><script>window.__pwned='abstract'</script><svg onload=\"window.__pwned='svg'\"></svg> An abstract about zyzzogeton markup that must stay text. \"Quotes\" & ampersands <b>too</b>.",
        ["\"><img src=x onerror=\"window.__pwned='author'\">", "Mallory <i onmouseover=\"window.__pwned='hover'\">O'Brien</i>"]);

    public sealed record Submission(string Title, string Summary, string[] Authors);

    /// <summary>The id of the paper, once it is listed and enriched.</summary>
    public static async Task<string> IdAsync(LocalHostFixture host, Submission paper)
    {
        await Gate.WaitAsync();
        try
        {
            if (Made.TryGetValue(paper.Title, out var known))
                return known;
            using var admin = await host.KeyClientAsync();
            using var submitted = await admin.PostAsJsonAsync("/api/papers/submit", new { title = paper.Title, summary = paper.Summary, authors = paper.Authors });
            submitted.EnsureSuccessStatusCode();
            var submission = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("submissionId").GetString();
            (await admin.PostAsync($"/api/admin/submissions/{submission}/approve", null)).EnsureSuccessStatusCode();

            var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var id = await Eventually.UntilAsync(async () =>
            {
                var items = await admin.GetFromJsonAsync<List<LocalHost.Item>>($"/api/daily_papers?date={today}&limit=100");
                return items?.FirstOrDefault(i => i.Paper.Title.Contains(paper.Title[^20..], StringComparison.Ordinal) && i.Paper.Enriched)?.Paper.Id;
            }, id => id is not null, TimeSpan.FromSeconds(60), $"the submitted paper '{paper.Title[^20..]}' to be listed and enriched");
            // Topic and author pages read this replica's facet index, which follows the read model within seconds.
            await Eventually.UntilAsync(async () => (await admin.GetStringAsync($"/v1/papers?author={Uri.EscapeDataString(paper.Authors[^1])}&fields=id")).Contains(id!, StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), $"the submitted paper {id} on its authors' pages");
            Made[paper.Title] = id!;
            return id!;
        }
        finally
        {
            Gate.Release();
        }
    }
}
