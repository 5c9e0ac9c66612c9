namespace Papers.Enrichment.Keywords;

/// <summary>
/// Just enough English morphology to keep keyphrases noun-phrase-like without a tagger: the
/// verb forms abstracts use around their terms ("… reduces memory", "… is proposed"), adverbs,
/// past participles, and adjectives that end fragments ("edge devices despite", "relevant").
/// </summary>
internal static class Lexicon
{
    /// <summary>Verbs of abstracts; their third-person and past forms break phrases (bases and -ing forms double as nouns: "design", "learning").</summary>
    private static readonly string[] Verbs =
    [
        "enable", "reduce", "achieve", "allow", "require", "provide", "improve", "outperform", "leverage", "yield", "remain",
        "become", "rely", "suffer", "exhibit", "capture", "generate", "introduce", "propose", "demonstrate", "show", "perform",
        "predict", "make", "take", "give", "depend", "consist", "involve", "include", "contain", "produce", "aim", "focus",
        "explore", "investigate", "present", "describe", "consider", "obtain", "offer", "establish", "extend", "combine",
        "integrate", "employ", "utilize", "utilise", "incorporate", "facilitate", "ensure", "apply", "exploit", "evaluate",
        "compare", "analyze", "analyse", "derive", "prove", "compute", "solve", "construct", "develop", "observe", "detect",
        "identify", "attain", "surpass", "exceed", "mitigate", "alleviate", "tackle", "overcome", "handle", "address", "enhance",
        "boost", "reveal", "indicate", "suggest", "imply", "highlight", "emphasize", "emphasise", "argue", "assume", "seek",
        "fail", "succeed", "operate", "adapt", "generalize", "generalise", "converge", "lack", "affect", "explain", "discuss",
        "report", "find", "learn", "train", "deliver", "maintain", "preserve", "outline", "formulate", "implement", "release",
        "collect", "curate", "conduct", "benchmark", "validate", "verify", "confirm", "determine", "examine", "quantify",
        "characterize", "characterise", "unify", "bridge", "guide", "encourage", "inspire", "motivate", "limit", "hinder",
        "struggle", "tend", "appear", "seem", "emerge", "arise", "occur", "exist", "lie", "hold", "play", "serve", "help",
        "need", "want", "try", "attempt", "manage", "reach", "gain", "lose", "keep", "let", "get", "reflect", "go", "aggregate", "retain",
        "range", "offer", "steer", "drive", "rise", "fall", "grow", "increase", "decrease", "vary", "differ", "support", "assess",
    ];

    /// <summary>-ing words that are (or name) things: they may start or end a term ("training data", "machine learning").</summary>
    public static readonly HashSet<string> GerundNouns = new(StringComparer.Ordinal)
    {
        "learning", "training", "processing", "computing", "modeling", "modelling", "reasoning", "planning", "sampling",
        "matching", "ranking", "clustering", "embedding", "embeddings", "pruning", "parsing", "tracking", "mapping", "labeling",
        "labelling", "rendering", "editing", "streaming", "forecasting", "routing", "caching", "boosting", "hashing", "encoding",
        "decoding", "scaling", "filtering", "understanding", "benchmarking", "mining", "engineering", "programming", "testing",
        "fine-tuning", "pretraining", "pre-training", "prompting", "captioning", "answering", "tuning", "finetuning", "coding",
        "computing", "imaging", "sensing", "scheduling", "indexing", "searching", "reporting", "monitoring", "screening",
        "manufacturing", "driving", "writing", "reading", "speaking", "listening", "grounding", "inpainting", "denoising",
        "smoothing", "lensing", "heating", "cooling", "doping", "pairing", "tunneling", "tunnelling", "scattering", "spring",
        "string", "strings", "thing", "things", "building", "ring", "rings", "king", "wing", "bearing", "setting", "settings",
        "morning", "evening", "meaning", "timing", "pricing", "trading", "lending", "banking", "housing", "funding", "voting",
        "spacing", "gating", "pooling", "padding", "batching", "packing", "blending", "warping", "morphing", "meshing",
    };

    /// <summary>True for an -ing form that is a verb here ("offering", "reducing"), which can't start a term.</summary>
    public static bool IsVerbalIng(string lower) => lower.Length > 5 && lower.EndsWith("ing", StringComparison.Ordinal) && !GerundNouns.Contains(lower);

    /// <summary>Third-person and past forms of <see cref="Verbs"/> (and the irregular ones), which are rarely inside a term.</summary>
    public static readonly HashSet<string> VerbForms = BuildVerbForms();

