using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;

namespace Papers.Api.Search;

/// <summary>
/// Lucene analysis that yields exactly the tokens of <see cref="TextTokens"/> (lower-cased
/// words and numbers, the same stop words, plural "s" folded), so BM25 on disk ranks the same
/// terms as the in-memory index.
/// </summary>
internal sealed class PaperAnalyzer : Analyzer
{
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader) => new(new PaperTokenizer(reader));

    private sealed class PaperTokenizer : Tokenizer
    {
        private readonly ICharTermAttribute _term;
        private readonly IOffsetAttribute _offset;
        private IEnumerator<(string Token, int Start, int End)>? _tokens;
        private int _length;

        public PaperTokenizer(TextReader input)
            : base(input)
        {
            _term = AddAttribute<ICharTermAttribute>();
            _offset = AddAttribute<IOffsetAttribute>();
        }

        public override bool IncrementToken()
        {
            ClearAttributes();
            if (_tokens is null || !_tokens.MoveNext())
                return false;
            var (token, start, end) = _tokens.Current;
            _term.SetEmpty().Append(token);
            _offset.SetOffset(CorrectOffset(start), CorrectOffset(end));
            return true;
        }

        public override void Reset()
        {
            base.Reset();
            var text = m_input.ReadToEnd();
            _length = text.Length;
            _tokens = TextTokens.TokenizeWithOffsets(text).GetEnumerator();
        }

        public override void End()
        {
            base.End();
            _offset.SetOffset(CorrectOffset(_length), CorrectOffset(_length));
        }

        protected override void Dispose(bool disposing)
        {
            _tokens?.Dispose();
            _tokens = null;
            base.Dispose(disposing);
        }
    }
}
