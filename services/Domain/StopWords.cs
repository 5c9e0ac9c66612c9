namespace Papers.Domain;

/// <summary>English function words, and the boilerplate of abstracts ("we propose a novel method").</summary>
public static class StopWords
{
    /// <summary>English function words.</summary>
    public static readonly HashSet<string> English = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "across", "after", "again", "against", "all", "almost", "along", "already", "also", "although",
        "always", "among", "an", "and", "another", "any", "are", "around", "as", "at", "be", "because", "been", "before",
        "being", "below", "between", "both", "but", "by", "can", "cannot", "could", "did", "do", "does", "doing", "done",
        "down", "due", "during", "each", "either", "else", "enough", "etc", "even", "ever", "every", "few", "for", "from",
        "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "however", "i", "if",
        "in", "into", "is", "it", "its", "itself", "just", "least", "less", "like", "likely", "many", "may", "might", "more",
        "most", "much", "must", "my", "neither", "no", "nor", "not", "now", "of", "off", "often", "on", "once", "one", "only",
        "onto", "or", "other", "others", "otherwise", "our", "ours", "out", "over", "own", "per", "perhaps", "rather", "same",
        "several", "she", "should", "since", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then",
        "there", "therefore", "these", "they", "this", "those", "though", "through", "thus", "to", "too", "toward", "towards",
        "two", "under", "until", "up", "upon", "us", "very", "via", "was", "we", "well", "were", "what", "whatever", "when",
        "where", "whereas", "whether", "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "without",
        "would", "yet", "you", "your", "whenever", "wherever", "whichever", "whoever", "despite", "unless", "beyond", "besides",
        "hence", "thereby", "therein", "thereof", "herein", "wherein", "whereby", "quite", "still", "instead", "indeed",
        "regarding", "throughout", "amongst", "amid", "beneath", "inside", "outside", "behind", "near", "next", "former",
        "latter", "anything", "everything", "nothing", "something", "anyone", "everyone", "someone", "none", "whole", "three",
        "four", "five", "six", "seven", "eight", "nine", "ten", "hundred", "thousand", "million", "billion", "first", "second",
        "third", "last", "am", "shall", "ought", "ourselves", "themselves", "yourself", "himself", "herself", "me", "him", "it's",
    };

    /// <summary>Function words plus abstract boilerplate: true of nearly every paper, so never (the end of) a keyword.</summary>
    public static readonly HashSet<string> Words = new(English, StringComparer.Ordinal)
    {
        "paper", "papers", "work", "works", "propose", "proposed", "proposes", "present", "presents", "presented", "show",
        "shows", "shown", "demonstrate", "demonstrates", "result", "results", "approach", "approaches", "method", "methods",
        "novel", "new", "based", "using", "use", "used", "uses", "study", "studies", "studied", "existing", "recent",
        "recently", "state-of-the-art", "art", "significant", "significantly", "various", "different",
        "further", "extensive", "experiments", "experimental", "outperforms", "achieve", "achieves", "achieved",
        "performance", "improve", "improves", "improved", "effective", "effectively", "efficient", "key", "important",
        "problem", "problems", "task", "tasks", "provide", "provides", "introduce", "introduces", "including", "large",
        "small", "high", "low", "better", "best", "code", "available", "publicly", "github", "https", "http", "com", "www",
        "furthermore", "moreover", "specifically", "particular", "particularly", "able", "ability", "given", "make", "makes",
    };
}
