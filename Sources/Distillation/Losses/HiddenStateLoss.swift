import Tensors

/// Losses that align the student's intermediate representations with the teacher's.
public enum HiddenStateLoss {
    /// DistilBERT's cosine embedding loss: mean over the positions where `mask` is 1 of 1 − cos(student, teacher),
    /// for hidden states `[batch, seq, hidden]` of equal width.
    public static func cosine(student: Tensor, teacher: Tensor, mask: [Int32]) -> Tensor {
        let rows = SelectedRows(mask)
        return (rows.select(student).cosineSimilarity(rows.select(teacher).detached()) * -1 + 1).mean()
    }

    /// TinyBERT's hidden-state loss: MSE(project(student), teacher) over all elements, where `project` maps the
    /// student's width to the teacher's (a learned linear map when they differ, the identity otherwise).
    public static func projectedMSE(student: Tensor, teacher: Tensor, project: (Tensor) -> Tensor) -> Tensor {
        project(student).meanSquaredError(teacher.detached())
    }
}
