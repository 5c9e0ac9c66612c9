using System.Text.Json;
using Papers.Api.Tests.Web;

namespace Papers.EndToEnd.Tests.Web;

/// <summary>Our <c>/api/papers/search</c> against the item shape of Hugging Face's real response (the embedded default: real embeddings).</summary>
[Collection(LocalHostCollection.Name)]
public sealed class HfSearchContractTests(LocalHostFixture host)
{
    [Fact]
    public async Task Search_items_carry_every_field_hugging_face_always_sends_with_its_type()
    {
        await SubmittedPapers.IdAsync(host, SubmittedPapers.Ordinary);
        using var client = host.CreateClient();
        using var file = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf-daily-papers", "daily_papers_2026-06-12.json"));
        var theirs = JsonDocument.Parse(file).RootElement.EnumerateArray().ToArray();

        var ours = JsonDocument.Parse(await client.GetStringAsync("/api/papers/search?q=analytical%20engine%20quantization&limit=10")).RootElement;

        Assert.InRange(ours.GetArrayLength(), 2, 10);
        Assert.Empty(JsonShape.Breaches(JsonShape.Of(theirs), JsonShape.Of([.. ours.EnumerateArray()])));
    }
}
