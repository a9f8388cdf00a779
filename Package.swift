// swift-tools-version:6.0
import PackageDescription

// Layers, top to bottom; each module imports only modules below it, and declares exactly the ones it imports
// (scripts/test builds with --explicit-target-dependency-import-check error):
//   DistillCLI -> Distillation -> Training -> Evaluation -> Models, Datasets;  DistillCLI -> Pruning -> Evaluation
//   DistillCLI -> Augmentation -> Models, Datasets
//   Training -> CMPI (Open MPI, loaded at run time)
//   Models -> NN, SafeTensors, JSON;  Datasets -> Tokenizers;  NN -> Tensors;  SafeTensors, Tokenizers -> JSON
//   Tensors -> CDNNL (oneDNN), CKernels (C vector kernels per instruction set, CPU feature detection)
let package = Package(
    name: "Distill",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "distill", targets: ["DistillCLI"]),
        .library(name: "Distill", targets: ["Distillation", "Pruning", "Training", "Evaluation", "Models", "Tokenizers", "SafeTensors", "Datasets", "NN", "Tensors", "JSON"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),
        .target(name: "CKernels"),
        .target(name: "CMPI"),
        .target(name: "Tensors", dependencies: ["CDNNL", "CKernels"]),
        .target(name: "JSON"),
        .target(name: "NN", dependencies: ["Tensors"]),
        .target(name: "SafeTensors", dependencies: ["JSON"]),
        .target(name: "Tokenizers", dependencies: ["JSON"]),
        .target(name: "Models", dependencies: ["JSON", "NN", "SafeTensors", "Tensors"]),
        .target(name: "Datasets", dependencies: ["JSON", "Tensors", "Tokenizers"]),
        .target(name: "Evaluation", dependencies: ["Datasets", "Models", "NN", "Tensors", "Tokenizers"]),
        .target(name: "Training", dependencies: ["CMPI", "Datasets", "Evaluation", "JSON", "Models", "NN", "SafeTensors", "Tensors", "Tokenizers"]),
        .target(name: "Distillation", dependencies: [
            "Datasets", "Evaluation", "Models", "NN", "SafeTensors", "Tensors", "Tokenizers", "Training",
        ]),
        .target(name: "Pruning", dependencies: ["Datasets", "Evaluation", "Models", "NN", "Tensors"]),
        .target(name: "Augmentation", dependencies: ["Datasets", "JSON", "Models", "Tensors", "Tokenizers"]),
        .executableTarget(
            name: "DistillCLI",
            dependencies: [
                "Augmentation", "Datasets", "Distillation", "Pruning", "Evaluation", "JSON", "Models", "NN", "SafeTensors", "Tensors", "Tokenizers", "Training",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .target(name: "TestSupport", dependencies: ["SafeTensors", "Tensors", "Training"], path: "Tests/TestSupport"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Tensors", "TestSupport"]),
        .testTarget(name: "SafeTensorsTests", dependencies: ["SafeTensors", "TestSupport"]),
        .testTarget(name: "TokenizersTests", dependencies: ["TestSupport", "Tokenizers"]),
        .testTarget(name: "ModelsTests", dependencies: ["JSON", "Models", "NN", "SafeTensors", "Tensors", "TestSupport", "Tokenizers"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "JSON", "Tensors", "TestSupport", "Tokenizers"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Datasets", "Evaluation", "Models", "Tensors", "Tokenizers"]),
        .testTarget(name: "TrainingTests", dependencies: [
            "Datasets", "Evaluation", "Models", "NN", "SafeTensors", "Tensors", "TestSupport", "Tokenizers", "Training",
        ]),
        .testTarget(name: "AugmentationTests", dependencies: [
            "Augmentation", "Datasets", "Models", "Tensors", "TestSupport", "Tokenizers",
        ]),
        .testTarget(name: "PruningTests", dependencies: ["Datasets", "Evaluation", "Models", "NN", "Pruning", "Tensors"]),
        .testTarget(name: "DistillationTests", dependencies: [
            "Datasets", "Distillation", "Evaluation", "JSON", "Models", "NN", "SafeTensors", "Tensors", "TestSupport", "Training",
        ]),
    ],
    swiftLanguageModes: [.v6]
)

