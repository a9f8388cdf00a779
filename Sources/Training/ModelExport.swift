import Foundation
import Models
import Tokenizers

extension Trainer {
    /// The usual `exportModel`: `model` (`config.json`, `model.safetensors`) and `tokenizer`'s files written into
    /// the directory given.
    public static func export(_ model: some PretrainedModel, tokenizer: any Tokenizer) -> (URL) throws -> Void {
        { directory in
            try model.save(to: directory)
            try tokenizer.save(to: directory)
        }
    }
}
