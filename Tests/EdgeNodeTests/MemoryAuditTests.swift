import FaceTemplates
import XCTest

@testable import EdgeNode

final class MemoryAuditTests: XCTestCase {
    private func randomVector() -> ErasingVector {
        ErasingVector(count: 128) { for i in $0.indices { $0[i] = Float.random(in: -0.3...0.3) } }
    }

    func testVectorStillHeld_isFound_erasedOne_isNot() throws {
        let audit = MemoryAudit()
        let held = randomVector(), erased = randomVector(), template = randomVector()
        audit.note(held, track: 1)
        audit.note(erased, track: 2)
        audit.noteTemplate(template)
        erased.erase()
        let findings = try audit.scan()
        XCTAssertEqual(findings.nonMatchVectors, 2)
        XCTAssertEqual(findings.nonMatchSurviving, 1, "the held vector is found, the erased one is not")
        XCTAssertEqual(findings.watchlistTemplatesFound, 1)
        withExtendedLifetime(held) {}
        withExtendedLifetime(template) {}
    }

    /// What the old code did: a copy of an embedding's values left in a plain array.
    func testPlainCopyOfAnErasedVector_isFound() throws {
        let audit = MemoryAudit()
        let vector = randomVector()
        let copy = vector.withUnsafeBufferPointer(Array.init)
        audit.note(vector, track: 7)
        audit.trackAlerted(7)
        vector.erase()
        let findings = try audit.scan()
        XCTAssertEqual(findings.matchVectors, 1)
        XCTAssertEqual(findings.matchSurviving, 1, "the unerased copy survives and is found")
        withExtendedLifetime(copy) {}
    }

    func testReleasedVector_isErasedBeforeItsMemoryIsFreed() throws {
        let audit = MemoryAudit()
        do {
            let vector = randomVector()
            audit.note(vector, track: 3)
        }
        XCTAssertEqual(try audit.scan().nonMatchSurviving, 0)
    }
}
