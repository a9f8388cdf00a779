import Foundation

/// The recorded step that produced a tensor: its inputs and how to map the output's gradient to theirs.
final class GradNode {
    let inputs: [Tensor]
    /// Given the gradient of the output, returns one gradient per input (nil where none is needed).
    let backward: (Tensor) -> [Tensor?]

    init(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether operations are recorded for differentiation. Turned off by `withoutGrad` for inference (the teacher
/// in distillation): no graph, no saved activations, memory released as soon as a result is dropped.
///
/// The mode is per thread, as in PyTorch, so that one thread's inference does not switch off another's training.
public enum GradMode {
    public static var isEnabled: Bool { pthread_getspecific(disabledKey) == nil }

    /// Runs `body` with gradient recording off, restoring the previous mode afterwards.
    public static func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(disabledKey)
        pthread_setspecific(disabledKey, UnsafeRawPointer(bitPattern: 1))
        defer { pthread_setspecific(disabledKey, previous) }
        return try body()
    }

    /// A thread-specific slot that is non-nil while recording is off.
    private static let disabledKey: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "cannot create the thread-specific grad-mode key")
        return key
    }()
}

/// Runs `body` without recording operations (like `torch.no_grad()`).
public func withoutGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.withoutGrad(body)
}

extension Tensor {
    /// Makes `result` a recorded output of `inputs` when any of them tracks gradients.
    @discardableResult
    func recording(_ inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        gradNode = GradNode(inputs: inputs, backward: backward)
        return self
    }

    /// The same values, cut from the graph.
    public func detached() -> Tensor {
        Tensor(shape: shape, storage: storage, offset: offset)
    }

    /// An op's output as its own backward closure may hold it: the closure belongs to the output's `gradNode`,
    /// so capturing the output itself would make a retain cycle that keeps a graph nobody back-propagates alive.
    var savedForBackward: Tensor { detached() }

    /// Back-propagates from this scalar: adds d(self)/d(leaf) to `grad` of every leaf that requires it, then
    /// frees the graph (the saved activations go with it).
    public func backward() {
        precondition(count == 1, "backward() starts from a scalar; this tensor has shape \(shape)")
        backward(seed: Tensor(shape: shape, repeating: 1))
    }

    /// Back-propagates `seed` as the gradient of this tensor.
    public func backward(seed: Tensor) {
        precondition(seed.shape == shape, "backward seed \(seed.shape) for tensor \(shape)")
        GradMode.withoutGrad { propagate(seed: seed, leafFinished: { _ in }) }
    }

    /// Back-propagates from this scalar like ``backward()``, calling `leafFinished` with each leaf that requires
    /// a gradient as soon as its `grad` is complete for this pass (every recorded use of it back-propagated),
    /// while the pass goes on: data-parallel training starts summing those gradients over the processes then.
    /// The leaves come in the order they finish, each once; they are those of ``recordedLeaves()``.
    public func backward(leafFinished: (Tensor) -> Void) {
        precondition(count == 1, "backward() starts from a scalar; this tensor has shape \(shape)")
        GradMode.withoutGrad { propagate(seed: Tensor(shape: shape, repeating: 1), leafFinished: leafFinished) }
    }

    /// The leaves that require a gradient and that a backward pass from this tensor would reach.
    public func recordedLeaves() -> [Tensor] {
        var seen = Set<ObjectIdentifier>()
        return topologicalOrder().flatMap { tensor in
            (tensor.gradNode?.inputs ?? []).filter { $0.isLeaf && $0.requiresGrad && seen.insert(ObjectIdentifier($0)).inserted }
        }
    }

    private func propagate(seed: Tensor, leafFinished: (Tensor) -> Void) {
        let order = topologicalOrder()
        // Recorded uses of each leaf not yet back-propagated: at 0 its gradient is complete.
        var unfinishedUses: [ObjectIdentifier: Int] = [:]
        for tensor in order {
            for input in tensor.gradNode?.inputs ?? [] where input.isLeaf && input.requiresGrad {
                unfinishedUses[ObjectIdentifier(input), default: 0] += 1
            }
        }
        func finishUse(of input: Tensor) {
            guard input.isLeaf && input.requiresGrad else { return }
            let id = ObjectIdentifier(input)
            unfinishedUses[id, default: 0] -= 1
            if unfinishedUses[id] == 0 { leafFinished(input) }
        }
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
        for tensor in order.reversed() {
            guard let node = tensor.gradNode else { continue }
            guard let gradient = pending.removeValue(forKey: ObjectIdentifier(tensor)) else {
                node.inputs.forEach(finishUse)  // no gradient flows through this tensor
                continue
            }
            let inputGrads = node.backward(gradient)
            for (input, inputGrad) in zip(node.inputs, inputGrads) {
                defer { finishUse(of: input) }
                guard let inputGrad, input.requiresGrad else { continue }
                precondition(inputGrad.shape == input.shape,
                             "gradient shape \(inputGrad.shape) for input \(input.shape)")
                if input.isLeaf {
                    input.accumulateGrad(inputGrad)
                } else if let existing = pending[ObjectIdentifier(input)] {
                    // Out of place: a backward may hand the same tensor to several inputs.
                    pending[ObjectIdentifier(input)] = existing + inputGrad
                } else {
                    pending[ObjectIdentifier(input)] = inputGrad
                }
            }
        }
        for tensor in order { tensor.gradNode = nil }
    }

    /// Adds `gradient` into `grad`, allocating it on first use.
    func accumulateGrad(_ gradient: Tensor) {
        if let grad {
            grad.addInPlace(gradient)
        } else {
            // Own the storage: the incoming gradient may alias an activation or another gradient.
            grad = gradient.clone()
        }
    }

    /// Sets `grad` to nil (the next backward allocates it afresh).
    public func zeroGrad() { grad = nil }

    /// Recorded tensors reachable from this one, inputs before outputs.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard let node = tensor.gradNode, visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in node.inputs where input.gradNode != nil { stack.append((input, false)) }
        }
        return order
    }
}
