import Testing

/// Whether `actual` is within `absolute + relative · |expected|` of `expected`.
public func isClose(_ actual: Double, _ expected: Double, relative: Double, absolute: Double) -> Bool {
    abs(actual - expected) <= absolute + relative * abs(expected)
}

/// Expects `actual` to match `expected` element by element (same count), reporting the worst element.
public func expectClose(
    _ actual: [Float], _ expected: [Double], relative: Double = 1e-5, absolute: Double = 1e-5, _ what: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    var worst: (index: Int, excess: Double)?
    for (index, (a, e)) in zip(actual, expected).enumerated() {
        let excess = abs(Double(a) - e) - (absolute + relative * abs(e))
        // Written so that a NaN (which compares false) counts as a failure.
        guard !(excess <= 0) else { continue }
        if excess.isNaN || excess > (worst?.excess ?? 0) { worst = (index, excess) }
    }
    if let worst {
        Issue.record("\(what): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index])",
                     sourceLocation: sourceLocation)
    }
}
