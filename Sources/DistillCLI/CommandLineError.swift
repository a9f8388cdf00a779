/// A problem with what the user asked a command to do, reported as `Error: <message>`.
struct CommandLineError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
