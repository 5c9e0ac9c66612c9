using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace Papers.Api.Search;

/// <summary>
/// The top BM25 documents for a disjunction of terms, with MaxScore pruning (Turtle &amp; Flood
/// 1995): Lucene.Net 4.8 scores every posting of every term of an OR query, which at millions
/// of papers means ~10⁶ postings for a term like "model". Here each term's highest possible
/// score bounds what it can add; once the top k are full, terms whose bounds together can't lift
/// a document above the k-th score only get advanced to the documents the others found. Scores
/// come from Lucene's own <see cref="BM25Similarity"/> scorer, and ties go to the lower document
/// number as in Lucene's collector, so the result is what <see cref="IndexSearcher.Search(Query, int)"/>
/// returns for the same <see cref="BooleanQuery"/> of SHOULD terms, without its cost.
/// </summary>
internal static class KeywordScorer
{
    private const float Unbounded = 1e30f;

    /// <summary>Best first: global document numbers and scores.</summary>
    public static List<(int Doc, float Score)> Top(IndexSearcher searcher, string field, Similarity similarity, IReadOnlyList<string> terms, int k)
    {
        var collection = searcher.CollectionStatistics(field);
        var reader = searcher.IndexReader;
        var weights = new List<Similarity.SimWeight>(terms.Count);
        var termObjects = new List<Term>(terms.Count);
        foreach (var text in terms)
        {
            var term = new Term(field, text);
            var docFreq = reader.DocFreq(term);
            if (docFreq == 0)
                continue;
            var weight = similarity.ComputeWeight(1f, collection, new TermStatistics(term.Bytes, docFreq, reader.TotalTermFreq(term)));
            weight.GetValueForNormalization();
            weight.Normalize(1f, 1f);
            weights.Add(weight);
            termObjects.Add(term);
        }
        var top = new PriorityQueue<int, (double Score, int Doc)>(k + 1, Comparer<(double Score, int Doc)>.Create((a, b) =>
            a.Score != b.Score ? a.Score.CompareTo(b.Score) : b.Doc.CompareTo(a.Doc)));
        if (weights.Count == 0 || k <= 0)
            return [];
        foreach (var leaf in reader.Leaves)
            ScoreLeaf(leaf, field, similarity, termObjects, weights, top, k);
        var result = new List<(int, float)>(top.Count);
        while (top.TryDequeue(out var doc, out var entry))
            result.Add((doc, (float)entry.Score));
        result.Reverse();
        return result;
    }

    private static void ScoreLeaf(AtomicReaderContext leaf, string field, Similarity similarity, List<Term> terms,
        List<Similarity.SimWeight> weights, PriorityQueue<int, (double Score, int Doc)> top, int k)
    {
        var fieldTerms = leaf.AtomicReader.GetTerms(field);
        if (fieldTerms is null)
            return;
        var enumerator = fieldTerms.GetEnumerator();
        var cursors = new List<Cursor>(terms.Count);
        for (var i = 0; i < terms.Count; i++)
        {
            if (!enumerator.SeekExact(terms[i].Bytes))
                continue;
            var postings = enumerator.Docs(leaf.AtomicReader.LiveDocs, null, DocsFlags.FREQS);
            if (postings is null)
                continue;
            var scorer = similarity.GetSimScorer(weights[i], leaf);
            cursors.Add(new Cursor(postings, scorer, scorer.Score(0, Unbounded)));
        }
        if (cursors.Count == 0)
            return;

        // Ascending bounds; prefix[i] = what terms 0..i can add together at most.
        cursors.Sort((a, b) => a.Bound.CompareTo(b.Bound));
        var prefix = new double[cursors.Count];
        for (var i = 0; i < cursors.Count; i++)
            prefix[i] = (i > 0 ? prefix[i - 1] : 0) + cursors[i].Bound;
        var threshold = top.Count >= k && top.TryPeek(out _, out var worst) ? worst.Score : double.NegativeInfinity;
        var firstEssential = 0;
        while (firstEssential < cursors.Count && prefix[firstEssential] <= threshold)
            firstEssential++;
        for (var i = firstEssential; i < cursors.Count; i++)
            cursors[i].Postings.NextDoc();

        var docBase = leaf.DocBase;
        while (firstEssential < cursors.Count)
        {
            var doc = DocIdSetIterator.NO_MORE_DOCS;
            for (var i = firstEssential; i < cursors.Count; i++)
                doc = Math.Min(doc, cursors[i].Postings.DocID);
            if (doc == DocIdSetIterator.NO_MORE_DOCS)
                break;

            // Summed in double: the order of the terms changes as they are demoted, and float sums
            // in different orders would split documents that tie in Lucene's own scoring.
            var score = 0d;
            for (var i = firstEssential; i < cursors.Count; i++)
            {
                var postings = cursors[i].Postings;
                if (postings.DocID != doc)
                    continue;
                score += cursors[i].Scorer.Score(doc, postings.Freq);
                postings.NextDoc();
            }
            var candidate = true;
            for (var i = firstEssential - 1; i >= 0; i--)
            {
                if (score + prefix[i] <= threshold)
                {
                    candidate = false;
                    break;
                }
                var postings = cursors[i].Postings;
                if (postings.DocID < doc)
                    postings.Advance(doc);
                if (postings.DocID == doc)
                    score += cursors[i].Scorer.Score(doc, postings.Freq);
            }
            if (!candidate || score <= threshold && top.Count >= k)
                continue;

            top.Enqueue(docBase + doc, (score, docBase + doc));
            if (top.Count > k)
                top.Dequeue();
            if (top.Count < k)
                continue;
            top.TryPeek(out _, out worst);
            threshold = worst.Score;
            // Terms whose bounds together no longer reach the k-th score stop leading: from now on
            // they are only advanced to documents the others found.
            // (A demoted cursor sits at or after the current document; Advance() moves it on from there.)
            while (firstEssential < cursors.Count && prefix[firstEssential] <= threshold)
                firstEssential++;
        }
    }

    private sealed record Cursor(DocsEnum Postings, Similarity.SimScorer Scorer, float Bound);
}
