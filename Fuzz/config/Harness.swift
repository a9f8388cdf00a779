import Foundation
import Models

/// `config.json`: any bytes either read as a `ModelConfig` or give an error; a config that reads is written, read
/// again and written again, and both files must be the same. (Reading back an equal value is too strict: the file
/// is written with sorted keys, as transformers writes it, which reorders objects inside unknown keys.)
///
/// `ModelConfig` lives in Models, so this harness links Models with its layers below (NN, Tensors, oneDNN); only the
/// parsing modules are instrumented, the numeric ones are compiled plainly (see scripts/fuzz).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelConfig(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let url = scratchFile("config.json", fuzzBytes(data, count))
    guard let config = try? ModelConfig(contentsOf: url) else { return 0 }
    let first = scratchDirectory.appendingPathComponent("written-config.json")
    let second = scratchDirectory.appendingPathComponent("rewritten-config.json")
    do {
        try config.write(to: first)
        try ModelConfig(contentsOf: first).write(to: second)
        let firstText = try String(contentsOf: first, encoding: .utf8)
        let secondText = try String(contentsOf: second, encoding: .utf8)
        expect(firstText == secondText, "config changes when written again:\n\(firstText)\n\(secondText)")
    } catch {
        expect(false, "a config that was read cannot be written and read back: \(error)")
    }
    return 0
}
