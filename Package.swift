// swift-tools-version:6.0
import PackageDescription

// Layers, top to bottom (each depends only on the ones below it):
//   DistillCLI -> Distillation, Training, Evaluation -> Models, Datasets, Tokenizers, SafeTensors -> NN -> Tensors -> CDNNL (oneDNN)
let package = Package(
    name: "Distill",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "distill", targets: ["DistillCLI"]),
        .library(name: "Distill", targets: ["Distillation", "Training", "Evaluation", "Models", "Tokenizers", "SafeTensors", "Datasets", "NN", "Tensors"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .target(name: "Tensors", dependencies: ["CDNNL"], swiftSettings: vectorISA),
        .target(name: "NN", dependencies: ["Tensors"]),
        .target(name: "SafeTensors"),
        .target(name: "Tokenizers"),
        .target(name: "Models", dependencies: ["NN", "SafeTensors", "Tokenizers"]),
        .target(name: "Datasets", dependencies: ["Tokenizers", "Tensors"]),
        .target(name: "Evaluation", dependencies: ["Models", "Datasets"]),
        .target(name: "Training", dependencies: ["Models", "Datasets", "Evaluation", "Tokenizers"]),
        .target(name: "Distillation", dependencies: ["Training"]),
        .executableTarget(
            name: "DistillCLI",
            dependencies: [
                "Distillation", "Training", "Evaluation", "Models", "Datasets", "Tokenizers", "NN", "Tensors",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", dependencies: ["SafeTensors", "Tensors"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "SafeTensors"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensors", "Tokenizers"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Models", "SafeTensors", "Tokenizers"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Evaluation", "Models", "SafeTensors", "Tokenizers"]),
        .testTarget(name: "DistillationTests", dependencies: ["Distillation", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

/// The engine's own kernels (softmax, layer norm, GELU, ...) are written with 16-lane SIMD vectors; without a
/// target CPU the compiler lowers them to SSE2. Haswell (AVX2 + FMA, x86-64-v3: every x86 server since 2013) is the floor
/// we build for; oneDNN picks AVX-512/AMX kernels for the matmuls at run time by itself.
var vectorISA: [SwiftSetting] {
    [.unsafeFlags(["-Xcc", "-march=haswell", "-target-cpu", "haswell"], .when(platforms: [.linux]))]
}
