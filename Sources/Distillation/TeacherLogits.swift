import Datasets
import Evaluation
import Models
import Tensors

/// The teacher's output logits for every example of a dataset, computed once (evaluation mode, no gradients)
/// and looked up by example index while the student trains.
public struct TeacherLogits: Sendable, Equatable {
    /// Outputs per example: the number of labels (1 for regression).
    public let width: Int
    /// Row-major `[exampleIndices.count, width]`.
    public let values: [Float]
    /// ``TokenizedExample/index`` of each row.
    public let exampleIndices: [Int]
    private let rowOfExample: [Int: Int]

    public init(width: Int, values: [Float], exampleIndices: [Int]) {
        precondition(values.count == width * exampleIndices.count, "\(values.count) logits for \(exampleIndices.count) rows of \(width)")
        self.width = width
        self.values = values
        self.exampleIndices = exampleIndices
        rowOfExample = Dictionary(exampleIndices.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func == (a: TeacherLogits, b: TeacherLogits) -> Bool {
        a.width == b.width && a.values == b.values && a.exampleIndices == b.exampleIndices
    }

    /// The logits of these examples (a batch's ``Batch/exampleIndices``) as a `[count, width]` tensor.
    public func rows(forExamples indices: [Int]) throws(TeacherLogitsError) -> Tensor {
        var result = [Float](repeating: 0, count: indices.count * width)
        try values.withUnsafeBufferPointer { (source) throws(TeacherLogitsError) in
            for (row, index) in indices.enumerated() {
                guard let sourceRow = rowOfExample[index] else { throw .unknownExample(index) }
                for column in 0..<width { result[row * width + column] = source[sourceRow * width + column] }
            }
        }
        return Tensor(shape: [indices.count, width], values: result)
    }

    /// Runs `teacher` over `examples` in evaluation mode without gradients, `batchSize` examples at a time.
    /// Examples are batched by length (longest first) so that little compute goes to padding; `progress` is
    /// told how many examples are done after each batch.
    public static func compute(
        teacher: SequenceClassifier, examples: [TokenizedExample], batchSize: Int, padId: Int32,
        progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> TeacherLogits {
        let width = teacher.classifier.outputSize
        var values = [Float](repeating: 0, count: examples.count * width)
        guard !examples.isEmpty else { return TeacherLogits(width: width, values: [], exampleIndices: []) }
        let batcher = try Batcher(examples: examples, batchSize: batchSize, padId: padId,
                                  maxLength: examples.map(\.length).max() ?? 1)
        let byLength = examples.indices.sorted { (examples[$0].length, $1) > (examples[$1].length, $0) }
        let wasTraining = teacher.isTraining
        teacher.setTraining(false)
        defer { teacher.setTraining(wasTraining) }
        var done = 0
        for start in stride(from: 0, to: byLength.count, by: batchSize) {
            let positions = Array(byLength[start..<min(start + batchSize, byLength.count)])
            let logits = withoutGrad { teacher(EncoderInput(batcher.batch(positions: positions))).logits }
            logits.withUnsafeBufferPointer { logits in
                for (row, position) in positions.enumerated() {
                    for column in 0..<width { values[position * width + column] = logits[row * width + column] }
                }
            }
            done += positions.count
            progress(done, examples.count)
        }
        return TeacherLogits(width: width, values: values, exampleIndices: examples.map(\.index))
    }
}

/// A batch asked for logits the teacher was not run on.
public enum TeacherLogitsError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownExample(Int)

    public var description: String {
        switch self {
        case .unknownExample(let index): "no teacher logits for example \(index): the cache was built from other data"
        }
    }
}
