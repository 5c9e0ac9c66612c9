using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Papers.Enrichment.Tagging.Learning;

namespace Papers.Enrichment.Tagging;

/// <summary>
/// The trained category tagger that ships inside the assembly (<c>Tagging/tagger-model.json</c>,
/// written by the <c>train</c> command of tools/Enrichment.Lab): softmax weights for the categories that had training
/// papers, the embedded descriptions of all categories (the fallback for the rest, and the
/// description term), the calibration, and how to calibrate custom topics' similarities.
/// </summary>
public sealed class TaggerModel
{
    internal const string ResourceName = "tagger-model.json";

    internal TaggerModel(string embeddingModel, CategoryClassifier classifier, float[][] descriptions, IReadOnlySet<string> trainedOn,
        (double A, double B) descriptionTopic, (double A, double B) exampleTopic)
    {
        EmbeddingModel = embeddingModel;
        Classifier = classifier;
        Descriptions = descriptions;
        TrainedOn = trainedOn;
        DescriptionTopic = descriptionTopic;
        ExampleTopic = exampleTopic;
    }

    /// <summary>The embedding model the weights were trained on; any other model's vectors don't fit them.</summary>
    public string EmbeddingModel { get; }

    internal CategoryClassifier Classifier { get; }

    /// <summary>Embedded description of each class of <see cref="CategoryClassifier.Classes"/>.</summary>
    internal float[][] Descriptions { get; }

    /// <summary>Ids of the training papers (so that eval can leave them out).</summary>
    public IReadOnlySet<string> TrainedOn { get; }

    /// <summary><c>P(topic applies) = σ(A·cos + B)</c> for a topic known by its description only.</summary>
    public (double A, double B) DescriptionTopic { get; }

    /// <summary>The same for a topic with example papers, <c>cos</c> to the normalised sum of their embeddings and its description's.</summary>
    public (double A, double B) ExampleTopic { get; }

    public IReadOnlyList<string> Classes => Classifier.Classes;

    /// <summary>A short hash of the weights and calibration: equal for the same model, for logs and to skip a swap to the same model.</summary>
    public string Fingerprint => _fingerprint ??= Convert.ToHexStringLower(SHA256.HashData(
        [.. MemoryMarshal.AsBytes(Classifier.Softmax.Weights.AsSpan()), .. BitConverter.GetBytes(Classifier.Temperature), .. BitConverter.GetBytes(Classifier.Coverage),
        .. System.Text.Encoding.UTF8.GetBytes(string.Join(' ', Classifier.Withheld.Order(StringComparer.Ordinal)))]).AsSpan(0, 6));

    private string? _fingerprint;

    public double Threshold => Classifier.Threshold;

    public int MaxTags => Classifier.MaxTags;

    /// <summary>Calibrated probability of each class being the paper's primary category.</summary>
    internal double[] Probabilities(float[] embedding)
    {
        var sims = Similarities(embedding);
        return Classifier.Probabilities(new DenseFeatures([embedding]), 0, sims);
    }

    internal float[] Similarities(float[] embedding) => Descriptions.Select(d => TensorPrimitives.Dot(embedding, d)).ToArray();

    internal Prediction Predict(float[] embedding) => Classifier.Predict(Probabilities(embedding));

    internal double TagScore(double probability) => Classifier.TagScore(probability);

    /// <summary>The model embedded in this assembly, or null if it was built without one.</summary>
    public static TaggerModel? LoadEmbedded()
    {
        using var stream = typeof(TaggerModel).Assembly.GetManifestResourceStream(ResourceName);
        return stream is null ? null : Load(stream);
    }

