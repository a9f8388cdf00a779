import Foundation

/// How a corpus file is cut into documents.
public enum DocumentBoundary: String, Sendable, Codable {
    /// One document per line (blank lines are skipped).
    case line
    /// Paragraphs: runs of non-blank lines, separated by blank lines; their lines are joined with spaces.
    case blankLine
}

/// Where a ``TextCorpusReader`` stands: everything needed to continue with the very next document.
public struct CorpusPosition: Sendable, Codable, Equatable {
    /// The corpus file's path.
    public var file: String
    /// The offset of the first byte not yet consumed.
    public var byteOffset: UInt64
    /// Lines consumed so far (the next line is `line + 1`).
    public var line: Int
    /// Lines skipped because they were not valid UTF-8 text (when the reader skips them).
    public var skippedLines: Int

    /// The start of `file`.
    public init(file: String) {
        self.file = file
        byteOffset = 0
        line = 0
        skippedLines = 0
    }
}

/// Reads the documents of a UTF-8 text file larger than memory, in chunks: memory holds one chunk and the
/// current document, whatever the file's size. ``position`` can be saved and passed back to continue exactly
/// after the last document returned.
///
/// A line that is not UTF-8, or holds NUL bytes (a binary file), is an error naming the file and line, or, with
/// `skipInvalidLines`, is skipped and counted in ``CorpusPosition/skippedLines``.
public final class TextCorpusReader {
    public let boundary: DocumentBoundary
    public let skipInvalidLines: Bool
    /// Where the reader stands after the last document returned.
    public private(set) var position: CorpusPosition

    private let handle: FileHandle
    private let chunkSize: Int
    /// Bytes read from the file, starting at file offset `bufferOffset`; those before `start` are consumed.
    private var buffer: [UInt8] = []
    private var bufferOffset: UInt64
    private var start = 0
    /// How far `buffer` is known to hold no newline (so a long line is scanned once).
    private var scanned = 0
    private var endOfFile = false
    /// Lines read ahead of `position` (the lines of a paragraph in progress).
    private var pendingLine: Int
    private var pendingSkipped: Int
    private var documentsRead = 0
    private let startedAtBeginning: Bool

    /// Opens `url` at its start, or at `position` (saved from a reader of the same file).
    ///
    /// - Parameter chunkSize: Bytes read at a time.
    public init(
        url: URL, boundary: DocumentBoundary = .line, skipInvalidLines: Bool = false, from position: CorpusPosition? = nil,
        chunkSize: Int = 1 << 16
    ) throws(CorpusError) {
        precondition(chunkSize > 0, "chunk size must be positive")
        let path = url.path
        let origin = position ?? CorpusPosition(file: path)
        do {
            handle = try FileHandle(forReadingFrom: url)
            let size = try handle.seekToEnd()
            guard size > 0 else { throw CorpusError.noDocuments(file: path) }
            guard origin.byteOffset <= size else {
                throw CorpusError.invalidPosition(file: path, reason: "offset \(origin.byteOffset) is past the end (\(size) bytes)")
            }
            try handle.seek(toOffset: origin.byteOffset)
        } catch let error as CorpusError {
            throw error
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
        guard origin.file == path else {
            throw .invalidPosition(file: path, reason: "the position is in \(origin.file)")
        }
        self.boundary = boundary
        self.skipInvalidLines = skipInvalidLines
        self.position = origin
        self.chunkSize = chunkSize
        bufferOffset = origin.byteOffset
        startedAtBeginning = origin.byteOffset == 0
        pendingLine = origin.line
        pendingSkipped = origin.skippedLines
    }

    deinit {
        try? handle.close()
    }

    /// The file's path.
    public var file: String { position.file }

    /// The next document, or `nil` at the end of the file.
    public func nextDocument() throws(CorpusError) -> String? {
        var paragraph: [String] = []
        while let line = try nextLine() {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                if !paragraph.isEmpty { break }
                commit()
            } else {
                paragraph.append(text)
                if boundary == .line { break }
            }
        }
        commit()
        guard !paragraph.isEmpty else {
            if documentsRead == 0 && startedAtBeginning { throw .noDocuments(file: file) }
            return nil
        }
        documentsRead += 1
        return paragraph.joined(separator: " ")
    }

    /// Makes what has been consumed the saved position.
    private func commit() {
        position.byteOffset = bufferOffset + UInt64(start)
        position.line = pendingLine
        position.skippedLines = pendingSkipped
    }

    /// The next valid line without its terminator (skipping invalid ones when asked), `nil` at the end.
    private func nextLine() throws(CorpusError) -> String? {
        while var content = try nextLineBytes() {
            pendingLine += 1
            if pendingLine == 1 && content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }  // BOM
            if content.last == 0x0D { content = content.dropLast() }  // CRLF
            let problem: CorpusError
            if content.contains(0) {
                problem = .binaryContent(file: file, line: pendingLine)
            } else if let text = String(validating: content, as: UTF8.self) {
                return text
            } else {
                problem = .invalidUTF8(file: file, line: pendingLine)
            }
            guard skipInvalidLines else { throw problem }
            pendingSkipped += 1
        }
        return nil
    }

    /// The bytes of the next line, its newline consumed; `nil` at the end of the file.
    private func nextLineBytes() throws(CorpusError) -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[max(start, scanned)...].firstIndex(of: 0x0A) {
                return consume(upTo: newline, terminator: 1)
            }
            scanned = buffer.count
            if endOfFile { return start == buffer.count ? nil : consume(upTo: buffer.count, terminator: 0) }
            // Drop the consumed bytes before reading on, so the buffer holds at most a chunk and one line.
            buffer.removeFirst(start)
            bufferOffset += UInt64(start)
            scanned -= start
            start = 0
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkSize)
            } catch {
                throw .unreadable(file: file, reason: error.localizedDescription)
            }
            if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { endOfFile = true }
        }
    }

    private func consume(upTo end: Int, terminator: Int) -> ArraySlice<UInt8> {
        let line = buffer[start..<end]
        start = end + terminator
        scanned = start
        return line
    }
}
