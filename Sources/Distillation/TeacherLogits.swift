import Datasets
import Models
import Tensors

/// The teacher's logits for every example of a dataset, computed once (evaluation mode, no gradients) and looked
/// up by example index while the student trains. Any head: one output for a classifier (`[classes]` per example),
/// two for question answering (start and end, `[seq]` per example each), ...
///
/// **Storage.** Each output is one array of rows of ``LogitShape/row`` each, the examples' rows one after the
/// other in dataset order: one row per example for a per-example output; for a per-token output, one row per
/// real token of the example (``lengths`` of them), so that examples of different lengths take no room for
/// padding (a ragged array: example `i`'s rows start after the rows of examples `0..<i`). Padding is made afresh
/// for each batch: positions past an example's end get ``paddingLogit``.
public struct TeacherLogits: Sendable, Equatable {
    /// One of the head's outputs.
    public struct Output: Sendable, Equatable {
        public let shape: LogitShape
        /// The rows, row-major: `[rows] + shape.row`.
        public let values: [Float]

        public init(shape: LogitShape, values: [Float]) {
            self.shape = shape
            self.values = values
        }
    }

    /// The logit at a padded position of a per-token output: a softmax over the sequence then gives padding no
    /// weight at all (exp underflows to 0), where the live teacher would give it a little. A cached teacher's
    /// targets thus differ from a live one's at padded positions only.
    public static let paddingLogit: Float = -1e4

    /// In ``ModelOutputs/logits`` order.
    public let outputs: [Output]
    /// ``TokenizedExample/index`` of each example, in storage order.
    public let exampleIndices: [Int]
    /// The number of tokens of each example (its rows in a per-token output).
    public let lengths: [Int]
    /// For each example, the first of its rows in a per-token output.
    private let firstTokenRow: [Int]
    private let positionOfExample: [Int: Int]

