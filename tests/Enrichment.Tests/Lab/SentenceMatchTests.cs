using Papers.Enrichment.Lab.Learning;

namespace Papers.Enrichment.Tests.Lab;

public sealed class SentenceMatchTests
{
    [Fact]
    public void An_abstract_is_cut_at_sentence_ends_but_not_after_abbreviations_initials_or_decimals()
    {
        var sentences = SentenceMatch.Split(
            "We study the spectra of galaxies, e.g. NGC 1275, as in Fig. 3 of Smith et al. 2004. The rate is 3.5 per year. " +
            "Observations by J. Doe agree! Does the relation hold at redshift z = 2? Yes.");

        Assert.Equal(
        [
            "We study the spectra of galaxies, e.g. NGC 1275, as in Fig. 3 of Smith et al. 2004.",
            "The rate is 3.5 per year.",
            "Observations by J. Doe agree!",
            "Does the relation hold at redshift z = 2? Yes.",
        ], sentences);
    }

    [Fact]
    public void A_long_abstract_keeps_at_most_the_cap_of_sentences_and_loses_no_text()
    {
        var text = string.Join(" ", Enumerable.Range(1, 40).Select(i => $"Sentence number {i} says something long enough."));

        var sentences = SentenceMatch.Split(text);

        Assert.Equal(SentenceMatch.MaxSentences, sentences.Count);
        Assert.Equal(text, string.Join(" ", sentences));
        Assert.EndsWith("number 40 says something long enough.", sentences[^1]);
    }

    [Fact]
    public void Max_sim_averages_each_query_sentences_best_match_and_both_directions_on_request()
    {
        float[] x = [1, 0], y = [0, 1], xy = [MathF.Sqrt(0.5f), MathF.Sqrt(0.5f)];

        // Query {x, y} against candidate {x}: x finds 1, y finds 0 → 0.5; back: x finds 1 → (0.5 + 1) / 2.
        Assert.Equal(0.5, SentenceMatch.MaxSim([x, y], [x], both: false), 6);
        Assert.Equal(0.75, SentenceMatch.MaxSim([x, y], [x], both: true), 6);
        // Query {x, y} against {xy, x}: x finds 1, y finds √½.
        Assert.Equal((1 + Math.Sqrt(0.5)) / 2, SentenceMatch.MaxSim([x, y], [xy, x], both: false), 5);
        Assert.Equal(0, SentenceMatch.MaxSim([], [x], both: true));
    }

    [Fact]
    public void Transport_matches_sentences_one_to_one_where_max_sim_lets_one_sentence_answer_all()
    {
        float[] x = [1, 0], y = [0, 1];

        // Both query sentences {x, x} find x in {x, y}, so max-sim calls the match perfect; transport must
        // send half the query's mass to each candidate sentence, so the half sent to y scores 0.
        Assert.Equal(1, SentenceMatch.MaxSim([x, x], [x, y], both: false), 6);
        Assert.Equal(0.5, SentenceMatch.Transport([x, x], [x, y]), 3);
        Assert.Equal(1, SentenceMatch.Transport([x, y], [y, x]), 3);
    }
}
