import Foundation
import SafeTensors
import Testing

/// Expects every tensor of `actual` to be within relative 1e-5 (in L2 norm) of `expected`'s, as two runs that
/// sum the same gradients in another order (float reassociation) are: a data-parallel run and one process
/// (observed at most 6e-7 after 8 updates, 7e-6 after 600). The exception are the attention key biases: their
/// exact gradient is zero (softmax ignores a shift common to a query's scores), so both runs move them from 0
/// only by rounding noise, which AdamW scales up to a few learning rates per update, differing in every digit
/// between the runs; they are held to `keyBiasNoise` in absolute L2 norm instead.
public func expectSameWeights(
    _ actual: [String: [Float]], _ expected: [String: [Float]], keyBiasNoise: Double, relative: Double = 1e-5,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.keys.sorted() == expected.keys.sorted(), sourceLocation: sourceLocation)
    for (name, e) in expected {
        let a = actual[name] ?? []
        let difference = zip(a, e).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
        let norm = e.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let bound = name.hasSuffix("attention.self.key.bias") ? keyBiasNoise : relative * norm
        #expect(difference <= bound, "\(name) differs by \(difference), relative \(difference / norm)",
                sourceLocation: sourceLocation)
    }
}

/// The tensors of the `model.safetensors` in `directory`, by name.
public func savedWeights(in directory: URL) throws -> [String: [Float]] {
    let file = try SafeTensorsFile(url: directory.appendingPathComponent("model.safetensors"))
    return try Dictionary(uniqueKeysWithValues: file.names.map { ($0, try file.floats($0)) })
}
