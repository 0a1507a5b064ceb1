import Foundation
import GRDB
import Logging
import RecordTestSupport
import XCTest

@testable import CoordinatorRecord

/// Users, sessions and sign-in with a controllable clock: lockout and its end, session expiry,
/// the end of sessions on password, role and disable changes, no usable secret in the database;
/// and the sign-in desk's rules: no hash for locked or disabled accounts, failures counted in the
/// transaction, bounded names and one audit entry per burst of refusals.
final class UserStoreTests: XCTestCase {
    private let t0 = RecordFixture.t0
    private let password = "correct horse battery staple"

    private func store(workers: Int = 1, queueLimit: Int = 4) throws -> (RecordFixture, UserStore, SignInDesk) {
        let f = try RecordFixture(self)
        let users = UserStore(database: f.database, bcryptCost: 4)
        try users.add("olivia", role: .operator_, password: password, by: "adm", at: t0)
        let desk = SignInDesk(
            users: users, pool: PasswordHashingPool(workers: workers, queueLimit: queueLimit),
            settings: .init(refusalDelay: .zero), logger: Logger(label: "test"))
        return (f, users, desk)
    }

    private func signIn(
        _ desk: SignInDesk, _ name: String, _ password: String, at time: Date, from address: String = "10.0.0.1"
    ) async throws
        -> (token: String, session: Session)?
    {
        switch try await desk.signIn(name, password: password, address: address, at: time) {
        case .signedIn(let token, let session): return (token, session)
        case .refused: return nil
        case .throttled:
            XCTFail("throttled")
            return nil
        }
    }

    func testLockout_afterFiveFailures_endsAfterFifteenMinutes() async throws {
        let (f, _, desk) = try store()
        for i in 0..<5 {
            let s = try await signIn(desk, "olivia", "wrong wrong wrong", at: t0 + Double(i))
            XCTAssertNil(s)
        }
        let locked = try await signIn(desk, "olivia", password, at: t0 + 60)
        XCTAssertNil(locked, "locked")
        let after = try await signIn(desk, "olivia", password, at: t0 + 4 + UserStore.lockout + 1)
        XCTAssertNotNil(after)
        let actions = try f.auditActions()
        XCTAssertEqual(
            actions.filter { $0 == "user.login_failed" }.count, 5, "four wrong passwords and one attempt while locked")
        XCTAssertEqual(actions.filter { $0 == "user.locked_out" }.count, 1)
    }

    func testLockedAndDisabledAccounts_areRefusedBeforeAnyHash() async throws {
        let (_, users, desk) = try store()
        for i in 0..<5 { _ = try await signIn(desk, "olivia", "wrong wrong wrong", at: t0 + Double(i)) }
        let hashesWhenLocked = desk.pool.hashesStarted
        for i in 0..<3 {
            let s = try await signIn(desk, "olivia", password, at: t0 + 10 + Double(i))
            XCTAssertNil(s)
        }
        XCTAssertEqual(desk.pool.hashesStarted, hashesWhenLocked, "a locked account costs no bcrypt")
        try users.add("dora", role: .auditor, password: password, by: "adm", at: t0)
        try users.disable("dora", by: "adm", at: t0)
        let disabled = try await signIn(desk, "dora", password, at: t0 + 20)
        XCTAssertNil(disabled)
        XCTAssertEqual(desk.pool.hashesStarted, hashesWhenLocked, "a disabled account costs no bcrypt")
    }

    func testUnknownNames_costADecoyHashAtTheConfiguredCost() async throws {
        let (_, _, desk) = try store()
        let s = try await signIn(desk, "nobody", password, at: t0)
        XCTAssertNil(s)
        XCTAssertEqual(desk.pool.hashesStarted, 2, "the decoy made once, then checked against")
        let decoyCost = await desk.decoyCost
        XCTAssertEqual(decoyCost, 4, "the decoy costs what a real hash costs")
    }

