import Foundation
import SiltaGenerator
import SiltaIngest
import Testing

enum GeneratorConfigForTests {
    static var small: GeneratorConfig {
        var c = GeneratorConfig()
        c.events = 20_000
        c.days = 9
        c.seed = 42
        c.workers = 2
        return c
    }
}

func generateLogs(_ config: GeneratorConfig, out: String) throws -> GeneratorSummary {
    try LogGenerator.generate(config, out: out)
}

@Suite struct GeneratorTests {
    @Test func sameSeedSameBytesWhateverTheWorkers() throws {
        let s = Scratch()
        var c = GeneratorConfigForTests.small
        c.badLineRate = 0.005
        c.duplicateRate = 0.005
        c.workers = 1
        let a = try generateLogs(c, out: s.sub("a"))
        c.workers = 3
        let b = try generateLogs(c, out: s.sub("b"))
        #expect(a.events == 20_000)
        #expect(b.events == a.events)
        #expect(folderContents(s.sub("a")) == folderContents(s.sub("b")))
        c.seed = 43
        _ = try generateLogs(c, out: s.sub("c"))
        #expect(folderContents(s.sub("a")) != folderContents(s.sub("c")))
    }

    @Test func logsIngestToExactlyTheGeneratedEvents() throws {
        let s = Scratch()
        var c = GeneratorConfigForTests.small
        c.badLineRate = 0.01
        c.duplicateRate = 0.01
        let g = try generateLogs(c, out: s.sub("logs"))
        let r = try ingest(logs: s.sub("logs"), warehouse: s.sub("wh"))
        #expect(r.stored == g.events)
        #expect(r.duplicates == g.duplicates)
        #expect(r.rejectedTotal == g.badLines)
        // Every reject reason occurs.
        #expect(Set(r.rejected.keys).count == 9)
        // One file per source and day.
        #expect(r.filesRead == g.files)
        #expect(g.files == 4 * c.days)
    }
}
