import Foundation
import TestSupport
import Testing
import Tensors

@Suite struct AutogradSemanticsTests {
    @Test func gradientsAccumulateUntilZeroGrad() {
        let x = Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        (x * x).sum().backward()
        #expect(x.grad?.scalars == [2, 4, 6])
        (x * 3).sum().backward()
        #expect(x.grad?.scalars == [5, 7, 9])
        x.zeroGrad()
        #expect(x.grad == nil)
        (x * 3).sum().backward()
        #expect(x.grad?.scalars == [3, 3, 3])
    }

    /// The accumulated gradient owns its storage: later backward passes and changes to activations leave it alone.
    @Test func gradientDoesNotAliasTheGraph() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let seed = Tensor(shape: [1, 2], values: [5, 7])
        x.reshaped([1, 2]).backward(seed: seed)
        seed.fill(0)
        #expect(x.grad?.scalars == [5, 7])
    }

    @Test func withoutGradRecordsNothing() {
        let x = Tensor(shape: [2, 2], values: [1, 2, 3, 4], requiresGrad: true)
        let y = withoutGrad { (x * x).exp().sum() }
        #expect(!y.requiresGrad)
        #expect(y.isLeaf)
        #expect(GradMode.isEnabled)
        let z = x * 2
        #expect(z.requiresGrad && !z.isLeaf, "recording resumes after the block")
    }

    @Test func withoutGradNestsAndRestores() {
        withoutGrad {
            withoutGrad { #expect(!GradMode.isEnabled) }
            #expect(!GradMode.isEnabled)
        }
        #expect(GradMode.isEnabled)
    }

    @Test func operationsOnConstantsAreNotRecorded() {
        let a = Tensor(shape: [2], values: [1, 2]), b = Tensor(shape: [2], values: [3, 4])
        let c = (a * b).exp()
        #expect(!c.requiresGrad && c.isLeaf)
    }

    @Test func detachedCutsTheGraph() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let d = x.detached()
        #expect(!d.requiresGrad && d.isLeaf && d.scalars == x.scalars)
        (x * 3 + (x * 5).detached() * x.detached()).sum().backward()
        #expect(x.grad?.scalars == [3, 3])
    }

    /// Data-parallel training sums a gradient as soon as `backward(leafFinished:)` reports it: each leaf once,
    /// its gradient already complete. `shared` is used first and last in the graph, so it comes after `last`.
    @Test func leavesAreReportedOnceTheirGradientIsComplete() throws {
        let first = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let shared = Tensor(shape: [2], values: [0.3, 0.4], requiresGrad: true)
        let last = Tensor(shape: [2], values: [5, 6], requiresGrad: true)
        let unused = Tensor(shape: [2], values: [7, 8], requiresGrad: true)
        let leaves = [first, shared, last, unused]
        func loss() -> Tensor {
            _ = unused * 2
            return ((first * shared).exp() * last * shared).sum()
        }
        loss().backward()
        let expected = leaves.map { $0.grad?.scalars }
        leaves.forEach { $0.zeroGrad() }

        let graph = loss()
        #expect(Set(graph.recordedLeaves().map(ObjectIdentifier.init)) == Set([first, shared, last].map(ObjectIdentifier.init)))
        var reports: [(leaf: Tensor, grad: [Float]?)] = []
        graph.backward { reports.append(($0, $0.grad?.scalars)) }
        #expect(reports.map { ObjectIdentifier($0.leaf) } == [last, first, shared].map(ObjectIdentifier.init))
        for (leaf, grad) in reports {
            let index = try #require(leaves.firstIndex { $0 === leaf })
            #expect(grad == expected[index], "reported before its gradient was complete")
        }
        #expect(unused.grad == nil)
    }

    @Test func tensorUsedTwiceGetsBothPaths() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let y = x * 2
        (y.exp() + y * y).sum().backward()
        let expected = x.scalars.map { v in 2 * (Foundation.exp(Double(2 * v)) + 2 * Double(2 * v)) }
        expectClose(x.grad?.scalars ?? [], expected, relative: 1e-6, absolute: 0)
    }

    /// A branch the loss does not reach is left recorded, and can be back-propagated later on its own.
    @Test func branchesNotReachedFromTheLossAreIgnored() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let unused = x.exp()
        (x * 4).sum().backward()
        #expect(x.grad?.scalars == [4, 4])
        unused.sum().backward()
        expectClose(x.grad?.scalars ?? [], x.scalars.map { 4 + Foundation.exp(Double($0)) }, relative: 1e-6, absolute: 0)
    }

    @Test func backwardFreesTheGraph() {
        let x = Tensor(shape: [2], values: [1, 2], requiresGrad: true)
        let y = x * 3
        let loss = y.sum()
        #expect(!loss.isLeaf && !y.isLeaf)
        loss.backward()
        #expect(loss.isLeaf && y.isLeaf)
    }

    /// A graph that is never back-propagated (a forward pass with recording on) is freed when dropped: no
    /// recorded result keeps itself alive through its own backward closure.
    @Test func unusedGraphIsReleased() {
        let x = randomTensor([4, 6], RandomGenerator(seed: 110), requiresGrad: true)
        let weight = randomTensor([6], RandomGenerator(seed: 111), requiresGrad: true)
        weak var released: Tensor?
        do {
            let y = x.exp().tanh().squareRoot().softmax().logSoftmax().gelu()
                .layerNorm(weight: weight, bias: weight, eps: 1e-5)
            released = y
            #expect(released != nil)
        }
        #expect(released == nil)
        weak var intermediate: Tensor?
        do {
            let a = x.exp()
            intermediate = a
            _ = a.softmax()
        }
        #expect(intermediate == nil)
    }

    @Test func rootsStartFromAScalarOrASeed() {
        let x = Tensor(shape: [2, 2], values: [1, 2, 3, 4], requiresGrad: true)
        (x * x).backward(seed: Tensor(shape: [2, 2], values: [1, 0, 0, 1]))
        #expect(x.grad?.scalars == [2, 0, 0, 8])
    }
}
