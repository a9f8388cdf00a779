import CDNNL

/// Why a oneDNN operation did not run: the operation is named with its operands' shapes, strides and element
/// types (and fused epilogue), so the message says what was asked for, not only that something failed.
public enum OneDNNError: Error, Equatable, CustomStringConvertible {
    /// oneDNN returned `status` at `step` (such as "matmul primitive descriptor") of `operation`.
    case failed(step: String, operation: String, status: String)
    /// The operands contradict each other or the call (a rank oneDNN does not take, a missing bias or scales).
    case invalidOperands(operation: String, problem: String)
    /// The CPU lacks the instructions that the operands' element types need (see `CPUFeatures`).
    case unsupportedCPU(operation: String, reason: String)

    public var description: String {
        switch self {
        case .failed(let step, let operation, let status): "oneDNN failed creating or running the \(step) of \(operation): \(status)"
        case .invalidOperands(let operation, let problem): "invalid operands for \(operation): \(problem)"
        case .unsupportedCPU(let operation, let reason): "cannot run \(operation) on this CPU: \(reason)"
        }
    }

    /// Throws `.failed` unless `status` is success.
    static func check(_ status: dnnl_status_t, _ step: String, of operation: @autoclosure () -> String) throws(OneDNNError) {
        guard status != dnnl_success else { return }
        throw .failed(step: step, operation: operation(), status: name(of: status))
    }

    private static func name(of status: dnnl_status_t) -> String {
        switch status {
        case dnnl_out_of_memory: "out of memory"
        case dnnl_invalid_arguments: "invalid arguments"
        case dnnl_unimplemented: "unimplemented (no kernel for these element types, layouts and epilogue on this CPU)"
        case dnnl_runtime_error: "runtime error"
        default: "status \(status.rawValue)"
        }
    }
}
