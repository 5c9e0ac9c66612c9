using Microsoft.Extensions.Options;

namespace Papers.Training.Retraining;

/// <summary>Section <c>Training</c>: when and on what the tagger is retrained.</summary>
public sealed class TrainingOptions
{
    public const string Section = "Training";

    /// <summary>When to retrain (cron, UTC); empty: only when an admin asks (<c>POST /api/training/retrain</c>).</summary>
    public string? Cron { get; set; } = "30 3 * * *";

    /// <summary>Fit on harvested papers listed in this many months before the newest one.</summary>
    public int WindowMonths { get; set; } = 6;

    /// <summary>The newest listing days held out for validation.</summary>
    public int ValidationDays { get; set; } = 7;

    /// <summary>When the newest <see cref="ValidationDays"/> hold more than half of the examples: the share held out instead (newest by listing day).</summary>
    public double HoldOutShare { get; set; } = 0.2;

    /// <summary>Fewer harvested examples (with embeddings of the current model) than this: no retraining.</summary>
    public int MinExamples { get; set; } = 100;

    /// <summary>Fit on the shipped training papers as well as the harvest (categories a harvest lacks keep what they knew).</summary>
    public bool UseBaseSet { get; set; } = true;

    /// <summary>
    /// Validation papers the current model was not trained on, at least: with fewer, it can't be
    /// judged fairly and the candidate must beat the description-similarity baseline instead.
    /// </summary>
    public int MinComparable { get; set; } = 20;

    internal IEnumerable<string> Errors()
    {
        if (!string.IsNullOrWhiteSpace(Cron) && !Cronos.CronExpression.TryParse(Cron, out _))
            yield return $"Training:Cron '{Cron}' is not a valid cron expression (minute hour day month weekday).";
        if (WindowMonths is < 1 or > 120)
            yield return $"Training:WindowMonths must be between 1 and 120; got {WindowMonths}.";
        if (ValidationDays is < 1 or > 60)
            yield return $"Training:ValidationDays must be between 1 and 60; got {ValidationDays}.";
        if (HoldOutShare is <= 0 or >= 1)
            yield return $"Training:HoldOutShare must be between 0 and 1 (exclusive); got {HoldOutShare}.";
        if (MinExamples < 10)
            yield return $"Training:MinExamples must be at least 10; got {MinExamples}.";
        if (MinComparable < 1)
            yield return $"Training:MinComparable must be at least 1; got {MinComparable}.";
    }
}

/// <summary>Start-up stops with every wrong <c>Training:*</c> setting named, with its value.</summary>
internal sealed class TrainingOptionsValidator : IValidateOptions<TrainingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrainingOptions options) =>
        options.Errors().ToList() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
