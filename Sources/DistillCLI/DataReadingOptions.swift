import ArgumentParser
import Datasets

/// How the commands that read labelled files (`finetune`, `task`, `eval`) treat rows they cannot read.
struct DataReadingOptions: ParsableArguments {
    @Flag(help: "Leave out rows that cannot be read (wrong number of columns, empty text, bad label, invalid JSON) instead of stopping at the first; how many were skipped, and the first lines, is printed.")
    var skipBadRows = false

    /// Notes on standard error, for each file with skipped rows, how many and the first few lines.
    static func report(_ skipped: [SkippedRows]) {
        for rows in skipped where rows.count > 0 { printError(rows.description) }
    }
}
