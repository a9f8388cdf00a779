import Tokenizers

/// Tokenizer files: each input is loaded as `tokenizer.json`, as `vocab.txt`, and as `tokenizer_config.json` beside
/// a small fixed `vocab.txt`. Any bytes either load or give a `TokenizerError`; a tokenizer that loads then encodes,
/// truncates, pads and decodes a few texts, and every encoding's parallel arrays must be as long as its ids.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let bytes = fuzzBytes(data, count)
    _ = fixedVocabulary
    let files = [("json", "tokenizer.json"), ("vocab", "vocab.txt"), ("config", "tokenizer_config.json")]
    for (folder, fileName) in files {
        let directory = scratchFile("\(folder)/\(fileName)", bytes).deletingLastPathComponent()
        if let tokenizer = try? BertTokenizer(directory: directory) { exercise(tokenizer) }
    }
    return 0
}

/// The vocabulary beside the fuzzed `tokenizer_config.json`.
private let fixedVocabulary = scratchFile(
    "config/vocab.txt",
    Array("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\n,\nworld\n!\nun\n##aff\n##able\nmovie\n'\ns\n".utf8))

private let texts = [
    "Hello, world! Unaffable naïve 東京 [MASK] movie's", "", " \t\u{0}\u{FEFF}é\u{301}", "unaffable",
]

private func exercise(_ tokenizer: BertTokenizer) {
    for text in texts {
        check(tokenizer.encode(text), text)
        for pair in texts {
            check(tokenizer.encode(text, pair: pair), text)
            check(tokenizer.encode(text, pair: pair, maxLength: 6, padToMaxLength: true), text)
        }
        _ = tokenizer.decode(tokenizer.encode(text).ids, skipSpecialTokens: false)
    }
}

private func check(_ encoding: Encoding, _ text: String) {
    let count = encoding.ids.count
    let lengths = [
        encoding.typeIds.count, encoding.attentionMask.count, encoding.specialTokensMask.count,
        encoding.tokens.count, encoding.offsets.count,
    ]
    expect(lengths.allSatisfy { $0 == count }, "\(text.debugDescription): \(count) ids, lengths \(lengths)")
}
