import Tensors
import Tokenizers

extension LabelledDataset {
    /// Every example encoded by `tokenizer` (the text, or the pair of texts), with special tokens, truncated to
    /// `maxLength` tokens (longest-first for pairs, as transformers' `truncation=True`). Example `i` keeps `i` as
    /// its ``TokenizedExample/index`` and its label.
    ///
    /// The examples are encoded on all cores; the result does not depend on how they are split.
    public func tokenized(with tokenizer: some Tokenizer, maxLength: Int) -> [TokenizedExample] {
        let source = examples
        var result = [TokenizedExample?](repeating: nil, count: source.count)
        result.withUnsafeMutableBufferPointer { output in
            // Each chunk writes only its own slots.
            parallelFor(source.count, grain: 256) { range in
                for index in range {
                    let example = source[index]
                    let encoding = tokenizer.encode(
                        example.text, pair: example.textPair, maxLength: maxLength, truncation: .longestFirst,
                        padToMaxLength: false)
                    output[index] = TokenizedExample(
                        ids: encoding.ids, typeIds: encoding.typeIds, label: example.label, index: index)
                }
            }
        }
        return result.compactMap { $0 }
    }
}
