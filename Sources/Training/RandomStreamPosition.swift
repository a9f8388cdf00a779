import Tensors

/// How far a `RandomGenerator` has advanced since a reference point, counted in draws.
///
/// Dropout modules keep their own reference to the generator they were built with, and a generator's state
/// can be read but not assigned. So a checkpoint records the number of draws made since the trainer started,
/// and a resumed run, whose modules were built the same way from the same seed (same starting state), makes
/// that many draws to arrive at the saved state; the state itself is saved to check the arrival.
final class RandomStreamPosition {
    let generator: RandomGenerator
    /// A copy that trails `generator`; it is moved up to it when the position is read.
    private var trail: RandomGenerator
    private var trailDraws = 0

    init(generator: RandomGenerator) {
        self.generator = generator
        trail = Self.copy(of: generator)
    }

    /// Draws made since the reference point (cost: one step per draw made since the last call).
    func drawsSoFar() -> Int {
        while trail.state != generator.state {
            _ = trail.nextUInt64()
            trailDraws += 1
        }
        return trailDraws
    }

    /// Moves the generator, which must be at the reference point, `draws` draws on; `false` if it then is not
    /// at `expectedState` (a different seed, or modules built differently).
    func advance(by draws: Int, expectedState: [UInt64]) -> Bool {
        for _ in 0..<draws { _ = generator.nextUInt64() }
        trail = Self.copy(of: generator)
        trailDraws = draws
        return generator.state == expectedState
    }

    private static func copy(of generator: RandomGenerator) -> RandomGenerator {
        // A live generator's state is never all zeros, the one state `init(state:)` refuses.
        guard let copy = RandomGenerator(state: generator.state) else { preconditionFailure("generator state is all zeros") }
        return copy
    }
}
