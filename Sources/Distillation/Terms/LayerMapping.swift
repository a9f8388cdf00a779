import Models
import Tensors

/// Which entries of the student's per-layer outputs a layer-wise term compares with which of the teacher's.
///
/// Entries are indices into the lists the term reads: `offset` entries come before layer 0's (1 for hidden states,
/// whose entry 0 is the embedding output; 0 for attention scores), so entry `layer + offset` is a layer's output.
struct LayerMapping {
    /// (student entry, teacher entry) pairs, in the order they are summed.
    let pairs: [(student: Int, teacher: Int)]
    /// When the mapping gives every student layer a teacher layer: that list (checked as such).
    let teacherLayers: [Int]?
    let offset: Int

    /// Student layer `i` to teacher layer `teacherLayers[i]`, and, with `includingEmbeddings`, embedding output to
    /// embedding output first (TinyBERT's hidden-state term); `offset` as on the type.
    init(teacherLayers: [Int], offset: Int, includingEmbeddings: Bool = false) {
        precondition(!includingEmbeddings || offset == 1, "only hidden-state lists hold the embedding output")
        let layers = teacherLayers.enumerated().map { (student: $0.offset + offset, teacher: $0.element + offset) }
        pairs = (includingEmbeddings ? [(student: 0, teacher: 0)] : []) + layers
        self.teacherLayers = teacherLayers
        self.offset = offset
    }

    /// Only the last layers of both models (DistilBERT's cosine term on the last hidden states).
    static func lastLayers(student: ModelConfig, teacher: ModelConfig, offset: Int) -> LayerMapping {
        LayerMapping(pairs: [(student.layerCount - 1 + offset, teacher.layerCount - 1 + offset)], offset: offset)
    }

    private init(pairs: [(student: Int, teacher: Int)], offset: Int) {
        self.pairs = pairs
        teacherLayers = nil
        self.offset = offset
    }

    /// Checks one in-range teacher layer per student layer; `source` says where the map came from.
    static func check(_ teacherLayers: [Int], source: LayerMapSource, student: ModelConfig, teacher: ModelConfig)
        throws(TaskDistillationError)
    {
        guard !teacherLayers.isEmpty else { throw .badLayerMap(source: source, reason: "it maps no layers") }
        guard teacherLayers.count == student.layerCount else {
            throw .badLayerMap(source: source, reason: "\(teacherLayers.count) teacher layer(s) for the student's \(student.layerCount) layers")
        }
        if let bad = teacherLayers.first(where: { !(0..<teacher.layerCount).contains($0) }) {
            throw .badLayerMap(source: source, reason: "layer \(bad) does not exist; the teacher has layers 0...\(teacher.layerCount - 1)")
        }
    }

    /// Checks the map of the term named `term`.
    func check(term: String, student: ModelConfig, teacher: ModelConfig) throws(TaskDistillationError) {
        if let teacherLayers {
            try Self.check(teacherLayers, source: .term(term), student: student, teacher: teacher)
        } else if let bad = pairs.first(where: { $0.student - offset >= student.layerCount || $0.teacher - offset >= teacher.layerCount }) {
            throw .badLayerMap(source: .term(term), reason: "entry \(bad.student) of the student or \(bad.teacher) of the teacher does not exist")
        }
    }

    /// Σ over the pairs of `loss(student entry, teacher entry)`.
    func sum(student: [Tensor], teacher: [Tensor], _ loss: (Tensor, Tensor) -> Tensor) -> Tensor {
        let terms = pairs.map { loss(student[$0.student], teacher[$0.teacher]) }
        return terms.dropFirst().reduce(terms[0], +)
    }
}
