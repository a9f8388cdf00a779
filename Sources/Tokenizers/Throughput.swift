/// How fast `encode` ran over a list of texts, one text at a time on the calling thread.
public struct EncodingThroughput: Sendable, Equatable {
    /// UTF-8 bytes of input encoded.
    public var bytes: Int
    public var texts: Int
    /// Tokens produced, special tokens included.
    public var tokens: Int
    public var seconds: Double

    /// Decimal megabytes (10^6 bytes) of UTF-8 input per second.
    public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1e6 : 0 }
}

extension BertTokenizer {
    /// Encodes each text separately (no padding, truncated to `maxLength` when given) and reports the rate, for
    /// `distill bench` and hand measurements. Build in release mode for meaningful numbers.
    public func measureThroughput(texts: [String], maxLength: Int? = nil) -> EncodingThroughput {
        let bytes = texts.reduce(0) { $0 + $1.utf8.count }
        var tokens = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for text in texts { tokens += encode(text, maxLength: maxLength).count }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return EncodingThroughput(bytes: bytes, texts: texts.count, tokens: tokens, seconds: seconds)
    }
}
