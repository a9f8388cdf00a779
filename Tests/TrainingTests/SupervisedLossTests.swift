import Datasets
import Foundation
import Tensors
import Testing
import Training

@Suite struct SupervisedLossTests {
    static func batch(_ labels: (any BatchLabels)?) -> Batch {
        Batch(batchSize: 2, sequenceLength: 1, ids: [2, 2], typeIds: [0, 0], attentionMask: [1, 1], labels: labels,
              exampleIndices: [7, 8], tokenCount: 2)
    }

    @Test func classLabelsTakeTheCrossEntropy() throws {
        let logits = Tensor(shape: [2, 3], values: [1, 2, 3, 0, 0, 0])
        let loss = try SupervisedLoss.of(logits: logits, batch: Self.batch(ClassLabels([2, 0])))
        let expected = (-log(exp(3.0) / (exp(1.0) + exp(2.0) + exp(3.0))) + log(3.0)) / 2
        #expect(abs(Double(loss.item) - expected) < 1e-6)
    }

    @Test func realTargetsTakeTheMeanSquaredError() throws {
        let outputs = Tensor(shape: [2, 1], values: [1.5, -1], requiresGrad: true)
        let loss = try SupervisedLoss.of(logits: outputs, batch: Self.batch(RegressionTargets([0.5, 1])))
        #expect(loss.item == 2.5)  // ((1.5 − 0.5)² + (−1 − 1)²) / 2
        loss.backward()
        #expect(outputs.grad?.scalars == [1, -2])  // d/dx mean((x − t)²) = (x − t)
    }

    @Test func unlabelledRowsCountInNeitherTheLossNorItsNormalizer() throws {
        let logits = Tensor(shape: [2, 3], values: [1, 2, 3, 0, 0, 0])
        let classes = Self.batch(ClassLabels([ClassLabels.missing, 0]))
        #expect(abs(Double(try SupervisedLoss.of(logits: logits, batch: classes).item) - log(3.0)) < 1e-6)
        #expect(LossNormalizer.labelledRows.count(classes) == 1)

        let outputs = Tensor(shape: [2, 1], values: [1.5, -1], requiresGrad: true)
        let values = Self.batch(RegressionTargets([.nan, 1]))
        let loss = try SupervisedLoss.of(logits: outputs, batch: values)
        #expect(loss.item == 4)  // (−1 − 1)² over the one labelled row
        loss.backward()
        #expect(outputs.grad?.scalars == [0, -4])
        #expect(LossNormalizer.labelledRows.count(values) == 1)
        #expect(LossNormalizer.labelledRows.count(Self.batch(.none)) == 0)
    }

    @Test func unlabelledBatchesAreRefused() {
        #expect(throws: TrainingError.unlabelledBatch(exampleIndex: 7)) {
            try SupervisedLoss.of(logits: Tensor(shape: [2, 2], repeating: 0), batch: Self.batch(.none))
        }
    }
}
