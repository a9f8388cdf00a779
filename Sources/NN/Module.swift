import Tensors

/// A piece of a network: parameters and child modules under Hugging Face's names, so that a model's
/// `namedParameters()` are exactly the keys of its `model.safetensors`.
///
/// Subclasses list what they own in `ownParameters` and `children`; everything else (enumeration, train/eval
/// mode, freezing, lookup by name) is derived from those two lists, in the spirit of MLXNN's `Module`.
open class Module {
    /// Training mode turns dropout on; evaluation mode turns it off.
    public private(set) var isTraining = true
    /// The precision of the matrix products of this module's layers (see `MatmulPrecision`): f32 unless
    /// `setMatmulPrecision` chose another for mixed-precision training.
    public private(set) var matmulPrecision = MatmulPrecision.f32

    public init() {}

    /// Parameters held directly by this module, by local name (`weight`, `bias`).
    open var ownParameters: [(name: String, tensor: Tensor)] { [] }

    /// Child modules by local name; a name may contain dots (`attention.self.query`, `layer.3`), and an empty
    /// name makes the child transparent: its parameters appear under this module's prefix (a module that only
    /// groups others, such as an attention block whose weights Hugging Face names one level up, or a dropout).
    open var children: [(name: String, module: Module)] { [] }

    /// The parameters among `ownParameters` that weight decay leaves alone (the BERT convention: biases and
    /// normalisation parameters). The module that creates a parameter knows what it is, so no optimiser has to
    /// guess from a name.
    open var ownParametersExemptFromDecay: [Tensor] { [] }

    /// Every parameter of this module and its descendants, with dotted names, in a stable order.
    public final func namedParameters() -> [(name: String, tensor: Tensor)] {
        var result = ownParameters
        for (childName, child) in children {
            result += child.namedParameters().map { (joined(childName, $0.name), $0.tensor) }
        }
        return result
    }

    /// Every parameter of this module and its descendants that weight decay leaves alone, by identity (a tied
    /// tensor is one parameter, whichever module lists it).
    public final func parametersExemptFromDecay() -> Set<ObjectIdentifier> {
        Set(namedModules().flatMap { $0.module.ownParametersExemptFromDecay.map(ObjectIdentifier.init) })
    }

    /// Every module below this one (this one first), with dotted names.
    public final func namedModules() -> [(name: String, module: Module)] {
        var result: [(name: String, module: Module)] = [("", self)]
        for (childName, child) in children {
            result += child.namedModules().map { (joined(childName, $0.name), $0.module) }
        }
        return result
    }

    /// The parameters that gradients reach (frozen ones excluded).
    public final func trainableParameters() -> [(name: String, tensor: Tensor)] {
        namedParameters().filter { $0.tensor.requiresGrad }
    }

    /// Looks a parameter up by its dotted name.
    public final func parameter(named name: String) -> Tensor? {
        namedParameters().first { $0.name == name }?.tensor
    }

    /// Number of scalar parameters (shared tensors counted once).
    public final var parameterCount: Int {
        var seen = Set<ObjectIdentifier>()
        return namedParameters().reduce(0) { total, entry in
            seen.insert(ObjectIdentifier(entry.tensor)).inserted ? total + entry.tensor.count : total
        }
    }

    /// Switches this module and all descendants between training and evaluation mode.
    public final func setTraining(_ training: Bool) {
        for (_, module) in namedModules() { module.isTraining = training }
    }

    /// Sets the precision of the matrix products of this module and all descendants.
    public final func setMatmulPrecision(_ precision: MatmulPrecision) {
        for (_, module) in namedModules() { module.matmulPrecision = precision }
    }

    /// Stops (or restarts) gradient flow to the parameters whose names satisfy `predicate`.
    public final func freeze(_ frozen: Bool = true, where predicate: (String) -> Bool = { _ in true }) {
        for (name, tensor) in namedParameters() where predicate(name) { tensor.requiresGrad = !frozen }
    }

    /// Clears the gradients of every parameter.
    public final func zeroGrad() {
        for (_, tensor) in namedParameters() { tensor.zeroGrad() }
    }
}

private func joined(_ prefix: String, _ name: String) -> String {
    prefix.isEmpty ? name : name.isEmpty ? prefix : "\(prefix).\(name)"
}

/// A numbered list of modules of one kind; children are named `0`, `1`, ... as in PyTorch's `nn.ModuleList`.
/// The kind may be a protocol (`any TransformerBlock`): `asModule` then gives each item as a module.
public final class ModuleList<Element>: Module {
    public var items: [Element]
    private let asModule: (Element) -> Module

    public init(_ items: [Element], asModule: @escaping (Element) -> Module) {
        self.items = items
        self.asModule = asModule
    }

    public convenience init(_ items: [Element]) where Element: Module {
        self.init(items) { $0 }
    }

    public override var children: [(name: String, module: Module)] {
        items.enumerated().map { (String($0.offset), asModule($0.element)) }
    }
}
