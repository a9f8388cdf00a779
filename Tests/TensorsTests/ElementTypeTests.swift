import Testing
import Tensors

/// Tensors of every element type: creation, scoped typed access, and the f32 <-> bf16 conversions.
@Suite struct ElementTypeTests {
    @Test(arguments: ElementType.allCases)
    func elementTypeMatchesItsSwiftType(type: ElementType) {
        #expect(type.scalarType.elementType == type)
        #expect(MemoryLayout<Float>.size == ElementType.f32.byteSize)
        func size<T: TensorElement>(_: T.Type) -> Int { MemoryLayout<T>.size }
        #expect(size(type.scalarType) == type.byteSize)
    }

    @Test(arguments: ElementType.allCases)
    func zerosAndBytesOfEveryType(type: ElementType) {
        let zeros = Tensor(shape: [2, 3], elementType: type)
        #expect(zeros.elementType == type)
        #expect(zeros.withUnsafeBytes { Array($0) } == Array(repeating: 0, count: 6 * type.byteSize))

        let bytes = (0 ..< 6 * type.byteSize).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }
        let tensor = bytes.withUnsafeBytes { Tensor(shape: [2, 3], elementType: type, bytes: $0) }
        #expect(tensor.withUnsafeBytes { Array($0) } == bytes)
        // A view starts at its own first element; a clone keeps the type and the bytes.
        #expect(tensor.slice(axis: 0, 1 ..< 2).withUnsafeBytes { Array($0) } == Array(bytes[(3 * type.byteSize)...]))
        let clone = tensor.clone()
        #expect(clone.elementType == type && !clone.sharesStorage(with: tensor))
        #expect(clone.withUnsafeBytes { Array($0) } == bytes)
    }

    @Test func typedElementsReadAndWrite() {
        let tensor = Tensor(shape: [3], elements: [Int8(-128), 5, 127])
        #expect(tensor.elementType == .s8)
        tensor.withUnsafeMutableBufferPointer(as: Int8.self) { $0[1] = -5 }
        #expect(tensor.withUnsafeBufferPointer(as: Int8.self) { Array($0) } == [-128, -5, 127])
        #expect(tensor.withUnsafeBytes { Array($0) } == [0x80, 0xFB, 0x7F])
        let accumulators = Tensor(shape: [2], elements: [Int32.min, 1])
        #expect(accumulators.withUnsafeBufferPointer(as: Int32.self) { Array($0) } == [.min, 1])
        #expect(Tensor(shape: [1], elements: [UInt8(255)]).elementType == .u8)
    }

    /// Edge values of the rounding to bfloat16: signed zeros, subnormals (including a carry into the smallest
    /// normal), the largest bfloat16 and the halfway point above it, infinities, ties to even, NaNs.
    @Test func bfloat16RoundsToNearestEven() {
        let cases: [(UInt32, UInt16)] = [
            (0x0000_0000, 0x0000), (0x8000_0000, 0x8000),
            (0x0000_0001, 0x0000), (0x0000_8000, 0x0000), (0x0001_8000, 0x0002), (0x0000_C000, 0x0001),
            (0x007F_FFFF, 0x0080), (0x8001_8000, 0x8002),
            (0x7F7F_0000, 0x7F7F), (0x7F7F_7FFF, 0x7F7F), (0x7F7F_8000, 0x7F80), (0x7F7F_FFFF, 0x7F80),
            (0xFF7F_FFFF, 0xFF80), (0x7F80_0000, 0x7F80), (0xFF80_0000, 0xFF80),
            (0x3F80_8000, 0x3F80), (0x3F81_8000, 0x3F82), (0x3F80_8001, 0x3F81), (0x3F80_7FFF, 0x3F80),
            (0xBF81_8000, 0xBF82), (0x3F80_0000, 0x3F80),
        ]
        for (input, expected) in cases {
            let actual = BFloat16(Float(bitPattern: input)).bitPattern
            #expect(actual == expected, "\(String(input, radix: 16)) -> \(String(actual, radix: 16))")
        }
        for nan in [0x7FC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FFF_FFFF] as [UInt32] {
            let rounded = BFloat16(Float(bitPattern: nan))
            #expect(rounded.floatValue.isNaN, "\(String(nan, radix: 16))")
            #expect(rounded.bitPattern & 0x8000 == UInt16(nan >> 16) & 0x8000, "sign of \(String(nan, radix: 16))")
        }
    }

    /// The vector kernel that rounds matmul operands (`converted(to: .bf16)`) gives `BFloat16.init`'s bits, on
    /// every instruction set this CPU runs: the edge values above, each neighbour of every bf16 and its halfway
    /// points (ties both ways), and random patterns, in a count that is no multiple of 16 (the tail).
    @Test(arguments: VectorKernels.InstructionSet.allCases.filter { VectorKernels($0) != nil })
    func theVectorKernelRoundsAsBFloat16Does(instructionSet: VectorKernels.InstructionSet) throws {
        let kernels = try #require(VectorKernels(instructionSet))
        let generator = RandomGenerator(seed: 64)
        let edges: [UInt32] = [0, 0x8000_0000, 1, 0x8000, 0x1_8000, 0xC000, 0x7F_FFFF, 0x7F7F_7FFF, 0x7F7F_8000, 0x7F7F_FFFF,
                               0xFF7F_FFFF, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0x7F80_0001, 0xFF80_0001, 0x7FFF_FFFF]
        let neighbours = (0 ... UInt32(UInt16.max)).flatMap { bits in [0x7FFF, 0x8000, 0x8001].map { bits << 16 | $0 } }
        let random = (0..<1001).map { _ in UInt32(truncatingIfNeeded: generator.below(1 << 32)) }
        let inputs = (edges + neighbours + random).map(Float.init(bitPattern:))
        var rounded = [UInt16](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in
            rounded.withUnsafeMutableBufferPointer { y in
                if let x = x.baseAddress, let y = y.baseAddress { kernels.roundToBFloat16(inputs.count, x, y) }
            }
        }
        let wrong = zip(inputs, rounded).filter { BFloat16($0).bitPattern != $1 }
        #expect(wrong.isEmpty, "\(wrong.count) wrong, first \(wrong.first.map { String($0.0.bitPattern, radix: 16) } ?? "")")
    }

    /// Every bfloat16 converts to a float exactly and back to the same bits (NaNs stay NaNs).
    @Test func bfloat16RoundTripsEveryBitPattern() {
        for bits in 0 ... UInt16.max {
            let value = Float(BFloat16(bitPattern: bits))
            #expect(value.bitPattern == UInt32(bits) << 16)
            let back = BFloat16(value)
            guard value.isNaN ? back.floatValue.isNaN : back.bitPattern == bits else {
                Issue.record("bf16 \(String(bits, radix: 16)) came back as \(String(back.bitPattern, radix: 16))")
                return
            }
        }
    }

    /// Random floats round to the nearer of the two bfloat16s around them (the even one on a tie), checked in
    /// `Double` arithmetic, independent of the bit trick under test.
    @Test func bfloat16IsTheNearestValue() {
        let generator = RandomGenerator(seed: 5)
        for draw in 0 ..< 20_000 {
            // Clearing exponent bit 4 keeps clear of NaN and infinity; every eighth draw is an exact tie.
            var bits = UInt32(truncatingIfNeeded: generator.nextUInt64()) & 0xF7FF_FFFF
            if draw % 8 == 0 { bits = bits & 0xFFFF_0000 | 0x8000 }
            let value = Float(bitPattern: bits)
            let below = Float(bitPattern: value.bitPattern & 0xFFFF_0000)
            let above = Float(bitPattern: (value.bitPattern & 0xFFFF_0000) + 0x1_0000)
            let (distanceBelow, distanceAbove) = (abs(Double(value) - Double(below)), abs(Double(above) - Double(value)))
            let nearest = distanceBelow < distanceAbove ? below : distanceAbove < distanceBelow ? above
                : (below.bitPattern >> 16) & 1 == 0 ? below : above
            #expect(BFloat16(value).floatValue.bitPattern == nearest.bitPattern, "\(value)")
        }
    }

    @Test func tensorsConvertBetweenF32AndBF16() throws {
        let values: [Float] = [0, -0.0, 1, 1 + 0x1p-8, 3.14159, -65504, .infinity, .greatestFiniteMagnitude, 0x1p-130]
        let tensor = Tensor(shape: [3, 3], values: values)
        let half = try tensor.converted(to: .bf16)
        #expect(half.elementType == .bf16 && half.shape == [3, 3])
        #expect(half.withUnsafeBufferPointer(as: BFloat16.self) { Array($0) } == values.map(BFloat16.init))
        let back = try half.converted(to: .f32)
        #expect(back.elementType == .f32)
        #expect(back.scalars.map(\.bitPattern) == values.map { BFloat16($0).floatValue.bitPattern })
        #expect(try tensor.converted(to: .f32).scalars == values)
        #expect(try !tensor.converted(to: .f32).sharesStorage(with: tensor))
    }

    @Test func integerTensorsDoNotConvertByValue() {
        let tensor = Tensor(shape: [1], elements: [Int8(3)])
        #expect(throws: ElementConversionError(source: .s8, target: .f32)) { try tensor.converted(to: .f32) }
        #expect(throws: ElementConversionError(source: .f32, target: .u8)) { try Tensor(scalar: 1).converted(to: .u8) }
    }
}
