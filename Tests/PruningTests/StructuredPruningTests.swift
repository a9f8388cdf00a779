import Datasets
import Models
import NN
import Pruning
import Tensors
import Testing

@Suite struct StructuredPruningTests {
    private func logits(_ model: SequenceClassifier, _ batcher: Batcher) -> [Float] {
        model.setTraining(false)
        return withoutGrad { model(EncoderInput(ids: batcher.examples[0].ids, typeIds: batcher.examples[0].typeIds,
                                                attentionMask: batcher.examples[0].ids.map { _ in 1 }, batchSize: 1,
                                                sequenceLength: batcher.examples[0].ids.count)).logits.scalars }
    }

    @Test func keepingEverythingIsTheOriginal() throws {
        let batcher = try toyBatcher()
        let original = toyClassifier()
        let (pruned, steps) = try StructuredPruning.run(
            original, measure: GradientImportance(), batcher: batcher, settings: PruningSettings(headsKept: 1, neuronsKept: 1))
        #expect(steps == [PruningStepReport(step: 1, heads: [2, 2], neurons: [32, 32])])
        #expect(logits(pruned, batcher) == logits(original, batcher))
    }

    /// The dead head of layer 1 and the dead neuron of layer 0 go first; per layer, layer 1 keeps its live head.
    @Test(arguments: ["gradient", "kl"])
    func deadPartsAreRemovedFirst(measureName: String) throws {
        let model = toyClassifier()
        let measure: any ImportanceMeasure = measureName == "gradient" ? GradientImportance() : KLImportance(reference: model)
        let batcher = try toyBatcher(labelled: measure.needsLabels)
        let (pruned, _) = try StructuredPruning.run(
            model, measure: measure, batcher: batcher,
            settings: PruningSettings(headsKept: 0.5, neuronsKept: 31.0 / 32, scope: .perLayer))
        #expect(pruned.config.layerDimensions?.map(\.headCount) == [1, 1])
        #expect(pruned.config.layerDimensions?.map(\.intermediateSize) == [31, 31])
        let before = model.encoder.layers.items.compactMap { $0 as? any PrunableBlock }
        let after = pruned.encoder.layers.items.compactMap { $0 as? any PrunableBlock }
        // Layer 1 kept head 1: rows 8..<16 of the query projection (16 inputs each).
        #expect(after[1].attention.query.weight.scalars == Array(before[1].attention.query.weight.scalars[128..<256]))
        // Layer 0 lost neuron 5: row 5 of the intermediate projection.
        var rows = before[0].feedForward.intermediate.weight.scalars
        rows.removeSubrange(5 * 16..<6 * 16)
        #expect(after[0].feedForward.intermediate.weight.scalars == rows)
    }

    /// Two steps: half the gap, then the target; at least one head per layer even when the target is smaller.
    @Test func iterationsCloseTheGapInSteps() throws {
        let (_, steps) = try StructuredPruning.run(
            toyClassifier(), measure: RandomImportance(seed: 1), batcher: try toyBatcher(labelled: false),
            settings: PruningSettings(headsKept: 0.25, neuronsKept: 0.25, iterations: 2))
        #expect(steps.map { $0.heads.reduce(0, +) } == [3, 2])
        #expect(steps.map { $0.neurons.reduce(0, +) } == [40, 16])
        #expect(steps.allSatisfy { $0.heads.allSatisfy { $0 >= 1 } && $0.neurons.allSatisfy { $0 >= 1 } })
    }

    @Test func settingsOutsideTheirRangeAreRefused() {
        for value in [0, -0.5, 1.5, .nan] {
            do {
                try PruningSettings(headsKept: value, neuronsKept: 1).validate()
                Issue.record("accepted \(value)")
            } catch {
                guard case .keptFractionOutOfRange(.heads, let found) = error, found.isNaN == value.isNaN,
                      found.isNaN || found == value else { Issue.record("\(error)"); continue }
            }
        }
        #expect(throws: PruningSettingsError.keptFractionOutOfRange(.neurons, 0)) {
            try PruningSettings(headsKept: 1, neuronsKept: 0).validate()
        }
        #expect(throws: PruningSettingsError.iterationsNotPositive(0)) {
            try PruningSettings(headsKept: 1, neuronsKept: 1, iterations: 0).validate()
        }
    }
}
