/// Which heads or neurons to keep, from their scores: the highest-scored, at least one per layer.
enum KeptSelection {
    /// The count every layer keeps after `step` of `steps` when each keeps `fraction` of its `original` count in
    /// the end (rounded, at least one), the gap closed in equal parts.
    static func perLayerTargets(original: [Int], fraction: Double, step: Int, of steps: Int) -> [Int] {
        original.map { count in
            let final = max(1, Int((fraction * Double(count)).rounded()))
            return count - (count - final) * step / steps
        }
    }

    /// The total kept after `step` of `steps`, from `fraction` of the `original` total (at least one per layer).
    static func totalTarget(original: [Int], fraction: Double, step: Int, of steps: Int) -> Int {
        let total = original.reduce(0, +)
        let final = max(original.count, Int((fraction * Double(total)).rounded()))
        return total - (total - final) * step / steps
    }

    /// In each layer the `counts[layer]` best-scored indices (ties to the lower index), ascending.
    static func perLayer(_ scores: [[Double]], keeping counts: [Int]) -> [[Int]] {
        zip(scores, counts).map { layer, count in
            Array(ranked(layer).prefix(max(1, min(count, layer.count)))).sorted()
        }
    }

    /// The `total` best-scored indices over all layers, each layer keeping at least one: the worst are removed
    /// first, skipping a layer's last one.
    static func global(_ scores: [[Double]], keeping total: Int) -> [[Int]] {
        var kept = scores.map { Set($0.indices) }
        var remaining = scores.reduce(0) { $0 + $1.count }
        let worstFirst = scores.enumerated().flatMap { layer, values in values.indices.map { (layer, $0, values[$0]) } }
            .sorted { ($0.2, -$0.0, -$0.1) < ($1.2, -$1.0, -$1.1) }
        for (layer, index, _) in worstFirst where remaining > total && kept[layer].count > 1 {
            kept[layer].remove(index)
            remaining -= 1
        }
        return kept.map { $0.sorted() }
    }

    /// Indices from best to worst score, ties to the lower index.
    private static func ranked(_ values: [Double]) -> [Int] {
        values.indices.sorted { (values[$0], -$0) > (values[$1], -$1) }
    }
}
