import TestSupport
import Testing
import Tensors

/// `scaledByGroups`, the gate structured pruning differentiates through: values and gradients, for a gate per row
/// and one shared by every row, with blocks of several elements (heads) and of one (neurons).
@Suite struct GroupScalingTests {
    @Test(arguments: [(gateRows: 2, groups: 3), (gateRows: 1, groups: 3), (gateRows: 2, groups: 6)])
    func gradients(gateRows: Int, groups: Int) {
        let x = randomTensor([2, 4, 6], RandomGenerator(seed: 50))
        let gate = randomTensor([gateRows, groups], RandomGenerator(seed: 51))
        expectGradientsMatch([x, gate]) { $0[0].scaledByGroups($0[1]) }
    }

    @Test func valuesScaleEachBlockOfEachRow() {
        let x = Tensor(shape: [2, 1, 4], values: [1, 2, 3, 4, 5, 6, 7, 8])
        let gate = Tensor(shape: [2, 2], values: [0, 1, 2, -1])
        #expect(x.scaledByGroups(gate).scalars == [0, 0, 3, 4, 10, 12, -7, -8])
    }
}