    /// `outputs[k].values` must hold the rows `shape.perToken ? lengths.reduce(0, +) : exampleIndices.count`
    /// (see ``rowCount(of:)``).
    public init(outputs: [Output], exampleIndices: [Int], lengths: [Int]) {
        precondition(lengths.count == exampleIndices.count, "\(lengths.count) lengths for \(exampleIndices.count) examples")
        self.exampleIndices = exampleIndices
        self.lengths = lengths
        self.outputs = outputs
        firstTokenRow = Array(lengths.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1) }.dropLast())
        positionOfExample = Dictionary(exampleIndices.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for output in outputs {
            precondition(output.values.count == rowCount(of: output.shape) * output.shape.rowSize,
                         "\(output.values.count) logits for \(rowCount(of: output.shape)) rows of \(output.shape.row)")
        }
    }

    public static func == (a: TeacherLogits, b: TeacherLogits) -> Bool {
        a.outputs == b.outputs && a.exampleIndices == b.exampleIndices && a.lengths == b.lengths
    }

    /// The shape of each output.
    public var shapes: [LogitShape] { outputs.map(\.shape) }

    /// The number of rows an output of this shape holds.
    public func rowCount(of shape: LogitShape) -> Int {
        shape.perToken ? lengths.reduce(0, +) : exampleIndices.count
    }

    /// Where the rows of the example at `position` lie: their first element in the stored values and in a
    /// batch tensor of length `sequenceLength` whose row `batchRow` it is, and how many elements they take.
    private func span(of shape: LogitShape, position: Int, batchRow: Int, sequenceLength: Int)
        -> (stored: Int, batched: Int, count: Int)
    {
        let size = shape.rowSize
        return shape.perToken
            ? (firstTokenRow[position] * size, batchRow * sequenceLength * size, lengths[position] * size)
            : (position * size, batchRow * size, size)
    }

    /// The outputs for these examples (a batch's ``Batch/exampleIndices``), per-token ones padded to
    /// `sequenceLength` with ``paddingLogit``: `[count] + row` or `[count, sequenceLength] + row` tensors.
    public func outputs(forExamples indices: [Int], sequenceLength: Int) throws(TeacherLogitsError) -> [Tensor] {
        var positions: [Int] = []
        for index in indices {
            guard let position = positionOfExample[index] else { throw .unknownExample(index) }
            if lengths[position] > sequenceLength && outputs.contains(where: \.shape.perToken) {
                throw .longerThanBatch(example: index, length: lengths[position], sequenceLength: sequenceLength)
            }
            positions.append(position)
        }
        return outputs.map { output in
            let shape = output.shape
            let leading = shape.perToken ? [indices.count, sequenceLength] : [indices.count]
            var result = [Float](repeating: Self.paddingLogit, count: leading.reduce(1, *) * shape.rowSize)
            for (row, position) in positions.enumerated() {
                let (stored, batched, count) = span(of: shape, position: position, batchRow: row, sequenceLength: sequenceLength)
                result.replaceSubrange(batched..<batched + count, with: output.values[stored..<stored + count])
            }
            return Tensor(shape: leading + shape.row, values: result)
        }
    }

    /// The outputs for the rows of `batch`.
    public func outputs(for batch: Batch) throws(TeacherLogitsError) -> [Tensor] {
        try outputs(forExamples: batch.exampleIndices, sequenceLength: batch.sequenceLength)
    }

    /// Runs `teacher` over `examples` in evaluation mode without gradients, `batchSize` examples at a time.
    /// Examples are batched by length (longest first) so that little compute goes to padding; `progress` is
    /// told how many examples are done after each batch.
    public static func compute(
        teacher: any DistillableModel, examples: [TokenizedExample], batchSize: Int, padId: Int32,
        progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> TeacherLogits {
        let shapes = teacher.logitShapes
        let layout = TeacherLogits(outputs: shapes.map { Output(shape: $0, values: []) }, exampleIndices: [], lengths: [])
        guard !examples.isEmpty else { return layout }
        let lengths = examples.map(\.length)
        let sized = TeacherLogits(outputs: [], exampleIndices: examples.map(\.index), lengths: lengths)
        var values = shapes.map { [Float](repeating: 0, count: sized.rowCount(of: $0) * $0.rowSize) }
        let batcher = try Batcher(examples: examples, batchSize: batchSize, padId: padId, maxLength: lengths.max() ?? 1)
        let byLength = examples.indices.sorted { (lengths[$0], $1) > (lengths[$1], $0) }
        let wasTraining = teacher.isTraining
        teacher.setTraining(false)
        defer { teacher.setTraining(wasTraining) }
        var done = 0
        for start in stride(from: 0, to: byLength.count, by: batchSize) {
            let positions = Array(byLength[start..<min(start + batchSize, byLength.count)])
            let batch = batcher.batch(positions: positions)
            let logits = withoutGrad { teacher.distillationOutputs(EncoderInput(batch), options: EncoderOutputOptions()).logits }
            for (k, shape) in shapes.enumerated() {
                logits[k].withUnsafeBufferPointer { batchValues in
                    for (row, position) in positions.enumerated() {
                        let (stored, batched, count) = sized.span(
                            of: shape, position: position, batchRow: row, sequenceLength: batch.sequenceLength)
                        values[k].replaceSubrange(stored..<stored + count, with: batchValues[batched..<batched + count])
                    }
                }
            }
            done += positions.count
            progress(done, examples.count)
        }
        return TeacherLogits(outputs: zip(shapes, values).map { Output(shape: $0, values: $1) },
                             exampleIndices: sized.exampleIndices, lengths: lengths)
    }
}

/// A batch asked for logits the teacher was not run on.
public enum TeacherLogitsError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownExample(Int)
    /// The example has more tokens than the batch it is in (the cache was built from other tokens).
    case longerThanBatch(example: Int, length: Int, sequenceLength: Int)

    public var description: String {
        switch self {
        case .unknownExample(let index): "no teacher logits for example \(index): the cache was built from other data"
        case let .longerThanBatch(index, length, sequenceLength):
            "the teacher logits of example \(index) cover \(length) tokens, more than its batch's \(sequenceLength): "
                + "the cache was built from other data"
        }
    }
}