    /// <summary>Adjectives that describe rather than name: they neither start nor end a keyphrase ("relevant hardware", "… is relevant").</summary>
    public static readonly HashSet<string> Evaluative = new(StringComparer.Ordinal)
    {
        "relevant", "previous", "prior", "current", "future", "diverse", "inefficient", "trustworthy", "remarkable", "substantial",
        "notable", "critical", "crucial", "essential", "fundamental", "practical", "comprehensive", "real-world", "enhanced",
        "limited", "effective", "suitable", "feasible", "competitive", "reliable", "common", "typical", "similar", "unique",
        "single", "multiple", "certain", "main", "major", "minor", "overall", "additional", "original", "available", "unable",
        "difficult", "easy", "hard", "whole", "entire", "numerous", "prominent", "popular", "widespread", "necessary",
        "sufficient", "suboptimal", "expensive", "costly", "cheap", "valuable", "useful", "beneficial", "harmful", "respective",
        "corresponding", "related", "underlying", "following", "resulting", "remaining", "emerging", "increasing", "decreasing",
        "growing", "leading", "competing", "promising", "surprising", "interesting", "challenging", "possible", "capable",
        "consistent", "superior", "comparable", "accurate", "unprecedented", "impressive", "strong", "weak", "simple", "powerful",
        "despite", "whenever", "across", "toward", "such", "extraordinary", "straightforward", "desirable", "excellent",
    };

    /// <summary>Adjectives that start terms ("large language models", "sparse attention") but can't end one.</summary>
    public static readonly HashSet<string> Adjectives = new(Evaluative, StringComparer.Ordinal)
    {
        "large", "small", "high", "low", "deep", "shallow", "dense", "sparse", "fast", "slow", "long", "short", "wide", "broad",
        "narrow", "rich", "stable", "unstable", "noisy", "clean", "huge", "tiny", "vast", "free", "open", "full", "partial",
        "natural", "real", "true", "false", "good", "poor", "higher", "lower", "faster", "slower", "larger", "smaller", "worse",
        "fewer", "greater", "complex", "general", "specific", "robust", "scalable", "lightweight", "heavy", "dependent",
        "independent", "agnostic", "specialized", "specialised", "generic", "safe", "unsafe", "fair", "biased", "aware", "key",
        "optimal", "new", "old", "early", "late", "recent", "dynamic", "static", "semantic", "synthetic", "automatic", "generic",
    };

    /// <summary>Verbs whose base form starts no term ("reduce computational demands", "predict").</summary>
    public static readonly HashSet<string> VerbBases = new(StringComparer.Ordinal)
    {
        "reduce", "enable", "achieve", "allow", "require", "provide", "improve", "outperform", "leverage", "retain", "predict",
        "generate", "introduce", "propose", "demonstrate", "perform", "capture", "exhibit", "obtain", "explore", "investigate",
        "consider", "establish", "extend", "combine", "integrate", "employ", "utilize", "utilise", "incorporate", "facilitate",
        "ensure", "apply", "exploit", "evaluate", "compare", "analyze", "analyse", "derive", "prove", "compute", "solve",
        "construct", "develop", "observe", "detect", "identify", "mitigate", "alleviate", "tackle", "overcome", "enhance",
        "boost", "reveal", "indicate", "suggest", "highlight", "emphasize", "explain", "discuss", "maintain", "preserve",
        "implement", "collect", "conduct", "validate", "verify", "confirm", "determine", "examine", "quantify", "characterize",
        "unify", "encourage", "inspire", "motivate", "hinder", "struggle", "emerge", "arise", "occur", "exist", "serve", "steer",
        "vary", "differ", "aggregate", "learn", "train", "adapt", "generalize", "converge", "operate", "fail", "succeed",
        "reflect", "lack", "fit", "estimate", "support", "disclose", "assess", "measure", "capture", "select", "guarantee",
    };

    /// <summary>Nouns too general to be a keyword on their own (fine inside a phrase: "training data").</summary>
    public static readonly HashSet<string> Generic = new(StringComparer.Ordinal)
    {
        "model", "models", "data", "dataset", "datasets", "framework", "frameworks", "system", "systems", "network", "networks",
        "algorithm", "algorithms", "technique", "techniques", "strategy", "strategies", "analysis", "evaluation", "training",
        "accuracy", "architecture", "architectures", "application", "applications", "solution", "solutions", "quality", "process",
        "processes", "pipeline", "pipelines", "tool", "tools", "scheme", "schemes", "setting", "settings", "information",
        "knowledge", "feature", "features", "source", "sources", "benchmark", "benchmarks", "prediction", "predictions",
        "baseline", "baselines", "metric", "metrics", "experiment", "user", "users", "domain", "domains", "context", "level",
        "levels", "stage", "stages", "step", "steps", "module", "modules", "component", "components", "structure", "structures",
        "value", "values", "size", "sizes", "number", "rate", "time", "cost", "costs", "storage", "scale", "world", "way", "ways",
        "type", "types", "case", "cases", "example", "examples", "set", "sets", "part", "parts", "form", "forms", "order",
        "range", "role", "roles", "effect", "effects", "impact", "property", "properties", "behavior", "behaviour", "challenge",
        "challenges", "issue", "issues", "limitation", "limitations", "insight", "insights", "capability", "capabilities",
        "factor", "factors", "aspect", "aspects", "research", "field", "area", "areas", "community", "practice", "practices",
        "paradigm", "mechanism", "mechanisms", "objective", "goal", "goals", "reviewer", "input", "inputs", "output", "outputs",
        "evidence", "quality", "design", "technology", "technologies", "content", "contents", "terms", "term", "point", "points",
    };

