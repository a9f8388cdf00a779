import Models
import Tensors

/// A map from each student layer to the teacher layer it learns from, as the layer-wise terms use it.
struct LayerMapping {
    /// `teacherLayers[i]` is the teacher layer of student layer `i` (both counted from 0).
    let teacherLayers: [Int]

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
        try Self.check(teacherLayers, source: .term(term), student: student, teacher: teacher)
    }

    /// Σ over student layers of `loss(student entry, entry of the mapped teacher layer)`, from per-layer lists that
    /// start `offset` entries before the first layer's (1 for hidden states, whose first entry is the embedding
    /// output; 0 for attention scores).
    func sum(student: [Tensor], teacher: [Tensor], offset: Int, _ loss: (Tensor, Tensor) -> Tensor) -> Tensor {
        let terms = teacherLayers.enumerated().map { loss(student[$0.offset + offset], teacher[$0.element + offset]) }
        return terms.dropFirst().reduce(terms[0], +)
    }
}
