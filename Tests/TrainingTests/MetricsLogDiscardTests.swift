import Foundation
import TestSupport
import Testing
import Training

@Suite struct MetricsLogDiscardTests {
    @Test func entriesAfterTheResumeStepAndTornLinesAreDropped() throws {
        let scratch = try ScratchDirectory()
        let log = try MetricsLog(directory: scratch.url)
        for step in [5, 10, 15] { try log.append(step: step, epoch: 0, split: "train", values: ["loss": 1]) }
        try log.append(step: 10, epoch: 0, split: "eval", values: ["accuracy": 0.5])
        let handle = try FileHandle(forWritingTo: log.fileURL)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"step\":20,\"epo".utf8))  // a line cut short by a kill
        try handle.close()

        try MetricsLog.discardEntries(after: 10, in: scratch.url)
        let kept = try String(contentsOf: log.fileURL, encoding: .utf8)
        #expect(kept == """
            {"step":5,"epoch":0.0,"split":"train","loss":1.0}
            {"step":10,"epoch":0.0,"split":"train","loss":1.0}
            {"step":10,"epoch":0.0,"split":"eval","accuracy":0.5}

            """)

        try MetricsLog.discardEntries(after: nil, in: scratch.url)
        #expect(!FileManager.default.fileExists(atPath: log.fileURL.path))
        try MetricsLog.discardEntries(after: 3, in: scratch.url)  // no log: nothing to do
    }
}