    /// <summary>Words ending in -ly that are nouns.</summary>
    private static readonly HashSet<string> LyNouns = new(StringComparer.Ordinal)
    {
        "anomaly", "family", "assembly", "supply", "monopoly", "reply", "butterfly", "firefly", "dragonfly", "rally", "ally",
        "lily", "italy", "july", "poly", "oligopoly", "homily", "jelly", "belly", "bully", "tally", "folly",
    };

    /// <summary>Words ending in -ed that are nouns (or the stems of terms: "embed").</summary>
    private static readonly HashSet<string> EdNouns = new(StringComparer.Ordinal)
    {
        "speed", "seed", "need", "feed", "breed", "embed", "hundred", "bed", "red", "shed", "creed", "reed", "weed", "steed",
    };

    /// <summary>Nouns with an adjective's ending.</summary>
    private static readonly HashSet<string> SuffixNouns = new(StringComparer.Ordinal)
    {
        "objective", "objectives", "alternative", "derivative", "incentive", "initiative", "narrative", "perspective", "directive",
        "detective", "archive", "primitive", "primitives", "representative", "executive", "locomotive", "adjective", "explosive",
        "signal", "interval", "potential", "material", "journal", "tutorial", "proposal", "retrieval", "arrival", "trial",
        "animal", "hospital", "capital", "manual", "rival", "terminal", "crystal", "metal", "portal", "individual", "principal",
        "removal", "approval", "survival", "renewal", "disposal", "denial", "referral", "rental", "festival", "interval",
        "integral", "integrals", "differential", "polynomial", "functional", "manifold", "residual", "residuals", "tensorial",
        "canal", "total", "normal", "oral", "moral", "mineral", "hydroxyl", "carbonyl", "annual", "vertical", "horizontal",
        "radical", "radicals", "chemical", "chemicals", "rational", "orbital", "orbitals", "fractal", "fractals", "decimal",
        "variable", "variables", "table", "tables", "cable", "cables", "bible", "syllable", "vegetable", "turntable", "timetable",
        "ensemble", "marble", "bubble", "double", "trouble", "dial", "vial", "serial", "credential", "credentials", "pedestal",
    };

    /// <summary>An adjective by its ending (-ive, -ous, -ful, -able, -ible, -al), unless a known noun.</summary>
    public static bool LooksAdjective(string lower) =>
        !SuffixNouns.Contains(lower) && lower.Length > 4 &&
        (lower.EndsWith("ive", StringComparison.Ordinal) || lower.EndsWith("ous", StringComparison.Ordinal) || lower.EndsWith("ful", StringComparison.Ordinal)
         || lower.EndsWith("able", StringComparison.Ordinal) || lower.EndsWith("ible", StringComparison.Ordinal) || lower.EndsWith("al", StringComparison.Ordinal));

    public static bool IsAdverb(string lower) => lower.Length > 4 && lower.EndsWith("ly", StringComparison.Ordinal) && !LyNouns.Contains(lower);

    /// <summary>A past participle ("proposed", "fine-tuned") ends no term, though it may start one ("fine-tuned models").</summary>
    public static bool IsParticiple(string lower) =>
        lower.Length > 4 && lower.EndsWith("ed", StringComparison.Ordinal) && !EdNouns.Contains(lower[(lower.LastIndexOf('-') + 1)..]);

    private static HashSet<string> BuildVerbForms()
    {
        var forms = new HashSet<string>(StringComparer.Ordinal)
        {
            "is", "are", "was", "were", "be", "been", "has", "have", "had", "does", "did", "made", "took", "taken", "gave", "given",
            "found", "shown", "showed", "held", "led", "kept", "got", "became", "arose", "lay", "lies", "sought", "learnt", "goes",
            "went", "gone", "grew", "grown", "fell", "drove", "driven", "rose", "risen", "called", "named", "termed", "dubbed", "coined",
        };
        foreach (var verb in Verbs)
        {
            forms.Add(ThirdPerson(verb));
            var ing = verb.EndsWith("ie", StringComparison.Ordinal) ? verb[..^2] + "ying" : verb.EndsWith('e') && verb.Length > 2 ? verb[..^1] + "ing" : verb + "ing";
            if (!GerundNouns.Contains(ing))
                forms.Add(ing);
            forms.Add(verb.EndsWith('e') ? verb + "d" : verb.EndsWith('y') && !"aeiou".Contains(verb[^2]) ? verb[..^1] + "ied" : verb + "ed");
        }
        // Plurals that are nouns far more often than verbs.
        forms.ExceptWith(["results", "needs", "leads", "aims", "claims", "attempts", "finds", "holds", "plays", "reports", "benchmarks", "releases", "guides", "limits", "gains"]);
        return forms;
    }

    private static string ThirdPerson(string verb) =>
        verb.EndsWith('y') && !"aeiou".Contains(verb[^2]) ? verb[..^1] + "ies"
        : verb.EndsWith('s') || verb.EndsWith('x') || verb.EndsWith("ch", StringComparison.Ordinal) || verb.EndsWith("sh", StringComparison.Ordinal) ? verb + "es"
        : verb + "s";
}
