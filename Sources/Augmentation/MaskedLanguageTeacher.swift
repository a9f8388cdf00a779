import Foundation
import Models
import Tokenizers

/// The teacher data augmentation asks: a masked-language model with a trained head, and its tokenizer.
public struct MaskedLanguageTeacher {
    /// The model, in evaluation mode.
    public let model: MaskedLanguageModel
    public let tokenizer: BertTokenizer

    /// Loads the checkpoint in `directory`. One without the head's weights is refused rather than run with a
    /// random head, whose predictions would be noise.
    public init(directory: URL) throws {
        tokenizer = try BertTokenizer(directory: directory)
        guard tokenizer.maskId != nil else { throw AugmentationError.noMaskToken(directory: directory.path) }
        let (model, report) = try MaskedLanguageModel.load(from: directory)
        let missingHead = report.missingHead(of: model.config)
        guard missingHead.isEmpty else {
            throw AugmentationError.teacherHasNoMaskedLanguageModelHead(directory: directory.path, missing: missingHead)
        }
        guard tokenizer.vocabularySize <= model.config.vocabSize else {
            throw AugmentationError.vocabularyMismatch(
                directory: directory.path, tokenizer: tokenizer.vocabularySize, model: model.config.vocabSize)
        }
        model.setTraining(false)
        self.model = model
    }
}
