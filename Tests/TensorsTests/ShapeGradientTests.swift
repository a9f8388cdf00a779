import TestSupport
import Testing
import Tensors

@Suite struct ShapeGradientTests {
    @Test func reshaped() {
        let x = randomTensor([2, 3, 4], RandomGenerator(seed: 30))
        expectGradientsMatch([x]) { $0[0].reshaped([4, 6]) }
        expectGradientsMatch([x]) { $0[0].reshaped([-1, 2]) * $0[0].reshaped([12, 2]) }
        #expect(x.reshaped([6, -1]).shape == [6, 4])
        #expect(x.reshaped([6, -1]).sharesStorage(with: x), "a view")
    }

    @Test(arguments: [[2, 0, 1], [1, 0, 2], [0, 2, 1], [2, 1, 0]])
    func permuted(order: [Int]) {
        let x = randomTensor([2, 3, 4], RandomGenerator(seed: 31))
        expectGradientsMatch([x]) { $0[0].permuted(order) }
    }

    @Test func permutedValues() {
        let x = Tensor(shape: [2, 3, 4], values: (0..<24).map(Float.init))
        let y = x.permuted([2, 0, 1])
        #expect(y.shape == [4, 2, 3])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 {
            #expect(y.scalars[k * 6 + i * 3 + j] == Float(i * 12 + j * 4 + k))
        } } }
        let four = randomTensor([2, 3, 2, 2], RandomGenerator(seed: 32))
        expectGradientsMatch([four]) { $0[0].permuted([0, 2, 1, 3]) }
    }

    @Test func transposed() {
        let x = randomTensor([2, 3, 4], RandomGenerator(seed: 33))
        #expect(x.transposed().shape == [2, 4, 3])
        #expect(x.transposed(0, 2).shape == [4, 3, 2])
        #expect(x.transposed().transposed().scalars == x.scalars)
        expectGradientsMatch([x]) { $0[0].transposed() }
        expectGradientsMatch([x]) { $0[0].transposed(0, 2) }
    }

    @Test func sliceAlongFirstAxisIsAView() {
        let x = randomTensor([4, 3], RandomGenerator(seed: 34))
        let slice = x.slice(axis: 0, 1..<3)
        #expect(slice.sharesStorage(with: x))
        #expect(slice.scalars == Array(x.scalars[3..<9]))
        expectGradientsMatch([x]) { $0[0].slice(axis: 0, 1..<3) }
    }

    @Test(arguments: [1, 2, -1])
    func sliceAlongInnerAxis(axis: Int) {
        let x = randomTensor([2, 5, 5], RandomGenerator(seed: 35))
        let values = x.scalars
        let slice = x.slice(axis: axis, 1..<4)
        var expected: [Double] = []
        for i in 0..<2 { for j in 0..<5 { for k in 0..<5 {
            let position = axis == 1 ? j : k
            if (1..<4).contains(position) { expected.append(Double(values[i * 25 + j * 5 + k])) }
        } } }
        expectClose(slice.scalars, expected, relative: 0, absolute: 0, "slice along \(axis)")
        expectGradientsMatch([x]) { $0[0].slice(axis: axis, 1..<4) }
    }

    @Test(arguments: [0, 1, 2])
    func concat(axis: Int) {
        let generator = RandomGenerator(seed: 36)
        var shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]]
        shapes[1][axis] = 1
        shapes[2][axis] = 2
        let parts = shapes.map { randomTensor($0, generator) }
        let joined = Tensor.concat(parts, axis: axis)
        #expect(joined.shape[axis] == shapes.reduce(0) { $0 + $1[axis] })
        #expect(joined.split(axis: axis, sizes: shapes.map { $0[axis] }).map(\.scalars) == parts.map(\.scalars))
        expectGradientsMatch(parts) { Tensor.concat($0, axis: axis) }
    }

    @Test func concatWithAConstantPart() {
        let x = randomTensor([2, 3], RandomGenerator(seed: 37), requiresGrad: true)
        let constant = Tensor(shape: [2, 2], repeating: 5)
        Tensor.concat([constant, x], axis: 1).sum().backward()
        #expect(x.grad?.scalars == Array(repeating: 1, count: 6))
        #expect(constant.grad == nil)
    }

    @Test(arguments: [0, 1, -1])
    func split(axis: Int) {
        let x = randomTensor([5, 5], RandomGenerator(seed: 38))
        let sizes = [1, 3, 1]
        let parts = x.split(axis: axis, sizes: sizes)
        #expect(parts.map { $0.shape[axis < 0 ? 1 : axis] } == sizes)
        // Reassembled in another order, so each part's gradient lands in its own place.
        expectGradientsMatch([x]) { input in
            let parts = input[0].split(axis: axis, sizes: sizes)
            return Tensor.concat([parts[2], parts[0].exp(), parts[1]], axis: axis)
        }
    }

    /// Repeated indices scatter-add; an unused row gets a zero gradient.
    @Test func gatherRows() throws {
        let table = randomTensor([5, 2, 3], RandomGenerator(seed: 39))
        let indices: [Int32] = [2, 0, 2, 4, 2, 0]
        let rows = table.gatherRows(indices)
        #expect(rows.shape == [6, 2, 3])
        #expect(rows.slice(axis: 0, 3..<4).scalars == table.slice(axis: 0, 4..<5).scalars)
        expectGradientsMatch([table]) { $0[0].gatherRows(indices) }
        table.zeroGrad()
        table.gatherRows(indices).sum().backward()
        let grad = try #require(table.grad).scalars
        #expect(Array(grad[0..<6]) == Array(repeating: 2, count: 6))
        #expect(Array(grad[6..<12]) == Array(repeating: 0, count: 6))
        #expect(Array(grad[12..<18]) == Array(repeating: 3, count: 6))
    }
}
