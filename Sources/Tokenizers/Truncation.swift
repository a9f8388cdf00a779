extension TruncationStrategy {
    /// Shortens the sequences, from their ends, until together they have at most `budget` tokens (the maximum
    /// length less the template's special tokens), choosing the lengths as Hugging Face `tokenizers` does.
    ///
    /// Where Hugging Face raises an error instead — `onlyFirst`/`onlySecond` when that sequence is too short to
    /// absorb the excess, or `onlySecond` without a second sequence — the named sequence (or the only one) is
    /// shortened as far as it can be and the rest of the excess comes off the other, so the result always fits.
    func truncate(_ first: inout TokenSequence, _ second: inout TokenSequence?, toFit budget: Int) {
        let budget = max(budget, 0)
        let total = first.count + (second?.count ?? 0)
        guard total > budget else { return }
        let excess = total - budget
        guard var pair = second else {
            first.truncate(to: first.count - excess)
            return
        }
        switch self {
        case .longestFirst:
            let (firstLength, secondLength) = Self.longestFirstLengths(first.count, pair.count, budget: budget)
            first.truncate(to: firstLength)
            pair.truncate(to: secondLength)
        case .onlyFirst:
            let removed = min(excess, first.count)
            first.truncate(to: first.count - removed)
            pair.truncate(to: pair.count - (excess - removed))
        case .onlySecond:
            let removed = min(excess, pair.count)
            pair.truncate(to: pair.count - removed)
            first.truncate(to: first.count - (excess - removed))
        }
        second = pair
    }

    /// The lengths `longest_first` keeps: the shorter sequence whole if the longer can absorb the excess while
    /// staying at least as long, otherwise half the budget each (an odd token to the longer, the second on a tie).
    private static func longestFirstLengths(_ firstCount: Int, _ secondCount: Int, budget: Int) -> (Int, Int) {
        let swapped = firstCount > secondCount
        var shorter = min(firstCount, secondCount)
        var longer = shorter > budget ? shorter : max(shorter, budget - shorter)
        if shorter + longer > budget {
            shorter = budget / 2
            longer = shorter + budget % 2
        }
        return swapped ? (longer, shorter) : (shorter, longer)
    }
}
