// swift-tools-version:6.0
import PackageDescription

// Layers, top to bottom (each depends only on the ones below it):
//   DistillCLI -> Distillation, Training, Evaluation -> Models, Datasets, Tokenizers, SafeTensors -> NN -> Tensors
//   -> CDNNL (oneDNN), CKernels (C vector kernels per instruction set, CPU feature detection);
//   JSON (parser and writers) sits below SafeTensors, Tokenizers, Datasets, Training and the CLI
let package = Package(
    name: "Distill",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "distill", targets: ["DistillCLI"]),
        .library(name: "Distill", targets: ["Distillation", "Training", "Evaluation", "Models", "Tokenizers", "SafeTensors", "Datasets", "NN", "Tensors", "JSON"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .target(name: "CKernels"),
        .target(name: "Tensors", dependencies: ["CDNNL", "CKernels"]),
        .target(name: "NN", dependencies: ["Tensors"]),
        .target(name: "JSON"),
        .target(name: "SafeTensors", dependencies: ["JSON"]),
        .target(name: "Tokenizers", dependencies: ["JSON"]),
        .target(name: "Models", dependencies: ["NN", "SafeTensors", "Tensors", "JSON"]),
        .target(name: "Datasets", dependencies: ["Tokenizers", "Tensors", "JSON"]),
        .target(name: "Evaluation", dependencies: ["Models", "Datasets"]),
        .target(name: "Training", dependencies: ["Models", "Datasets", "Evaluation", "Tokenizers", "JSON"]),
        .target(name: "Distillation", dependencies: ["Training"]),
        .executableTarget(
            name: "DistillCLI",
            dependencies: [
                "Distillation", "Training", "Evaluation", "Models", "Datasets", "Tokenizers", "NN", "Tensors", "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", dependencies: ["SafeTensors", "Tensors"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "SafeTensors", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["Tokenizers", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "JSON", "NN", "SafeTensors", "Tensors", "Tokenizers", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "Tensors", "Tokenizers", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Models", "SafeTensors", "Tokenizers"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Evaluation", "Models", "SafeTensors", "Tokenizers", "TestSupport"]),
        .testTarget(name: "DistillationTests", dependencies: ["Distillation", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)

