using Papers.Training.Retraining;

namespace Papers.Training.Tests;

public sealed class OptionsTests
{
    [Fact]
    public void Wrong_settings_are_refused_naming_the_setting_and_the_value()
    {
        var result = new TrainingOptionsValidator().Validate(null, new TrainingOptions { Cron = "every day", WindowMonths = 0, HoldOutShare = 1.5 });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Training:Cron 'every day'"));
        Assert.Contains(result.Failures!, f => f.Contains("Training:WindowMonths") && f.Contains("got 0"));
        Assert.Contains(result.Failures!, f => f.Contains("Training:HoldOutShare") && f.Contains("1.5"));
        Assert.True(new TrainingOptionsValidator().Validate(null, new TrainingOptions()).Succeeded);
    }
}

public sealed class TimeSplitTests
{
    private static readonly DateOnly Day = new(2026, 11, 2);

    [Fact]
    public void The_newest_week_is_held_out_and_everything_older_is_fitted_on()
    {
        DateOnly[] days = [Day, Day, Day.AddDays(20), Day.AddDays(20), Day.AddDays(30), Day.AddDays(36), Day.AddDays(37)];

        var split = Learning.TimeSplit.Newest(days, 7, 0.2);

        Assert.Equal([0, 1, 2, 3, 4], split.Train);
        Assert.Equal([5, 6], split.Validation);
        Assert.Contains("newest 7 days held out", split.Rule);
    }

    [Fact]
    public void When_the_newest_week_is_most_of_the_harvest_the_newest_fifth_is_held_out_and_the_rule_says_so()
    {
        DateOnly[] days = [Day.AddDays(3), Day, Day.AddDays(1), Day.AddDays(2), Day.AddDays(4), Day, Day.AddDays(1), Day.AddDays(2), Day.AddDays(3), Day.AddDays(4)];

        var split = Learning.TimeSplit.Newest(days, 7, 0.2);

        Assert.Equal([4, 9], split.Validation.Order());
        Assert.Equal(8, split.Train.Count);
        Assert.Contains("the newest 20% by listing day held out instead", split.Rule);
    }
}
