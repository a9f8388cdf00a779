import Datasets

/// The corpus text reader: each input is read as a corpus file, one document per line and by paragraphs, stopping
/// at invalid lines and skipping them. Any bytes either give documents or a `CorpusError`; reading in tiny chunks
/// must give the same documents and error as reading in one chunk, and a reader resumed at the position saved
/// after the first document must give the rest.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTextCorpus(_ data: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let url = scratchFile("corpus.txt", fuzzBytes(data, count))
    for boundary in [DocumentBoundary.line, .blankLine] {
        for skipInvalidLines in [false, true] {
            func reader(chunkSize: Int = 1 << 16, from position: CorpusPosition? = nil) throws(CorpusError)
                -> TextCorpusReader
            {
                try TextCorpusReader(
                    url: url, boundary: boundary, skipInvalidLines: skipInvalidLines, from: position,
                    chunkSize: chunkSize)
            }
            let whole = Outcome(reading: { () throws(CorpusError) in try reader() })
            let chunked = Outcome(reading: { () throws(CorpusError) in try reader(chunkSize: 3) })
            expect(chunked == whole, "\(boundary), 3-byte chunks: \(chunked), one chunk: \(whole)")

            guard let first = try? reader(), (try? first.nextDocument()) != nil else { continue }
            let position = first.position
            let resumed = Outcome(reading: { () throws(CorpusError) in try reader(from: position) })
            let rest = Outcome(documents: Array(whole.documents.dropFirst()), error: whole.error)
            expect(resumed == rest, "\(boundary), resumed at \(position): \(resumed), expected \(rest)")
        }
    }
    return 0
}

/// Everything a reader gives: its documents in order, then the error that stopped it, if any.
private struct Outcome: Equatable {
    var documents: [String]
    var error: CorpusError?

    init(documents: [String], error: CorpusError?) {
        self.documents = documents
        self.error = error
    }

    init(reading open: () throws(CorpusError) -> TextCorpusReader) {
        documents = []
        error = nil
        do throws(CorpusError) {
            let reader = try open()
            while let document = try reader.nextDocument() { documents.append(document) }
        } catch {
            self.error = error
        }
    }
}
