import CoordinatorRecord
import Foundation
import RecordTestSupport
import XCTest

/// The report's stops by recorded group, counted here by hand from what the test recorded.
final class EqualityFiguresTests: XCTestCase {
    private let t0 = RecordFixture.t0

    private struct Stop {
        var review: ReviewDecision
        var outcome: FieldOutcome
        var sex: RecordedSex?
        var ethnicity: SelfDefinedEthnicity?
    }

    private func record(_ stops: [Stop], _ f: RecordFixture) throws {
        let store = AlertStore(database: f.database)
        for stop in stops {
            let alert = f.alert("dep-1")
            try store.store(alert, from: f.node1, receivedAt: t0 + 300)
            try store.adjudicate(alert.alertID, .review(stop.review, note: nil), by: "op", at: t0 + 310)
            let stopped = [.identityVerified, .notThePerson].contains(stop.outcome)
            try store.adjudicate(
                alert.alertID,
                .outcome(
                    stop.outcome, action: .advice, note: nil,
                    stop: stopped ? StopRecord(ethnicity: stop.ethnicity, sex: stop.sex, minutes: 5) : StopRecord()),
                by: "pc", at: t0 + 400)
        }
    }

    private func repeated(_ n: Int, _ stop: Stop) -> [Stop] { Array(repeating: stop, count: n) }

    /// Women: 5 Black (all not the person, 4 after an `unsure`), 5 White (4 not the person, 1 verified).
    /// Men: 15 Asian (1 not the person, 14 verified), 15 White (all verified). One man of an "other"
    /// group gave no sex. Not engaged and rejected alerts record no group.
    func testGroups_countStopsConfirmedVerifiedAndFalse_andFlagAShareOutsideItsInterval() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        try record(
            repeated(4, Stop(review: .unsure, outcome: .notThePerson, sex: .female, ethnicity: .african))
                + [Stop(review: .match, outcome: .notThePerson, sex: .female, ethnicity: .caribbean)]
                + repeated(4, Stop(review: .match, outcome: .notThePerson, sex: .female, ethnicity: .whiteBritish))
                + [Stop(review: .match, outcome: .identityVerified, sex: .female, ethnicity: .whiteIrish)]
                + [Stop(review: .match, outcome: .notThePerson, sex: .male, ethnicity: .indian)]
                + repeated(14, Stop(review: .match, outcome: .identityVerified, sex: .male, ethnicity: .pakistani))
                + repeated(15, Stop(review: .match, outcome: .identityVerified, sex: .male, ethnicity: .otherWhite))
                + [Stop(review: .match, outcome: .identityVerified, sex: nil, ethnicity: .arab)]
                + [Stop(review: .match, outcome: .notEngaged, sex: nil, ethnicity: nil)], f)

        let e = try TransparencyReport.make(deployment: "dep-1", in: f.database, at: t0 + 1000).equality

        let sex = Dictionary(uniqueKeysWithValues: e.bySex.map { ($0.group, $0) })
        XCTAssertEqual(Set(sex.keys), ["female", "male"], "a group nobody stated is left out")
        let women = try XCTUnwrap(sex["female"]), men = try XCTUnwrap(sex["male"])
        XCTAssertEqual([women.stops, women.operatorConfirmed, women.verified, women.falseAlerts], [10, 6, 1, 9])
        XCTAssertEqual([men.stops, men.operatorConfirmed, men.verified, men.falseAlerts], [30, 30, 29, 1])
        XCTAssertEqual(women.falseRate!, 0.9, accuracy: 1e-9)
        // Clopper-Pearson for 9 of 10 (tables: 0.5550 to 0.9975).
        XCTAssertEqual(women.falseRateInterval[0], 0.5550, accuracy: 1e-3)
        XCTAssertEqual(women.falseRateInterval[1], 0.9975, accuracy: 1e-3)
        XCTAssertEqual(women.shareOfStops, 0.25, accuracy: 1e-9)
        XCTAssertEqual(women.shareOfFalseAlerts!, 0.9, accuracy: 1e-9)
        XCTAssertTrue(women.flagged, "a quarter of the stops but nine tenths of the false alerts")
        XCTAssertTrue(men.flagged, "three quarters of the stops but one false alert in ten")
        XCTAssertEqual(e.stopsWithoutSex, 1)
        XCTAssertEqual(e.stopsWithoutEthnicity, 0, "the stop of nobody engaged is no stop")

        let ethnicity = Dictionary(uniqueKeysWithValues: e.byEthnicity.map { ($0.group, $0) })
        XCTAssertEqual(e.byEthnicity.map(\.group), ["Asian", "Black", "White", "Other"], "in the published order")
        XCTAssertEqual(
            ethnicity.mapValues { [$0.stops, $0.falseAlerts] },
            ["Asian": [15, 1], "Black": [5, 5], "White": [20, 4], "Other": [1, 0]])
        // Black: 5 of 41 stops (12%), half the false alerts (interval 19% to 81%).
        XCTAssertEqual(ethnicity.mapValues(\.flagged), ["Asian": false, "Black": true, "White": false, "Other": false])
        XCTAssertTrue(e.anyFlagged)
    }

    func testNoFalseAlerts_flagsNothing_andAReportWithoutStopsHasNoGroups() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        var e = try TransparencyReport.make(deployment: "dep-1", in: f.database, at: t0 + 1000).equality
        XCTAssertEqual(e.bySex, [])
        XCTAssertEqual(e.byEthnicity, [])
        try record(
            repeated(3, Stop(review: .match, outcome: .identityVerified, sex: .female, ethnicity: .chinese))
                + [Stop(review: .match, outcome: .identityVerified, sex: .male, ethnicity: .whiteBritish)], f)
        e = try TransparencyReport.make(deployment: "dep-1", in: f.database, at: t0 + 1000).equality
        XCTAssertEqual(e.bySex.map(\.stops), [3, 1])
        XCTAssertFalse(e.anyFlagged, "with no false alert there is no share to compare")
        XCTAssertNil(e.bySex[0].shareOfFalseAlerts)
    }

    func testTheReportShowsTheFlagInWords_andEscapesNothingItShouldNot() throws {
        let f = try RecordFixture(self)
        try f.liveDeployment("dep-1")
        try record(
            repeated(4, Stop(review: .match, outcome: .notThePerson, sex: .female, ethnicity: nil))
                + repeated(20, Stop(review: .match, outcome: .identityVerified, sex: .male, ethnicity: nil)), f)
        let report = try TransparencyReport.make(deployment: "dep-1", in: f.database, at: t0 + 1000)
        let html = try report.rendered(as: .html)
        XCTAssertTrue(html.contains("Equality: stops by recorded group"))
        XCTAssertTrue(html.contains("Flag: a group&#39;s share") || html.contains("Flag: a group's share"))
        XCTAssertTrue(html.contains("<td>outside</td>"), "the flag is in words, not only in colour")
        let json = try report.rendered(as: .json)
        XCTAssertTrue(json.contains("\"by_sex\""))
        XCTAssertTrue(json.contains("\"stops_without_ethnicity\" : 24"))
    }
}
