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
