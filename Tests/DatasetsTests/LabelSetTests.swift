import Datasets
import Testing

@Suite struct LabelSetTests {
    @Test func mapsNamesAndIndices() throws {
        let labels = try LabelSet(names: ["negative", "positive"])
        #expect(labels.count == 2)
        #expect(labels.index(of: "positive") == 1)
        #expect(labels.index(of: "neutral") == nil)
        #expect(labels.name(of: 0) == "negative")
        #expect(labels.name(of: 2) == nil)
        #expect(labels.id2label == [0: "negative", 1: "positive"])
        #expect(try LabelSet(id2label: [1: "positive", 0: "negative"]) == labels)
    }

    @Test func rejectsBadNames() {
        #expect(throws: LabelSetError.duplicateName("a")) { try LabelSet(names: ["a", "b", "a"]) }
        #expect(throws: LabelSetError.emptyName(index: 1)) { try LabelSet(names: ["a", ""]) }
        #expect(throws: LabelSetError.empty) { try LabelSet(names: []) }
        #expect(throws: LabelSetError.nonContiguousIDs([0, 2])) { try LabelSet(id2label: [0: "a", 2: "b"]) }
    }

    @Test func numericLookingNamesMatchByNameFirst() throws {
        // A set built elsewhere from star ratings: name "1" is class 0, not class 1.
        let stars = try LabelSet(names: ["1", "2", "3", "4", "5"])
        let dataset = try readText("text,label\nmeh,1\ngreat,5\n", path: "stars.csv", options: .init(labelSet: stars))
        #expect(dataset.examples.map(\.label) == [.classIndex(0), .classIndex(4)])
    }

    @Test func builtSetSortsNamesAndTreatsIntegersAsIndices() throws {
        let named = try readText("text,label\na,pos\nb,neg\nc,neutral\nd,neutral\n", path: "n.csv")
        #expect(named.labelSet?.names == ["neg", "neutral", "pos"])
        #expect(named.examples.map(\.label) == [.classIndex(2), .classIndex(0), .classIndex(1), .classIndex(1)])
        // An integer among names is a bad row, not class 1 (issue 14).
        #expect(datasetError { try readText("text,label\na,pos\nb,neg\nc,neutral\nd,1\n", path: "n.csv") }
            == DatasetError(path: "n.csv", line: 5, reason: .integerAmongNamedLabels("1", names: ["neg", "neutral", "pos"])))

        let indexed = try readText("text,label\na,2\nb,0\n", path: "i.csv")
        #expect(indexed.labelSet?.names == ["0", "1", "2"])
        #expect(indexed.examples.map(\.label) == [.classIndex(2), .classIndex(0)])
    }

    @Test func labelsAreTrimmed() throws {
        let dataset = try readText("text,label\na, 1 \n", path: "t.csv")
        #expect(dataset.examples.map(\.label) == [.classIndex(1)])
    }

    @Test func negativeIndexIsOutOfRange() {
        let labels = try? LabelSet(names: ["a", "b"])
        #expect(datasetError { try readText("text,label\nx,-1\n", path: "neg.csv", options: .init(labelSet: labels)) }?
            .reason == .labelIndexOutOfRange(-1, classCount: 2))
    }
}
