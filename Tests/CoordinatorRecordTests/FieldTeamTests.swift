import CoordinatorRecord
import Foundation
import RecordTestSupport
import XCTest

/// A confirmed match goes to the field officers on the deployment's team, and to nobody else.
final class FieldTeamTests: XCTestCase {
    private let t0 = RecordFixture.t0

    private func team(_ f: RecordFixture) throws -> AlertStore {
        let users = UserStore(database: f.database, bcryptCost: 4)
        for (name, role) in [("PC Ash", Role.fieldOfficer), ("PC Birch", .fieldOfficer), ("Op Cole", .operator_)] {
            try users.add(name, role: role, password: "long enough password", by: "admin", at: t0)
        }
        try f.liveDeployment("dep-1")
        try f.liveDeployment("dep-2", nodes: ["node2"])
        try FieldTeam.assign("PC Ash", to: "dep-1", by: "Sgt Dale", in: f.database, at: t0 + 130)
        try FieldTeam.assign("PC Birch", to: "dep-2", by: "Sgt Dale", in: f.database, at: t0 + 130)
        return AlertStore(database: f.database)
    }

    private func alert(_ deployment: String, _ f: RecordFixture, _ store: AlertStore) throws -> UUID {
        let alert = f.alert(deployment, node: deployment == "dep-1" ? f.node1 : f.node2)
        try store.store(alert, from: deployment == "dep-1" ? f.node1 : f.node2, receivedAt: t0 + 300)
        return alert.alertID
    }

    func testAMatchGoesToItsDeploymentsTeamOnly_andOtherDecisionsToNobody() throws {
        let f = try RecordFixture(self)
        let store = try team(f)
        let matched = try alert("dep-1", f, store), unsure = try alert("dep-1", f, store)
        let elsewhere = try alert("dep-2", f, store)
        XCTAssertEqual(
            try store.adjudicate(matched, .review(.match, note: nil), by: "Op Cole", at: t0 + 310), ["PC Ash"])
        XCTAssertEqual(try store.adjudicate(unsure, .review(.unsure, note: nil), by: "Op Cole", at: t0 + 310), [])
        XCTAssertEqual(
            try store.adjudicate(elsewhere, .review(.match, note: nil), by: "Op Cole", at: t0 + 310), ["PC Birch"])

        XCTAssertEqual(try FieldTeam.alertsSent(to: "PC Ash", in: f.database).map(\.id), [matched])
        XCTAssertEqual(try FieldTeam.alert(matched, sentTo: "PC Ash", in: f.database).id, matched)
        for (id, officer) in [(unsure, "PC Ash"), (elsewhere, "PC Ash"), (matched, "PC Birch"), (UUID(), "PC Ash")] {
            XCTAssertThrowsError(try FieldTeam.alert(id, sentTo: officer, in: f.database)) {
                XCTAssertEqual(($0 as? FieldTeamRefusal)?.code, .notSentToYou)
            }
        }
        XCTAssertTrue(try f.auditActions().contains("alert.sent"))
    }

    func testAnAlertIsTheOfficersOnlyWhileItsDeploymentIsLive() throws {
        let f = try RecordFixture(self)
        let store = try team(f)
        let id = try alert("dep-1", f, store)
        try store.adjudicate(id, .review(.match, note: nil), by: "Op Cole", at: t0 + 310)
        try DeploymentStore.end("dep-1", by: "Sgt Dale", in: f.database, at: t0 + 500)
        XCTAssertEqual(try FieldTeam.alertsSent(to: "PC Ash", in: f.database), [])
        XCTAssertThrowsError(try FieldTeam.alert(id, sentTo: "PC Ash", in: f.database)) {
            XCTAssertEqual(($0 as? FieldTeamRefusal)?.code, .notSentToYou)
        }
        XCTAssertThrowsError(
            try FieldTeam.assign("PC Birch", to: "dep-1", by: "Sgt Dale", in: f.database, at: t0 + 600)
        ) {
            XCTAssertEqual(($0 as? FieldTeamRefusal)?.code, .deploymentOver)
        }
    }

    func testAReleasedOfficerGetsNoLaterMatch_andOnlyEnabledFieldOfficersJoin() throws {
        let f = try RecordFixture(self)
        let store = try team(f)
        XCTAssertEqual(try FieldTeam.officersNotOn("dep-1", in: f.database), ["PC Birch"], "not operators, not members")
        try FieldTeam.release("PC Ash", from: "dep-1", by: "Sgt Dale", in: f.database, at: t0 + 200)
        XCTAssertEqual(try FieldTeam.members(of: "dep-1", in: f.database), [])
        XCTAssertEqual(try FieldTeam.officersNotOn("dep-1", in: f.database), ["PC Ash", "PC Birch"])
        let id = try alert("dep-1", f, store)
        XCTAssertEqual(try store.adjudicate(id, .review(.match, note: nil), by: "Op Cole", at: t0 + 310), [])

        for (name, code) in [
            ("Op Cole", FieldTeamRefusalCode.notAFieldOfficer), ("nobody", .noSuchUser), ("PC Birch", .alreadyOnTeam),
        ] {
            XCTAssertThrowsError(try FieldTeam.assign(name, to: "dep-2", by: "Sgt Dale", in: f.database, at: t0)) {
                XCTAssertEqual(($0 as? FieldTeamRefusal)?.code, code, name)
            }
        }
        XCTAssertThrowsError(try FieldTeam.release("PC Ash", from: "dep-1", by: "Sgt Dale", in: f.database, at: t0)) {
            XCTAssertEqual(($0 as? FieldTeamRefusal)?.code, .notOnTeam)
        }
        XCTAssertThrowsError(try FieldTeam.assign("PC Ash", to: "dep-9", by: "Sgt Dale", in: f.database, at: t0)) {
            XCTAssertEqual(($0 as? FieldTeamRefusal)?.code, .noSuchDeployment)
        }
        try UserStore(database: f.database, bcryptCost: 4).disable("PC Birch", by: "admin", at: t0 + 210)
        XCTAssertEqual(
            try FieldTeam.officersNotOn("dep-1", in: f.database), ["PC Ash"], "a disabled officer is not offered")
    }
}
