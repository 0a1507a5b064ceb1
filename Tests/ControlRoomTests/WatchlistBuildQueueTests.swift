import CoordinatorRecord
import FaceTemplates
import Foundation
import Logging
import RecordTestSupport
import Shared
import XCTest

@testable import ControlRoom

/// The build queue is the one place a draft's build runs: one build at a time, each recorded
/// (built or failed), and nothing taken once the queue is stopped.
final class WatchlistBuildQueueTests: XCTestCase {
    /// Compiles only when the test lets it, so that the test sees how many run at once.
    private actor GatedCompiler: WatchlistCompiling {
        /// What a build that succeeds returns.
        private let bundle: [UInt8]?
        private var started: [String] = []
        private var running = 0
        private(set) var mostAtOnce = 0
        private var gates: [CheckedContinuation<Void, Never>] = []
        private var startWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

        init(bundle: [UInt8]? = nil) { self.bundle = bundle }

        func compile(_ input: WatchlistBuildInput) async throws -> WatchlistCompilation {
            started.append(input.binding.watchlistID)
            running += 1
            mostAtOnce = max(mostAtOnce, running)
            for waiter in startWaiters where waiter.count <= started.count { waiter.continuation.resume() }
            startWaiters.removeAll { $0.count <= started.count }
            await withCheckedContinuation { gates.append($0) }
            running -= 1
            if input.binding.watchlistID == "wl-fails" { throw CommandFailure("no face in any photo") }
            return WatchlistCompilation(
                bundleFile: bundle, refusals: [], templates: 1, cohortFaces: 0,
                threshold: input.binding.threshold ?? 0.9)
        }

        nonisolated func expectedPerformance(
            threshold: Float, listSize: Int, enrolment: ListEnrolment, cohortFaces: Int
        ) throws -> ExpectedPerformance {
            throw CommandFailure("not asked")
        }

        /// Returns once `count` builds have started.
        func waitForStarts(_ count: Int) async {
            if started.count >= count { return }
            await withCheckedContinuation { startWaiters.append((count, $0)) }
        }

        func release() {
            let first = gates.removeFirst()
            first.resume()
        }

        var startedIDs: [String] { started }
    }

    private func beganDraft(_ fixture: RecordFixture, watchlist: String) throws -> WatchlistQueueJob {
        let jpeg: [UInt8] =
            [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 7, 7, 0xFF, 0xC0, 0x00, 0x11, 8, 0x00, 0x20, 0x00, 0x20, 3]
            + Array(repeating: 7, count: 64)
        let id = try WatchlistDraftStore.upload(
            WatchlistUpload(
                binding: WatchlistBinding(
                    deploymentID: "dep-9", watchlistID: watchlist, version: 2, notBefore: nil,
                    expiresAt: RecordFixture.t0 + 86_400, threshold: 0.9, photos: .separate),
                manifestName: "list.csv",
                manifestText: """
                    subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18
                    s-1,Alex Doe,wanted,warrant 123,custody photo,a.jpg,warrant,no
                    """, photos: ["a.jpg": jpeg]), by: "ian", in: fixture.database, at: RecordFixture.t0)
        let input = try WatchlistDraftStore.beginBuild(id, by: "ian", in: fixture.database, at: RecordFixture.t0)
        return WatchlistQueueJob(id: id, job: .init(draftID: id, input: input, actor: "ian"))
    }

    private struct WatchlistQueueJob {
        let id: String
        let job: WatchlistBuildQueue.Job
    }

    private func state(_ fixture: RecordFixture, _ id: String) throws -> WatchlistDraftState? {
        try WatchlistDraftStore.load(id, in: fixture.database)?.state
    }

    func testBuilds_runOneAtATime_inOrder_andEachIsRecordedBuiltOrFailed() async throws {
        let fixture = try RecordFixture(self)
        let compiler = GatedCompiler(
            bundle: try fixture.signedBundle(deployment: "dep-9", subjects: ["s-1"], signed: false))
        let queue = WatchlistBuildQueue(
            compiler: compiler, database: fixture.database, logger: Logger(label: "test"),
            clock: WallClock { RecordFixture.t0 + 10 })
        let first = try beganDraft(fixture, watchlist: "wl-builds")
        let second = try beganDraft(fixture, watchlist: "wl-fails")
        queue.submit(first.job)
        queue.submit(second.job)
        let running = Task { try await queue.run() }
        await compiler.waitForStarts(1)
        let startedFirst = await compiler.startedIDs
        XCTAssertEqual(startedFirst, ["wl-builds"], "the second waits for the first")
        await compiler.release()
        await compiler.waitForStarts(2)
        XCTAssertEqual(try state(fixture, first.id), .built, "recorded before the next build starts")
        await compiler.release()
        running.cancel()
        _ = try? await running.value
        XCTAssertEqual(try state(fixture, second.id), .failed)
        XCTAssertEqual(try WatchlistDraftStore.load(second.id, in: fixture.database)?.failure, "no face in any photo")
        let mostAtOnce = await compiler.mostAtOnce
        XCTAssertEqual(mostAtOnce, 1)
    }

    func testAStoppedQueue_takesNoMoreBuilds() async throws {
        let fixture = try RecordFixture(self)
        let compiler = GatedCompiler()
        let queue = WatchlistBuildQueue(
            compiler: compiler, database: fixture.database, logger: Logger(label: "test"), clock: .system)
        let running = Task { try await queue.run() }
        running.cancel()
        _ = try? await running.value
        let late = try beganDraft(fixture, watchlist: "wl-late")
        queue.submit(late.job)
        let started = await compiler.startedIDs
        XCTAssertEqual(started, [])
        XCTAssertEqual(try state(fixture, late.id), .building, "left for the next start to fail on the record")
    }
}