    func testTenSimultaneousWrongPasswords_countOneToFive_andLockOnce() async throws {
        let (f, users, desk) = try store(workers: 2, queueLimit: 10)
        let t0 = self.t0
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<10 {
                group.addTask {
                    _ = try await desk.signIn("olivia", password: "wrong wrong wrong", address: "10.0.0.\(i)", at: t0)
                }
            }
            try await group.waitForAll()
        }
        let counted = try AuditLog.entries(in: f.database, limit: 100).filter {
            $0.action == "user.login_failed" || $0.action == "user.locked_out"
        }
        .compactMap { entry -> String? in
            let detail = try? JSONSerialization.jsonObject(with: Data(entry.detail.utf8)) as? [String: String]
            return detail?["failures"]
        }
        XCTAssertEqual(counted.sorted(), ["1", "2", "3", "4", "5"], "each failure counted once, in the transaction")
        XCTAssertEqual(try f.auditActions().filter { $0 == "user.locked_out" }.count, 1)
        XCTAssertNotNil(try users.list().first { $0.name == "olivia" }?.lockedUntil)
    }

    func testAHugeUnknownName_isAuditedAsABoundedPrefixAndDigest_oncePerBurst() async throws {
        let (f, _, desk) = try store()
        let huge = String(repeating: "<x>", count: 20_000)
        let attempts = desk.settings.limits.perName
        for i in 0..<attempts {
            _ = try await desk.signIn(huge, password: "whatever", address: "10.0.0.\(i)", at: t0 + Double(i))
        }
        var entries = try AuditLog.entries(in: f.database, actionPrefix: "user.login_failed", limit: 100)
        XCTAssertEqual(entries.count, 1, "repeats of a burst are counted, not written")
        XCTAssertLessThan(entries[0].target.count + entries[0].actor.count, 200)
        XCTAssertTrue(entries[0].target.contains("sha256"), entries[0].target)
        try await desk.housekeeping(at: t0 + Double(attempts) + 61)
        entries = try AuditLog.entries(in: f.database, actionPrefix: "user.login_failed", limit: 100)
        XCTAssertEqual(entries.count, 2, "one summary when the burst ends")
        XCTAssertTrue(
            entries.contains { $0.detail.contains(#""repeats":"\#(attempts - 1)""#) }, entries.map(\.detail).description
        )
    }

    func testThrottle_refusesFurtherAttemptsFromAnAddressOrForAName_withoutHashing() async throws {
        let (f, _, desk) = try store()
        let limits = desk.settings.limits
        for i in 0..<limits.perAddress {
            _ = try await desk.signIn("guess\(i)", password: "x", address: "10.9.9.9", at: t0 + Double(i))
        }
        let hashes = desk.pool.hashesStarted
        guard
            case .throttled(let retry) = try await desk.signIn(
                "olivia", password: password, address: "10.9.9.9", at: t0 + 30)
        else {
            return XCTFail("the address is over its limit")
        }
        XCTAssertGreaterThan(retry, 0)
        XCTAssertEqual(desk.pool.hashesStarted, hashes)
        let other = try await signIn(desk, "olivia", password, at: t0 + 31, from: "10.1.1.1")
        XCTAssertNotNil(other, "another address is not held back")
        for i in 0..<limits.perName {
            _ = try await desk.signIn("ghost", password: "x", address: "10.2.0.\(i)", at: t0 + 40)
        }
        guard case .throttled = try await desk.signIn("ghost", password: "x", address: "10.3.0.1", at: t0 + 41) else {
            return XCTFail("the name is over its limit from any address")
        }
        guard
            case .signedIn = try await desk.signIn(
                "olivia", password: password, address: "10.9.9.9", at: t0 + limits.window + 20)
        else {
            return XCTFail("the window has passed")
        }
        XCTAssertEqual(
            try f.auditActions().filter { $0 == "user.login_throttled" }.count, 2,
            "one entry per burst: the address's and the name's")
    }

    func testAFullPasswordQueue_refusesAtOnce() async throws {
        let f = try RecordFixture(self)
        // Cost 12, ~0.45 s a check: the queue stays full while the two refusals are decided.
        let users = UserStore(database: f.database, bcryptCost: 12)
        try users.add("olivia", role: .operator_, password: password, by: "adm", at: t0)
        // Made before the queue fills: adding an account hashes on this thread, long enough for the first check to end.
        try users.add("dora", role: .auditor, password: password, by: "adm", at: t0)
        try users.disable("dora", by: "adm", at: t0)
        let pool = PasswordHashingPool(workers: 1, queueLimit: 0)
        let desk = SignInDesk(
            users: users, pool: pool, settings: .init(refusalDelay: .zero), logger: Logger(label: "test"))
        let (password, t0) = (self.password, self.t0)
        let first = Task { try await desk.signIn("olivia", password: password, address: "10.0.0.1", at: t0) }
        let deadline = ContinuousClock.now + .seconds(10)
        while pool.inFlight == 0, ContinuousClock.now < deadline { await Task.yield() }
        XCTAssertEqual(pool.inFlight, 1)
        guard case .throttled = try await desk.signIn("olivia", password: password, address: "10.0.0.2", at: t0) else {
            return XCTFail("no place in the queue")
        }
        guard case .throttled = try await desk.signIn("dora", password: password, address: "10.0.0.3", at: t0) else {
            return XCTFail("a disabled account, which needs no hash, is answered as any other while the queue is full")
        }
        guard case .signedIn = try await first.value else { return XCTFail("the first check goes on") }
        XCTAssertEqual(pool.inFlight, 0)
    }

    func testSessions_expire_andEndWithAPasswordOrRoleChangeOrDisable() async throws {
        let (f, users, desk) = try store()
        let first = try await signIn(desk, "olivia", password, at: t0)
        let (token, session) = try XCTUnwrap(first)
        XCTAssertEqual(try users.session(token: token, at: t0 + 60)?.user.role, .operator_)
        XCTAssertNil(try users.session(token: token, at: t0 + UserStore.sessionLifetime + 1), "expired")
        XCTAssertEqual(
            try users.deleteExpiredSessions(at: t0 + UserStore.sessionLifetime + 1), 1, "expired sessions are deleted")
        XCTAssertTrue(UserStore.isValidCSRF(session.csrfToken, for: session))
        XCTAssertFalse(UserStore.isValidCSRF(String(session.csrfToken.dropLast()) + "x", for: session))
        XCTAssertFalse(UserStore.isValidCSRF(nil, for: session))
        for change in [
            { try users.setPassword("olivia", password: self.password, by: "adm", at: self.t0) },
            { try users.setRole("olivia", role: .auditor, by: "adm", at: self.t0) },
            { try users.disable("olivia", by: "adm", at: self.t0) },
        ] {
            let signedIn = try await signIn(desk, "olivia", password, at: t0)
            let (live, _) = try XCTUnwrap(signedIn)
            try change()
            XCTAssertNil(try users.session(token: live, at: t0 + 1))
        }
        let disabled = try await signIn(desk, "olivia", password, at: t0 + 2)
        XCTAssertNil(disabled, "disabled")
        let stored =
            try f.database.read { try Row.fetchAll($0, sql: "SELECT * FROM session") }.description
            + (try f.database.read { try Row.fetchAll($0, sql: "SELECT password_hash FROM user") }.description)
        XCTAssertFalse(stored.contains(token), "only digests of session tokens are stored")
        XCTAssertFalse(stored.contains(password))
        XCTAssertTrue(try f.auditActions().contains("user.role_changed"))
    }

    func testBadUsersAndPasswords_areRefusedWithTheReason() throws {
        let (f, users, _) = try store()
        let before = try f.auditCount
        let code = { (error: any Error) in (error as? UserRefusal)?.code }
        XCTAssertThrowsError(try users.add("olivia", role: .admin, password: password, by: "adm", at: t0)) {
            XCTAssertEqual(code($0), .exists)
        }
        XCTAssertThrowsError(try users.add("x", role: .admin, password: "short", by: "adm", at: t0)) {
            XCTAssertEqual(code($0), .passwordTooShort)
            XCTAssertEqual(($0 as? UserRefusal)?.value, "5 characters", "a password's length, never the password")
        }
        XCTAssertThrowsError(try users.add("<b>", role: .admin, password: password, by: "adm", at: t0)) {
            XCTAssertEqual(code($0), .invalidName)
        }
        XCTAssertThrowsError(try users.disable("nobody", by: "adm", at: t0)) { XCTAssertEqual(code($0), .notFound) }
        XCTAssertEqual(try f.auditCount, before)
    }

    func testAStoredRoleNobodyKnows_isAnError_notAnAuditor() throws {
        let (f, users, _) = try store()
        try f.tamper("UPDATE user SET role = 'superuser' WHERE name = 'olivia'")
        XCTAssertThrowsError(try users.list()) {
            XCTAssertEqual(
                $0 as? DamagedRow, DamagedRow(table: "user", column: "role", key: "olivia", value: "superuser"))
        }
    }
}
