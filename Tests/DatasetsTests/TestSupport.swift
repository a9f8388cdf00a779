import Datasets
import Foundation

/// Reads in-memory file contents as if they came from `path`.
func readText(
    _ contents: String, path: String, options: DatasetReadOptions = DatasetReadOptions()
) throws(DatasetError) -> LabelledDataset {
    try LabelledTextReader.read(bytes: Array(contents.utf8), path: path, options: options)
}

/// The ``DatasetError`` thrown by `body`, or `nil` if it succeeded (or threw something else).
func datasetError(_ body: () throws -> LabelledDataset) -> DatasetError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error as? DatasetError
    }
}
