import Foundation

/// The bytes of a text file, checked to be UTF-8, with a leading byte-order mark skipped.
///
/// Line handling shared by the readers: lines end at `\n`; a `\r` before it (Windows line ends) is dropped;
/// a final line without `\n` is still a line; line numbers are 1-based and count every physical line.
struct UTF8Text {
    let bytes: [UInt8]
    /// Index of the first byte after the byte-order mark, if there is one.
    let contentStart: Int
    let path: String

    /// Checks `bytes` as UTF-8; on failure the error names the first invalid line.
    init(bytes: [UInt8], path: String) throws(DatasetError) {
        self.bytes = bytes
        self.path = path
        self.contentStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        // Validating the whole file once is fast; only when it fails do we look for the line at fault.
        let isValid = bytes.withUnsafeBufferPointer { String(validating: $0, as: UTF8.self) != nil }
        if !isValid { throw DatasetError(path: path, line: firstInvalidLine(), reason: .invalidUTF8) }
    }

    /// Reads the file at `path`.
    static func read(path: String) throws(DatasetError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError(path: path, line: nil, reason: .unreadable("no such file"))
        }
        guard !isDirectory.boolValue else {
            throw DatasetError(path: path, line: nil, reason: .unreadable("is a directory"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(path: path, line: nil, reason: .unreadable("permission denied or I/O error"))
        }
        return [UInt8](data)
    }

    /// Calls `body` with each line's 1-based number and byte range (without the line end).
    func forEachLine<E: Error>(_ body: (_ line: Int, _ range: Range<Int>) throws(E) -> Void) throws(E) {
        var lineNumber = 1
        var start = contentStart
        let end = bytes.count
        while start < end {
            let newline = bytes[start..<end].firstIndex(of: UInt8(ascii: "\n")) ?? end
            var lineEnd = newline
            if lineEnd > start && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            try body(lineNumber, start..<lineEnd)
            lineNumber += 1
            start = newline + 1
        }
    }

    /// The text of the bytes in `range`, which must lie on character boundaries (the file is valid UTF-8 and
    /// ranges are cut at ASCII delimiters).
    func string(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    private func firstInvalidLine() -> Int? {
        var invalidLine: Int?
        forEachLine { line, range in
            guard invalidLine == nil else { return }
            let valid = bytes.withUnsafeBufferPointer {
                String(validating: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) != nil
            }
            if !valid { invalidLine = line }
        }
        return invalidLine
    }
}
