import Foundation

/// Writes a line to standard error: notes and progress, so that standard output carries only results.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
