import Distillation
import Models
import Tensors
import TestSupport
import Testing

/// A pruned student (layers of their own head counts) against its unpruned teacher: the terms that compare
/// heads or split the attention width check each mapped layer and say what does not fit, instead of failing on
/// mismatched tensors.
@Suite struct PrunedStudentTests {
    @Test func layerTermsCheckEachPrunedLayer() throws {
        let directory = try ScratchDirectory()
        let teacher = try Fixtures.saveTeacher(to: directory.path("teacher"))
        let dimensions = teacher.config.dimensions(ofLayer: 0)
        let everything = LayerSelection(keepingAllOf: dimensions)
        let student = try teacher.pruned(to: [everything, LayerSelection(heads: [0, 2, 3], neurons: everything.neurons),
                                              everything, everything])
        let attention = DistillationObjective([.init(1, AttentionScoreMSE(teacherLayers: [0, 1, 2, 3]))])
        #expect(throws: TaskDistillationError.incompatible(
            "attention scores compare heads one to one, but student layer 1 has 3 heads and teacher layer 1 4 "
                + "(a pruned layer keeps fewer: leave this term out)")) {
            try TaskDistiller(teacher: teacher, student: student, objective: attention, cachedLogits: nil)
        }
        // 16 relation heads divide the hidden size 32 but not the pruned layer's 3 heads of 8.
        let relation = try SelfAttentionRelation(student: student, teacher: teacher, studentLayer: 1, teacherLayer: 1,
                                                 relationHeads: 16)
        #expect(throws: TaskDistillationError.incompatible(
            "16 relation heads do not divide the attention widths 24 (student layer 1) and 32 (teacher layer 1) of a pruned model")) {
            try TaskDistiller(teacher: teacher, student: student, objective: DistillationObjective([.init(1, relation)]),
                              cachedLogits: nil)
        }
        let fitting = try SelfAttentionRelation(student: student, teacher: teacher, studentLayer: 1, teacherLayer: 1,
                                                relationHeads: 4)
        _ = try TaskDistiller(teacher: teacher, student: student, objective: DistillationObjective([.init(1, fitting)]),
                              cachedLogits: nil)
    }
}
