import Datasets
import Distillation
import Models
import SafeTensors
import Tensors
import TestSupport
import Testing

/// The objective terms the TinyBERT, MiniLMv2 and SQuAD stages need, against PyTorch (float64) on fixed tensors
/// (`../shared/golden/losses-intermediate.safetensors`; `losses-intermediate.json` states each formula).
@Suite struct IntermediateLossParityTests {
    let golden: SafeTensorsFile
    /// `[batch · seq]`, rows 1 and 2 padded.
    let attentionMask: [Int32]

    init() throws {
        golden = try SafeTensorsFile(url: Golden.url("golden/losses-intermediate.safetensors"))
        attentionMask = try Golden.tensor(golden, "attention_mask").scalars.map { Int32($0) }
    }

    /// Observed at most 2.4e-7 on values near 2 (one or two float32 ulps against the float64 reference) and
    /// 1.9e-8 on gradients of at most 0.09; the bounds leave room for other kernels' rounding.
    static let valueTolerance: Float = 1e-6
    static let gradientTolerance: Float = 1e-7

    private func leaf(_ name: String) throws -> Tensor {
        let t = try Golden.tensor(golden, name)
        t.requiresGrad = true
        return t
    }

    private func expected(_ name: String) throws -> Float { try Golden.tensor(golden, name).item }

    /// A batch that carries only the golden attention mask (the terms under test read nothing else from it).
    private var batch: Batch {
        Batch(batchSize: 3, sequenceLength: 12, ids: Array(repeating: 0, count: 36), typeIds: Array(repeating: 0, count: 36), attentionMask: attentionMask,
              labels: nil, exampleIndices: [0, 1, 2], tokenCount: attentionMask.filter { $0 != 0 }.count)
    }

    @Test func tinyBertAttentionLoss() throws {
        let student = try leaf("att.student_scores")
        let loss = AttentionScoreMSE.loss(student: student, teacher: try Golden.tensor(golden, "att.teacher_scores"))
        #expect(abs(loss.item - (try expected("att.loss"))) <= Self.valueTolerance)
        loss.backward()
        #expect(maxAbsDifference(try #require(student.grad), try Golden.tensor(golden, "att.grad_student")) <= Self.gradientTolerance)
    }

    @Test func miniLMRelationLoss() throws {
        let student = (query: try leaf("minilm.student_q"), key: try leaf("minilm.student_k"), value: try leaf("minilm.student_v"))
        let teacher = (query: try Golden.tensor(golden, "minilm.teacher_q"), key: try Golden.tensor(golden, "minilm.teacher_k"),
                       value: try Golden.tensor(golden, "minilm.teacher_v"))
        let loss = SelfAttentionRelation.loss(student: student, teacher: teacher, attentionMask: attentionMask, relationHeads: 4)
        #expect(abs(loss.item - (try expected("minilm.loss"))) <= Self.valueTolerance)
        loss.backward()
        for (tensor, name) in [(student.query, "q"), (student.key, "k"), (student.value, "v")] {
            #expect(maxAbsDifference(try #require(tensor.grad), try Golden.tensor(golden, "minilm.grad_student_\(name)")) <= Self.gradientTolerance)
        }
    }

    @Test func tinyBertPredictionLayerSoftCrossEntropy() throws {
        let student = try leaf("softce.student")
        let pair = DistillationPair(batch: batch, student: ModelOutputs(logits: [student]),
                                    teacher: ModelOutputs(logits: [try Golden.tensor(golden, "softce.teacher")]))
        let loss = try SoftCrossEntropy(temperature: 1).loss(pair)
        #expect(abs(loss.item - (try expected("softce.loss"))) <= Self.valueTolerance)
        loss.backward()
        #expect(maxAbsDifference(try #require(student.grad), try Golden.tensor(golden, "softce.grad_student")) <= Self.gradientTolerance)
    }

    /// The SQuAD objective, as the functions and as the term list `DistillationObjective.questionAnswering`.
    @Test func squadDistillationLoss() throws {
        let (starts, ends) = (try Golden.ints(golden, "qa.start_positions"), try Golden.ints(golden, "qa.end_positions"))
        let teacher = ModelOutputs(logits: [try Golden.tensor(golden, "qa.teacher_start"), try Golden.tensor(golden, "qa.teacher_end")])
        let spanBatch = Batch(batchSize: 3, sequenceLength: 12, ids: batch.ids, typeIds: batch.typeIds, attentionMask: attentionMask,
                              labels: SpanLabels(starts: starts, ends: ends), exampleIndices: [0, 1, 2], tokenCount: batch.tokenCount)
        let byFunctions: ([Tensor]) throws -> Tensor = { student in
            let soft = try SoftTargetKL(temperature: 2).loss(DistillationPair(batch: self.batch, student: ModelOutputs(logits: student), teacher: teacher))
            return soft * 0.5 + SpanLabelLoss.loss(start: student[0], end: student[1], startPositions: starts, endPositions: ends) * 0.5
        }
        let byTerms: ([Tensor]) throws -> Tensor = { student in
            try DistillationObjective.questionAnswering(temperature: 2, alpha: 0.5)(
                DistillationPair(batch: spanBatch, student: ModelOutputs(logits: student), teacher: teacher)).loss
        }
        for compute in [byFunctions, byTerms] {
            let (start, end) = (try leaf("qa.student_start"), try leaf("qa.student_end"))
            let loss = try compute([start, end])
            #expect(abs(loss.item - (try expected("qa.loss"))) <= Self.valueTolerance)
            loss.backward()
            #expect(maxAbsDifference(try #require(start.grad), try Golden.tensor(golden, "qa.grad_student_start")) <= Self.gradientTolerance)
            #expect(maxAbsDifference(try #require(end.grad), try Golden.tensor(golden, "qa.grad_student_end")) <= Self.gradientTolerance)
        }
    }
}
