using Papers.Analytics.Commands;

namespace Papers.Analytics.Tests;

/// <summary>The <c>replay</c> command's refusals (its happy path runs on a real broker: <see cref="BrokerTests"/>).</summary>
public sealed class ReplayCommandTests
{
    private const string Day = "2026-11-21";

    [Theory]
    [InlineData("--event-type", "PaperSold", "Day", "Day", "backfill", "'PaperSold' is not an archived event type")]
    [InlineData("--queue", "Papers.Contracts:PaperViewed", "Day", "Day", "Papers.Contracts:PaperViewed", "is not a queue name")]
    [InlineData("--queue", "analytics-paper-viewed", "Day", "Day", "analytics-paper-viewed", "one of the archive's own queues")]
    [InlineData("--from", "2026-11-22", "2026-11-22", "Day", "backfill", "is after to")]
    [InlineData("--to", "2026-02-30", "Day", "2026-02-30", "backfill", "is not a day")]
    public async Task A_refused_value_exits_2_naming_the_option_and_the_value(string option, string value, string from, string to, string queue, string why)
    {
        var eventType = option == "--event-type" ? value : "PaperViewed";
        var (code, error) = await RunAsync("--event-type", eventType, "--from", from == "Day" ? Day : from, "--to", to == "Day" ? Day : to, "--queue", queue);

        Assert.Equal(2, code);
        Assert.Contains($"replay: {option}: '{value}'", error);
        Assert.Contains(why, error);
        Assert.Contains(ReplayCommand.Usage, error);
    }

    [Theory]
    [InlineData("replay: --to: Give both days of the range", "--event-type", "PaperViewed", "--from", Day, "--queue", "backfill")]
    [InlineData("replay: unknown option '--day'.", "--event-type", "PaperViewed", "--day", Day)]
    [InlineData("replay: --queue needs a value.", "--event-type", "PaperViewed", "--queue")]
    [InlineData("replay: bad setting: Analytics:BatchSize must be between 1 and 100000 (it is 0).", "--Analytics:BatchSize=0", "--event-type", "PaperViewed", "--from", Day, "--to", Day, "--queue", "backfill")]
    public async Task Missing_unknown_and_valueless_options_and_bad_settings_exit_2_saying_what_is_wrong(string says, params string[] args)
    {
        var (code, error) = await RunAsync(args);

        Assert.Equal(2, code);
        Assert.StartsWith(says, error);
    }

    private static async Task<(int Code, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await ReplayCommand.RunAsync(["replay", .. args], output, error);
        return (code, error.ToString());
    }
}
