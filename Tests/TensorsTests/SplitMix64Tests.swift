import Tensors
import Testing

@Suite struct SplitMix64Tests {
    @Test func matchesReferenceOutputs() {
        // Values of Vigna's splitmix64.c, computed independently in Python.
        var zero = SplitMix64(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var fortyTwo = SplitMix64(seed: 42)
        #expect(fortyTwo.next() == 0xBDD7_3226_2FEB_6E95)
    }

    @Test func boundedIntegersStayInRangeAndCoverIt() {
        var generator = SplitMix64(seed: 7)
        var seen = Set<Int>()
        for _ in 0..<1000 {
            let value = generator.next(below: 10)
            #expect((0..<10).contains(value))
            seen.insert(value)
        }
        #expect(seen.count == 10)
    }

    @Test func shuffleIsAPermutationAndDependsOnTheSeed() {
        var first = Array(0..<100), second = Array(0..<100), third = Array(0..<100)
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1), c = SplitMix64(seed: 2)
        a.shuffle(&first)
        b.shuffle(&second)
        c.shuffle(&third)
        #expect(first == second)
        #expect(first != third)
        #expect(first != Array(0..<100))
        #expect(first.sorted() == Array(0..<100))
    }
}

@Suite struct RandomGeneratorStateTests {
    @Test func firstOutputsAreThoseOfXoshiro256StarStarSeededBySplitMix64() {
        // The stream every seeded result depends on: the state is four SplitMix64 outputs of the seed.
        var seeder = SplitMix64(seed: 42)
        let seeded = (0..<4).map { _ in seeder.next() }
        #expect(RandomGenerator(seed: 42).state == seeded)
        #expect(Xoshiro256StarStar(seed: 42).state == seeded)
    }

    @Test func restoringASavedStateContinuesTheStreamInPlace() {
        let generator = RandomGenerator(seed: 5)
        _ = (0..<7).map { _ in generator.nextUInt64() }
        let saved = generator.state
        let expected = (0..<5).map { _ in generator.nextUInt64() }
        let other = RandomGenerator(seed: 6)
        #expect(other.restore(state: saved))
        #expect((0..<5).map { _ in other.nextUInt64() } == expected)
    }

    @Test func advancingSkipsExactlyThatManyDraws() {
        var skipped = Xoshiro256StarStar(seed: 3)
        var stepped = skipped
        skipped.advance(by: 1_001)
        for _ in 0..<1_001 { _ = stepped.next() }
        #expect(skipped == stepped)
    }

    /// Deferred normals leave the generator where drawing them would, stay zero until drawn, and are drawn with
    /// the values they would have had; afterwards `Tensor.normal` draws again.
    @Test func deferredNormalsAreDrawnAsTheyWouldHaveBeen() {
        let eager = RandomGenerator(seed: 4)
        let expected = [Tensor.normal([3, 5], std: 0.5, generator: eager), Tensor.normal([7], mean: 1, std: 2, generator: eager)]
        let lazy = RandomGenerator(seed: 4)
        let (tensors, deferred) = lazy.deferringNormals {
            [Tensor.normal([3, 5], std: 0.5, generator: lazy), Tensor.normal([7], mean: 1, std: 2, generator: lazy)]
        }
        #expect(lazy.state == eager.state)
        #expect(tensors.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
        deferred.draw([tensors[1]])
        #expect(tensors[1].scalars == expected[1].scalars)
        #expect(tensors[0].scalars.allSatisfy { $0 == 0 })
        #expect(Tensor.normal([2], std: 1, generator: lazy).scalars == Tensor.normal([2], std: 1, generator: eager).scalars)
    }

    @Test func invalidStatesAreRefused() {
        let generator = RandomGenerator(seed: 1)
        let before = generator.state
        #expect(!generator.restore(state: [0, 0, 0, 0]))
        #expect(!generator.restore(state: [1, 2, 3]))
        #expect(generator.state == before)
        #expect(RandomGenerator(state: [0, 0, 0, 0]) == nil)
    }
}
