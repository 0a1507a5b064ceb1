import CoordinatorRecord
import Foundation
import GRDB
import XCTest

/// Users and sessions with a controllable clock: lockout and its end, session expiry, the end of
/// sessions on password, role and disable changes, and no usable secret in the database.
final class UserStoreTests: XCTestCase {
    private let t0 = RecordFixture.t0
    private let password = "correct horse battery staple"

    private func store() throws -> (RecordFixture, UserStore) {
        let f = try RecordFixture(self)
        let users = UserStore(database: f.database, bcryptCost: 4)
        try users.add("olivia", role: .operator_, password: password, by: "adm", at: t0)
        return (f, users)
    }

    func testLockout_afterFiveFailures_endsAfterFifteenMinutes() throws {
        let (f, users) = try store()
        for i in 0..<5 { XCTAssertThrowsError(try users.signIn("olivia", password: "wrong wrong wrong", at: t0 + Double(i))) }
        XCTAssertThrowsError(try users.signIn("olivia", password: password, at: t0 + 60), "locked")
        XCTAssertNoThrow(try users.signIn("olivia", password: password, at: t0 + 4 + UserStore.lockout + 1))
        let actions = try f.auditActions()
        XCTAssertEqual(actions.filter { $0 == "user.login_failed" }.count, 5, "four wrong passwords and one attempt while locked")
        XCTAssertEqual(actions.filter { $0 == "user.locked_out" }.count, 1)
    }

    func testSessions_expire_andEndWithAPasswordOrRoleChangeOrDisable() throws {
        let (f, users) = try store()
        let (token, session) = try users.signIn("olivia", password: password, at: t0)
        XCTAssertEqual(try users.session(token: token, at: t0 + 60)?.user.role, .operator_)
        XCTAssertNil(try users.session(token: token, at: t0 + UserStore.sessionLifetime + 1), "expired")
        XCTAssertTrue(UserStore.isValidCSRF(session.csrfToken, for: session))
        XCTAssertFalse(UserStore.isValidCSRF(String(session.csrfToken.dropLast()) + "x", for: session))
        XCTAssertFalse(UserStore.isValidCSRF(nil, for: session))
        for change in [{ try users.setPassword("olivia", password: self.password, by: "adm", at: self.t0) },
                       { try users.setRole("olivia", role: .auditor, by: "adm", at: self.t0) },
                       { try users.disable("olivia", by: "adm", at: self.t0) }] {
            let (live, _) = try users.signIn("olivia", password: password, at: t0)
            try change()
            XCTAssertNil(try users.session(token: live, at: t0 + 1))
        }
        XCTAssertThrowsError(try users.signIn("olivia", password: password, at: t0 + 2), "disabled")
        let stored = try f.database.read { try Row.fetchAll($0, sql: "SELECT * FROM session") }.description
            + (try f.database.read { try Row.fetchAll($0, sql: "SELECT password_hash FROM user") }.description)
        XCTAssertFalse(stored.contains(token), "only digests of session tokens are stored")
        XCTAssertFalse(stored.contains(password))
        XCTAssertTrue(try f.auditActions().contains("user.role_changed"))
    }

    func testBadUsersAndPasswords_areRefusedWithTheReason() throws {
        let (f, users) = try store()
        let before = try f.auditCount
        XCTAssertThrowsError(try users.add("olivia", role: .admin, password: password, by: "adm", at: t0)) { XCTAssertTrue("\($0)".contains("already exists")) }
        XCTAssertThrowsError(try users.add("x", role: .admin, password: "short", by: "adm", at: t0)) { XCTAssertTrue("\($0)".contains("at least 12")) }
        XCTAssertThrowsError(try users.add("<b>", role: .admin, password: password, by: "adm", at: t0)) { XCTAssertTrue("\($0)".contains("must be 1-64")) }
        XCTAssertThrowsError(try users.disable("nobody", by: "adm", at: t0)) { XCTAssertTrue("\($0)".contains("no user nobody")) }
        XCTAssertEqual(try f.auditCount, before)
        XCTAssertThrowsError(try users.signIn("nobody", password: password, at: t0)) {
            XCTAssertEqual("\($0)", "sign-in refused: wrong name or password, or the account is locked or disabled", "the same words for an unknown name")
        }
    }
}
