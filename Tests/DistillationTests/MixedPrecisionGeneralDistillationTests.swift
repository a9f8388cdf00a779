import Distillation
import Foundation
import NN
import Tensors
import TestSupport
import Testing
import Training

/// General distillation with bf16 matmuls: the student's linear layers (the masked-LM head's vocabulary
/// projection and TinyBERT's projection included) and the teacher's multiply in bf16, and the first loss is the
/// f32 run's up to bf16 rounding.
@Suite(.enabled(if: MatmulPrecision.bf16.missingSupport() == nil, "this CPU (as oneDNN sees it) has no bf16 matmul"))
struct MixedPrecisionGeneralDistillationTests {
    /// The first update's logged loss, on the same weights and batch in both precisions: the student's and the
    /// teacher's outputs move by about 2⁻⁸ of their size, which 2% of the loss leaves room for.
    @Test(arguments: ["distilbert", "tinybert"]) func studentAndTeacherRunInBF16(objective: String) throws {
        let workspace = try GeneralDistillationTests.Workspace()
        func run(_ precision: MatmulPrecision) throws -> (loss: Double, run: GeneralDistillationRun) {
            var request = objective == "distilbert"
                ? workspace.request(DistilBERTObjective(), student: workspace.layerStudent, output: "distilbert-\(precision)", steps: 2)
                : workspace.request(TinyBERTObjective(), student: workspace.narrowStudent, output: "tinybert-\(precision)", steps: 2)
            request.training.logEvery = 1
            request.training.matmulPrecision = precision
            let run = try GeneralDistillationRun(request, progressOutput: GeneralDistillationTests.silent)
            _ = try run.train()
            let first = try #require(try GeneralDistillationTests.trainLines(request.outputDirectory).first)
            let fields = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
            return (try #require(fields["loss"] as? Double), run)
        }
        let (exact, mixed) = (try run(.f32), try run(.bf16))
        #expect(isClose(mixed.loss, exact.loss, relative: 0.02, absolute: 0), "bf16 \(mixed.loss), f32 \(exact.loss)")
        #expect(mixed.loss != exact.loss, "bf16 changed nothing")

        let (student, teacher) = (mixed.run.student, mixed.run.teacher)
        #expect(student.namedModules().allSatisfy { $0.module.matmulPrecision == .bf16 })
        #expect(teacher.namedModules().allSatisfy { $0.module.matmulPrecision == .bf16 })
    }
}
