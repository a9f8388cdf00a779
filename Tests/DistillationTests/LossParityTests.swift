import Datasets
import Distillation
import Foundation
import SafeTensors
import Tensors
import TestSupport
import Testing

/// The distillation losses against PyTorch on fixed tensors (`../shared/golden/losses.safetensors`).
@Suite struct LossParityTests {
    let golden: SafeTensorsFile

    init() throws { golden = try SafeTensorsFile(url: Golden.url("golden/losses.safetensors")) }

    private func leaf(_ name: String) throws -> Tensor {
        let t = try Golden.tensor(golden, name)
        t.requiresGrad = true
        return t
    }

    @Test func hintonDistillationLoss() throws {
        let student = try leaf("hinton.student_logits")
        let teacher = try Golden.tensor(golden, "hinton.teacher_logits")
        let labels = try Golden.ints(golden, "hinton.labels")
        let (loss, soft, hard) = SoftTargetLoss.hinton(student: student, teacher: teacher, labels: labels, temperature: 2, alpha: 0.5)
        #expect(abs(loss.item - (try Golden.tensor(golden, "hinton.loss")).item) <= 1e-5)
        #expect(abs(soft.item - (try Golden.tensor(golden, "hinton.kd_term")).item) <= 1e-5)
        #expect(abs(hard.item - (try Golden.tensor(golden, "hinton.ce_term")).item) <= 1e-5)
        loss.backward()
        #expect(maxAbsDifference(try #require(student.grad), try Golden.tensor(golden, "hinton.grad_student_logits")) <= 1e-5)
    }

    @Test func maskedCosineLoss() throws {
        let student = try leaf("cos.student_hidden")
        let teacher = try Golden.tensor(golden, "cos.teacher_hidden")
        let loss = HiddenStateLoss.cosine(student: student, teacher: teacher, mask: try Golden.ints(golden, "cos.mask"))
        #expect(abs(loss.item - (try Golden.tensor(golden, "cos.loss")).item) <= 1e-5)
        loss.backward()
        #expect(maxAbsDifference(try #require(student.grad), try Golden.tensor(golden, "cos.grad_student_hidden")) <= 1e-5)
    }

    @Test func projectedMeanSquaredError() throws {
        let student = try leaf("mse_proj.student_hidden")
        let teacher = try Golden.tensor(golden, "mse_proj.teacher_hidden")
        let projection = try Golden.tensor(golden, "mse_proj.W")
        let loss = HiddenStateLoss.projectedMSE(student: student, teacher: teacher) { $0.matmul(projection) }
        #expect(abs(loss.item - (try Golden.tensor(golden, "mse_proj.loss")).item) <= 1e-5)
        loss.backward()
        #expect(maxAbsDifference(try #require(student.grad), try Golden.tensor(golden, "mse_proj.grad_student_hidden")) <= 1e-5)
    }

    @Test func maskedVocabularyDistillation() throws {
        let student = try leaf("vocab_kd.student_logits")
        let teacher = try Golden.tensor(golden, "vocab_kd.teacher_logits")
        let loss = SoftTargetLoss.maskedVocabulary(student: student, teacher: teacher,
                                                   mask: try Golden.ints(golden, "vocab_kd.mask"), temperature: 2)
        #expect(abs(loss.item - (try Golden.tensor(golden, "vocab_kd.loss")).item) <= 1e-5)
        loss.backward()
        #expect(maxAbsDifference(try #require(student.grad), try Golden.tensor(golden, "vocab_kd.grad_student_logits")) <= 1e-5)
    }

    /// The same through the `ce` term of `distill general --objective distilbert`, which is given the vocabulary
    /// logits of the selected (there: real) tokens only, one row each; gradients reach the full logits through the
    /// row selection.
    @Test func maskedVocabularyDistillationAsTheDistilBERTTerm() throws {
        let student = try leaf("vocab_kd.student_logits")
        let teacher = try Golden.tensor(golden, "vocab_kd.teacher_logits")
        let mask = try Golden.ints(golden, "vocab_kd.mask")
        let rows = mask.indices.filter { mask[$0] != 0 }.map(Int32.init)
        func selected(_ logits: Tensor) -> Tensor { logits.reshaped([-1, logits.lastDimension]).gatherRows(rows) }
        let (batchSize, sequenceLength) = (student.shape[0], student.shape[1])
        let batch = Batch(batchSize: batchSize, sequenceLength: sequenceLength, ids: Array(repeating: 0, count: mask.count),
                          typeIds: Array(repeating: 0, count: mask.count), attentionMask: mask, labels: nil,
                          exampleIndices: Array(0..<batchSize), tokenCount: rows.count)
        let pair = DistillationPair(batch: batch, student: ModelOutputs(logits: [selected(student)]),
                                    teacher: ModelOutputs(logits: [selected(teacher)]))
        let loss = try SoftTargetKL(name: "ce", temperature: 2).loss(pair)
        #expect(abs(loss.item - (try Golden.tensor(golden, "vocab_kd.loss")).item) <= 1e-5)
        loss.backward()
        #expect(maxAbsDifference(try #require(student.grad), try Golden.tensor(golden, "vocab_kd.grad_student_logits")) <= 1e-5)
    }
}
