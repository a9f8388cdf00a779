import CDNNL
import CKernels

/// The instruction-set extensions of this CPU (and enabled by the operating system) that decide which kernels
/// can run: the engine's own vector kernels pick AVX-512 or AVX2 by them, and the matmul element types beyond
/// `f32` need them (oneDNN has no fast bf16 or 8-bit kernels without them).
public struct CPUFeatures: Hashable, Sendable {
    public var avx2 = false
    public var avx512f = false
    public var avx512VNNI = false
    public var avx512BF16 = false
    public var avxVNNI = false
    public var amxTile = false
    public var amxInt8 = false
    public var amxBF16 = false

    /// A CPU with none of the extensions; set the ones it has.
    public init() {}

    /// The CPU this process runs on, read once with `cpuid`.
    public static let current: CPUFeatures = {
        let detected = ck_detect_cpu_features()
        var features = CPUFeatures()
        features.avx2 = detected.avx2
        features.avx512f = detected.avx512f
        features.avx512VNNI = detected.avx512_vnni
        features.avx512BF16 = detected.avx512_bf16
        features.avxVNNI = detected.avx_vnni
        features.amxTile = detected.amx_tile
        features.amxInt8 = detected.amx_int8
        features.amxBF16 = detected.amx_bf16
        return features
    }()

    /// The extensions of this CPU that oneDNN uses: `current` without those above the instruction set that
    /// `ONEDNN_MAX_CPU_ISA` caps oneDNN to (e.g. `AVX2` hides VNNI, BF16 and AMX).
    public static let oneDNN: CPUFeatures = current.limited(to: dnnl_get_effective_cpu_isa())

    private func limited(to isa: dnnl_cpu_isa_t) -> CPUFeatures {
        // oneDNN's ISA values are bit masks, each including the ones below it; `all` (0) is no cap.
        func allows(_ level: dnnl_cpu_isa_t) -> Bool { isa == dnnl_cpu_isa_all || isa.rawValue & level.rawValue == level.rawValue }
        var features = self
        features.avx2 = avx2 && allows(dnnl_cpu_isa_avx2)
        features.avx512f = avx512f && allows(dnnl_cpu_isa_avx512_core)
        features.avx512VNNI = avx512VNNI && allows(dnnl_cpu_isa_avx512_core_vnni)
        features.avx512BF16 = avx512BF16 && allows(dnnl_cpu_isa_avx512_core_bf16)
        features.avxVNNI = avxVNNI && allows(dnnl_cpu_isa_avx2_vnni)
        let amx = allows(dnnl_cpu_isa_avx512_core_amx)
        (features.amxTile, features.amxInt8, features.amxBF16) = (amxTile && amx, amxInt8 && amx, amxBF16 && amx)
        return features
    }

    /// nil when this CPU can run a matmul of an `a` by a `b` operand, otherwise what the CPU lacks.
    public func missingSupport(forMatmul a: ElementType, _ b: ElementType) -> String? {
        for type in [a, b] {
            switch type {
            case .bf16 where !(avx512BF16 || amxBF16):
                return "a bf16 matmul needs AVX512-BF16 or AMX-BF16 instructions, and this CPU has neither"
            case .s8 where !hasInt8DotProducts, .u8 where !hasInt8DotProducts:
                return "an 8-bit integer matmul needs AVX512-VNNI, AVX-VNNI or AMX-INT8 instructions, and this CPU has none of them"
            default: continue
            }
        }
        return nil
    }

    private var hasInt8DotProducts: Bool { avx512VNNI || avxVNNI || amxInt8 }
}
