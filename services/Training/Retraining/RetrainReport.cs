using Papers.Training.Learning;

namespace Papers.Training.Retraining;

public enum RetrainOutcome
{
    /// <summary>The new model beat the current one and Enrichment tags with it now.</summary>
    Promoted,

    /// <summary>Trained and kept in the registry as a candidate: it did not beat the current one.</summary>
    NotPromoted,

    /// <summary>Not trained (too few examples).</summary>
    Skipped,
}

/// <summary>Top-1 and macro F1 of one model on the papers both models were judged on.</summary>
public sealed record Score(string Model, int Papers, double Top1, double MacroF1);

/// <summary>What a retraining did: the data, the split, the new model's validation metrics, and the comparison that decided promotion.</summary>
public sealed record RetrainReport(
    RetrainOutcome Outcome,
    string Detail,
    Guid? ModelId,
    string EmbeddingModel,
    int HarvestExamples,
    int BaseExamples,
    int TrainExamples,
    int ValidationExamples,
    string? Split,
    ModelEvaluation? Validation,
    Score? Candidate,
    Score? Incumbent);