    /// <summary>
    /// The model at <paramref name="path"/> (<c>Tagging:ModelPath</c>, a file <c>train</c> wrote for
    /// another embedding model), else the embedded one.
    /// </summary>
    public static TaggerModel? LoadFileOrEmbedded(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
            return LoadEmbedded();
        try
        {
            using var stream = File.OpenRead(path);
            return Load(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
        {
            throw new InvalidOperationException($"Tagging:ModelPath names '{path}', which could not be read as a tagger model: {ex.Message}", ex);
        }
    }

    public static TaggerModel Load(Stream stream)
    {
        var dto = JsonSerializer.Deserialize<Dto>(stream, Json) ?? throw new InvalidDataException("The tagger model is empty.");
        var softmax = new SoftmaxModel(dto.Active.Length, dto.Dimensions) { Alpha = dto.DescriptionWeight };
        Floats(dto.Weights).CopyTo(softmax.Weights, 0);
        dto.Bias.CopyTo(softmax.Bias, 0);
        var classes = dto.Classes;
        var classifier = new CategoryClassifier
        {
            Classes = classes,
            Active = dto.Active.Select(id => classes.IndexOf(id)).ToArray(),
            Softmax = softmax,
            UsesDescriptions = true,
            Temperature = dto.Temperature,
            FallbackSlope = dto.FallbackSlope,
            FallbackOffset = dto.FallbackOffset,
            TagA = dto.TagCalibration[0],
            TagB = dto.TagCalibration[1],
            Threshold = dto.Threshold,
            MaxTags = dto.MaxTags,
            Coverage = dto.Coverage,
            Withheld = (dto.Withheld ?? []).ToHashSet(StringComparer.Ordinal),
        };
        return new TaggerModel(dto.EmbeddingModel, classifier, dto.Descriptions.Select(Floats).ToArray(), dto.TrainedOn.ToHashSet(StringComparer.Ordinal),
            (dto.DescriptionTopicCalibration[0], dto.DescriptionTopicCalibration[1]), (dto.ExampleTopicCalibration[0], dto.ExampleTopicCalibration[1]));
    }

    public void Save(Stream stream, string trainedWith)
    {
        var c = Classifier;
        var dto = new Dto(
            Comment: "Written by `dotnet run --project tools/Enrichment.Lab -c Release -- train`; see tools/Enrichment.Lab/README.md.",
            TrainedWith: trainedWith,
            EmbeddingModel: EmbeddingModel,
            Dimensions: c.Softmax.Dimensions,
            Classes: [.. c.Classes],
            Active: c.Active.Select(i => c.Classes[i]).ToArray(),
            Weights: Base64(c.Softmax.Weights),
            Bias: c.Softmax.Bias,
            DescriptionWeight: c.Softmax.Alpha,
            Descriptions: Descriptions.Select(d => Base64(d)).ToArray(),
            Temperature: c.Temperature,
            FallbackSlope: c.FallbackSlope,
            FallbackOffset: c.FallbackOffset,
            TagCalibration: [c.TagA, c.TagB],
            Threshold: c.Threshold,
            MaxTags: c.MaxTags,
            Coverage: c.Coverage,
            Withheld: c.Withheld.Order(StringComparer.Ordinal).ToArray(),
            DescriptionTopicCalibration: [DescriptionTopic.A, DescriptionTopic.B],
            ExampleTopicCalibration: [ExampleTopic.A, ExampleTopic.B],
            TrainedOn: TrainedOn.Order(StringComparer.Ordinal).ToArray());
        JsonSerializer.Serialize(stream, dto, new JsonSerializerOptions(Json) { WriteIndented = true });
    }

    private static string Base64(ReadOnlySpan<float> values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values));

    private static float[] Floats(string base64) => MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(base64)).ToArray();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Dto(
        string Comment,
        string TrainedWith,
        string EmbeddingModel,
        int Dimensions,
        List<string> Classes,
        string[] Active,

        /// <summary>W[j, c] at j·Active.Length + c, float32 little-endian, base64.</summary>
        string Weights,
        float[] Bias,
        float DescriptionWeight,
        string[] Descriptions,
        double Temperature,
        double FallbackSlope,
        double FallbackOffset,
        double[] TagCalibration,
        double Threshold,
        int MaxTags,

        /// <summary>0 in models written before it existed: tags by threshold only.</summary>
        double Coverage,

        /// <summary>Categories never shown (absent in models written before: none).</summary>
        string[]? Withheld,
        double[] DescriptionTopicCalibration,
        double[] ExampleTopicCalibration,
        string[] TrainedOn);
}
