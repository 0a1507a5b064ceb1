import Crypto
import FaceTemplates
import Foundation
import GRDB
import RecordTestSupport
import Refusals
import Shared
import TestSupport
import XCTest

@testable import CoordinatorRecord

/// Watchlists prepared in the control room: what an upload must hold, what the build records,
/// and that only the built bundle's own signatures, by keys the nodes trust, are taken.
final class WatchlistDraftStoreTests: XCTestCase {
    /// Headers of a 32x32 JPEG (an APP0 segment, then the frame) and PNG: what the upload reads before any decoder.
    private let jpeg: [UInt8] =
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 7, 7, 0xFF, 0xC0, 0x00, 0x11, 8, 0x00, 0x20, 0x00, 0x20, 3]
        + Array(repeating: 7, count: 64)
    private let png: [UInt8] = WatchlistDraftStoreTests.pngHeader(width: 32, height: 32)

    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
            + withUnsafeBytes(of: width.bigEndian, Array.init) + withUnsafeBytes(of: height.bigEndian, Array.init) + [
                8, 2, 0, 0, 0, 1, 2, 3, 4,
            ]
    }
    private let manifest = """
        subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18
        s-1,Alex <b>Doe</b>,wanted,warrant 123,custody photo,a.jpg,warrant,no
        s-2,Sam Roe,missing,vulnerable,family photo,b1.png;b2.jpg,safeguarding,no
        """

    private func upload(
        photos: [String: [UInt8]]? = nil, manifest: String? = nil, deployment: String = "dep-9",
        fusion: PhotoFusion = .separate
    ) -> WatchlistUpload {
        WatchlistUpload(
            binding: WatchlistBinding(
                deploymentID: deployment, watchlistID: "wl-9", version: 2, notBefore: nil,
                expiresAt: RecordFixture.t0 + 86_400, threshold: 0.9, photos: fusion),
            manifestName: "list.csv", manifestText: manifest ?? self.manifest,
            photos: photos ?? ["a.jpg": jpeg, "b1.png": png, "b2.jpg": jpeg + [9]])
    }

    private func built(_ f: RecordFixture, _ id: String) throws -> [UInt8] {
        _ = try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0)
        let bundle = try SignedBundle.decode(
            fileBytes: try f.signedBundle(deployment: "dep-9", subjects: ["s-1", "s-2"], signed: false),
            maxPayloadBytes: 1 << 30)
        try WatchlistDraftStore.recordBuild(
            id,
            WatchlistCompilation(
                bundleFile: bundle.fileBytes(),
                refusals: [.init(subjectID: "s-2", position: 0, reason: "no face found")],
                templates: 3, cohortFaces: 0, threshold: 0.9), by: "ian", in: f.database, at: RecordFixture.t0 + 5)
        return bundle.fileBytes()
    }

    func testUpload_refusesWhatIsMissingStrayOrNotAPhoto_andWritesNothing() throws {
        let f = try RecordFixture(self)
        let before = try f.auditCount
        // Each refused with its code: the description (which names the file, line and photo) is for people.
        let cases: [(WatchlistUpload, String)] = [
            (upload(photos: ["a.jpg": jpeg, "b1.png": png]), "watchlist.photoNotUploaded"),
            (
                upload(photos: ["a.jpg": jpeg, "b1.png": png, "b2.jpg": jpeg, "bystander.jpg": jpeg]),
                "watchlist.strayPhoto"
            ),
            (
                upload(photos: ["a.jpg": Array("<script>".utf8), "b1.png": png, "b2.jpg": jpeg]),
                "photo.unreadableHeader"
            ),
            (
                upload(photos: ["a.jpg": jpeg, "b1.png": Self.pngHeader(width: 20_000, height: 20_000), "b2.jpg": jpeg]
                ),
                "photo.tooManyPixels"
            ),
            (
                upload(photos: [
                    "a.jpg": Array("BM".utf8) + Array(repeating: 0, count: 12) + [
                        40, 0, 0, 0, 32, 0, 0, 0, 32, 0, 0, 0,
                    ], "b1.png": png, "b2.jpg": jpeg,
                ]),
                "watchlist.photoNotJPEGOrPNG"
            ),
            (
                upload(
                    manifest:
                        "subject_id,display_name,category,reason,image_source,image_paths,category\ns-1,A,wanted,w,custody,a.jpg,x\n"
                ),
                "csv.repeatedColumn"
            ),
            (
                upload(
                    photos: ["a.jpg": jpeg],
                    manifest:
                        "subject_id,display_name,category,reason,image_source,image_paths\ns-1,A,wanted,w,custody,../a.jpg\n"
                ),
                "manifest.photoPathNotAName"
            ),
            (upload(manifest: "subject_id,display_name\ns-1,x\n"), "manifest.missingColumns"),
            (upload(deployment: "dep 9; DROP TABLE deployment"), "watchlist.invalidDeploymentID"),
            (
                upload(
                    photos: ["a.jpg": jpeg],
                    manifest:
                        "subject_id,display_name,category,reason,image_source,image_paths,face_boxes\ns-1,A,wanted,w,custody,a.jpg,10 10 80\n"
                ),
                "manifest.invalidFaceBox"
            ),
        ]
        for (bad, expected) in cases {
            XCTAssertThrowsError(try WatchlistDraftStore.upload(bad, by: "ian", in: f.database, at: RecordFixture.t0)) {
                error in
                XCTAssertEqual((error as? any Refusal)?.qualifiedCode, expected, "\(error)")
            }
        }
        XCTAssertEqual(try WatchlistDraftStore.list(in: f.database).count, 0)
        XCTAssertEqual(try f.auditCount, before)
    }

    func testBuild_recordsEachRefusalBesideItsPhoto_andHandsOutTheBundleForSigning() throws {
        let f = try RecordFixture(self)
        let id = try WatchlistDraftStore.upload(upload(), by: "ian", in: f.database, at: RecordFixture.t0)
        XCTAssertEqual(
            try WatchlistDraftStore.load(id, in: f.database)?.enrolment, .severalTemplates, "s-2 has two photos")
        let input = try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0)
        XCTAssertEqual(input.subjects.map(\.subjectID), ["s-1", "s-2"])
        XCTAssertEqual(input.subjects[1].photos.map(\.name), ["b1.png", "b2.jpg"])
        XCTAssertEqual(input.subjects[1].photos[1].bytes, jpeg + [9], "the uploaded bytes, unchanged")
        XCTAssertThrowsError(
            try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0),
            "one build at a time")

        try WatchlistDraftStore.failInterruptedBuilds(in: f.database, at: RecordFixture.t0 + 1)
        XCTAssertEqual(try WatchlistDraftStore.load(id, in: f.database)?.state, .failed)
        let unsigned = try built(f, id)

        let draft = try XCTUnwrap(WatchlistDraftStore.load(id, in: f.database))
        XCTAssertEqual(draft.state, .built)
        let build = try XCTUnwrap(draft.build)
        XCTAssertEqual(build.at, RecordFixture.t0 + 5)
        XCTAssertEqual([build.subjects, build.templates, build.cohortFaces], [2, 3, 0])
        XCTAssertEqual(build.threshold, 0.9)
        XCTAssertEqual(draft.subjects[1].photos.map(\.refusal), ["no face found", nil])
        XCTAssertEqual(draft.subjects[0].displayName, "Alex <b>Doe</b>", "stored as given; the page escapes it")
        XCTAssertEqual(draft.refusedPhotos, 1)
        XCTAssertEqual(draft.enrolment, .onePhoto, "s-2's first photo was refused: the list enrolled one photo each")
        XCTAssertEqual(
            try WatchlistDraftStore.bundleForSigning(id, by: "ian", in: f.database, at: RecordFixture.t0 + 6), unsigned)
        XCTAssertEqual(
            Array(try f.auditActions().suffix(4)),
            ["watchlist.uploaded", "watchlist.build_failed", "watchlist.built", "watchlist.downloaded"])
    }

    func testAPhotoOfSeveralFaces_keepsWhereTheyWere_andTheFacePickedIsEnrolledOnTheNextBuild() throws {
        let f = try RecordFixture(self)
        let id = try WatchlistDraftStore.upload(upload(), by: "ian", in: f.database, at: RecordFixture.t0)
        _ = try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0)
        let faces = [FaceMark(x: 10, y: 20, width: 30, height: 40), FaceMark(x: 200, y: 25, width: 32, height: 41)]
        let bundle = try f.signedBundle(deployment: "dep-9", subjects: ["s-2"], signed: false)
        try WatchlistDraftStore.recordBuild(
            id,
            WatchlistCompilation(
                bundleFile: bundle,
                refusals: [.init(subjectID: "s-1", position: 0, reason: "2 faces found", facesFound: faces)],
                templates: 2, cohortFaces: 0, threshold: 0.9), by: "ian", in: f.database, at: RecordFixture.t0 + 5)
        XCTAssertEqual(try WatchlistDraftStore.load(id, in: f.database)?.subjects[0].photos[0].facesFound, faces)

        for (subject, position, face, code) in [
            ("s-1", 0, 2, WatchlistDraftRefusalCode.noSuchFace), ("s-1", 0, -1, .noSuchFace),
            ("s-1", 5, 0, .photoNotFound), ("s-9", 0, 0, .photoNotFound),
        ] {
            XCTAssertThrowsError(
                try WatchlistDraftStore.markFace(
                    id, subject: subject, position: position, face: face, by: "ian", in: f.database,
                    at: RecordFixture.t0 + 6)
            ) { XCTAssertEqual(($0 as? WatchlistDraftRefusal)?.code, code, "\(subject) \(position) \(face)") }
        }
        try WatchlistDraftStore.markFace(
            id, subject: "s-1", position: 0, face: 1, by: "ian", in: f.database, at: RecordFixture.t0 + 7)
        let draft = try XCTUnwrap(WatchlistDraftStore.load(id, in: f.database))
        XCTAssertEqual(draft.subjects[0].photos[0].mark, faces[1])
        XCTAssertEqual(draft.state, .uploaded, "the build without the face is set aside: nothing is signed without it")
        XCTAssertThrowsError(
            try WatchlistDraftStore.bundleForSigning(id, by: "ian", in: f.database, at: RecordFixture.t0 + 8))
        let input = try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0 + 9)
        XCTAssertEqual(input.subjects[0].photos[0].mark, faces[1], "the next build enrols the face picked")
        let log = try AuditLog.entries(in: f.database, actionPrefix: "watchlist.face_marked", limit: 10)
        XCTAssertEqual(log.count, 1)
        XCTAssertFalse("\(log[0].detail)".contains("s-1") || "\(log[0].detail)".contains("a.jpg"), "\(log[0].detail)")
    }

    /// The fusion chosen at upload is kept with the draft and sets which evaluation rows the list's figures come from.
    func testFusedPhotos_areKeptWithTheDraft_andMakeAFusedList() throws {
        let f = try RecordFixture(self)
        let id = try WatchlistDraftStore.upload(
            upload(fusion: .fused), by: "ian", in: f.database, at: RecordFixture.t0)
        let draft = try XCTUnwrap(WatchlistDraftStore.load(id, in: f.database))
        XCTAssertEqual(draft.binding.photos, .fused)
        XCTAssertEqual(draft.enrolment, .fused)
        XCTAssertEqual(
            try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0).binding.photos,
            .fused)
        XCTAssertEqual(
            ListEnrolment(photos: .fused, severalPhotos: false), .onePhoto, "one photo each: nothing to fuse")
    }

    func testSignatures_onlyValidOnesOverTheBuiltPayload_byTrustedKeys_areTaken() throws {
        let f = try RecordFixture(self)
        let id = try WatchlistDraftStore.upload(upload(), by: "ian", in: f.database, at: RecordFixture.t0)
        let unsigned = try SignedBundle.decode(fileBytes: try built(f, id), maxPayloadBytes: 1 << 30)
        let second = Curve25519.Signing.PrivateKey(), stranger = Curve25519.Signing.PrivateKey()
        let signers = WatchlistSigners(
            names: [
                Array(f.signer.publicKey.rawRepresentation): "Insp Reid",
                Array(second.publicKey.rawRepresentation): "DI Shah",
            ], required: 2)
        func add(_ bundle: SignedBundle, at offset: TimeInterval = 10) throws {
            try WatchlistDraftStore.addSignatures(
                id, fileBytes: bundle.fileBytes(), signers: signers, by: "ian", in: f.database,
                at: RecordFixture.t0 + offset)
        }

        var tampered = try unsigned.signed(with: f.signer)
        tampered.payload[tampered.payload.count - 1] ^= 1
        var other = unsigned
        other.payload = try SignedBundle.decode(
            fileBytes: try f.signedBundle(deployment: "dep-9", subjects: ["s-1"], signed: false),
            maxPayloadBytes: 1 << 30
        ).payload
        let refusals: [(SignedBundle, WatchlistDraftRefusal.Code)] = [
            (unsigned, .bundleUnsigned),
            (tampered, .signatureInvalid),
            (try unsigned.signed(with: stranger), .untrustedSigner),
            (try other.signed(with: f.signer), .bundleNotBuiltHere),
        ]
        for (bundle, expected) in refusals {
            XCTAssertThrowsError(try add(bundle)) {
                XCTAssertEqual(($0 as? WatchlistDraftRefusal)?.code, expected, "\($0)")
            }
        }
        XCTAssertThrowsError(
            try WatchlistDraftStore.addSignatures(
                id, fileBytes: Array("not a bundle".utf8), signers: signers, by: "ian",
                in: f.database, at: RecordFixture.t0)
        ) { XCTAssertEqual(($0 as? WatchlistDraftRefusal)?.code, .notABundle) }
        XCTAssertEqual(
            try WatchlistDraftStore.load(id, in: f.database)?.signatures.count, 0, "a refused upload records nothing")

        try add(try unsigned.signed(with: f.signer))
        XCTAssertFalse(signers.suffice(try XCTUnwrap(WatchlistDraftStore.load(id, in: f.database)).signatures))
        try add(try unsigned.signed(with: f.signer).signed(with: second), at: 20)
        let draft = try XCTUnwrap(WatchlistDraftStore.load(id, in: f.database))
        XCTAssertEqual(
            draft.signatures.map { signers.name(of: $0.publicKey) }, ["Insp Reid", "DI Shah"],
            "each key once, in the order they came")
        XCTAssertTrue(signers.suffice(draft.signatures))
        let merged = try SignedBundle.decode(
            fileBytes: try WatchlistDraftStore.signedBundle(id, in: f.database), maxPayloadBytes: 1 << 30)
        XCTAssertEqual(merged.payload, unsigned.payload)
        XCTAssertTrue(merged.signatures.allSatisfy(merged.isValid))
        XCTAssertThrowsError(
            try WatchlistDraftStore.beginBuild(id, by: "ian", in: f.database, at: RecordFixture.t0),
            "signatures would no longer match")
    }

    func testPlannedDeployment_takesTheSignedBundleAndReferencePhotos_andDestroyingTheBundleDestroysTheUpload() throws {
        let f = try RecordFixture(self)
        let id = try WatchlistDraftStore.upload(upload(), by: "ian", in: f.database, at: RecordFixture.t0)
        let unsigned = try SignedBundle.decode(fileBytes: try built(f, id), maxPayloadBytes: 1 << 30)
        try WatchlistDraftStore.addSignatures(
            id, fileBytes: try unsigned.signed(with: f.signer).fileBytes(), signers: WatchlistSigners(),
            by: "ian", in: f.database, at: RecordFixture.t0)
        let subjects = try WatchlistDraftStore.listedSubjects(id, in: f.database)
        XCTAssertEqual(subjects.map(\.subjectID), ["s-1", "s-2"])
        XCTAssertEqual(subjects[1].referencePhoto, jpeg + [9], "the first photo that was enrolled, not the refused one")
        XCTAssertEqual(subjects[1].legalBasis, "safeguarding")
        var plan = try f.plan("dep-9")
        plan.bundle = try WatchlistDraftStore.signedBundle(id, in: f.database)
        plan.subjects = subjects
        var unplaceable = plan
        unplaceable.nodes = ["node-nobody-enrolled"]
        let state = try WatchlistDraftStore.load(id, in: f.database)?.state
        XCTAssertThrowsError(
            try DeploymentStore.create(unplaceable, by: "ian", in: f.database, at: RecordFixture.t0, fromDraft: id))
        XCTAssertEqual(
            try WatchlistDraftStore.load(id, in: f.database)?.state, state, "a refused plan leaves the draft as it was")
        try DeploymentStore.create(plan, by: "ian", in: f.database, at: RecordFixture.t0, fromDraft: id)
        XCTAssertEqual(
            try WatchlistDraftStore.load(id, in: f.database)?.state, .planned, "planned in the deployment's transaction"
        )
        XCTAssertThrowsError(
            try WatchlistDraftStore.addSignatures(
                id, fileBytes: try unsigned.signed(with: Curve25519.Signing.PrivateKey()).fileBytes(),
                signers: WatchlistSigners(), by: "ian", in: f.database, at: RecordFixture.t0))

        try DeploymentStore.authorise("dep-9", officer: "amy", in: f.database, at: RecordFixture.t0 + 60)
        try DeploymentStore.start("dep-9", by: "sam", in: f.database, at: RecordFixture.t0 + 120)
        try DeploymentStore.end("dep-9", by: "sam", in: f.database, at: RecordFixture.t0 + 180)
        XCTAssertEqual(
            try DeploymentStore.destroyDueBundles(
                delay: 60, in: f.database, at: RecordFixture.t0 + 300, actor: "retention"), ["dep-9"])
        XCTAssertNil(try WatchlistDraftStore.load(id, in: f.database))
        XCTAssertEqual(
            try f.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM watchlist_draft_photo") }, 0)
    }

    func testDiscard_deletesThePhotos_fromEveryFileIncludingTheWAL_andIsAudited() throws {
        let f = try RecordFixture(self)
        let photo = jpeg + (0..<400).map { _ in UInt8.random(in: 0...255) }
        let id = try WatchlistDraftStore.upload(
            upload(photos: ["a.jpg": photo, "b1.png": png, "b2.jpg": jpeg + [9]]), by: "ian", in: f.database,
            at: RecordFixture.t0)
        XCTAssertFalse(try CropScan.filesHolding(photo, in: f.folder).isEmpty, "the upload is on disk")
        try WatchlistDraftStore.discard(id, by: "ian", in: f.database, at: RecordFixture.t0)
        XCTAssertEqual(
            try CropScan.filesHolding(photo, in: f.folder), [],
            "no page of the photo is left in the database or its WAL")
        XCTAssertNil(try WatchlistDraftStore.photo(draft: id, subject: "s-1", position: 0, in: f.database))
        XCTAssertEqual(
            try f.database.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM watchlist_draft_subject") }, 0)
        XCTAssertEqual(try f.auditActions().last, "watchlist.discarded")
    }

    func testRetention_destroysUploadsNeverPlanned_afterTheirDays_andKeepsPlannedOnes() throws {
        let f = try RecordFixture(self)
        let stale = try WatchlistDraftStore.upload(upload(), by: "ian", in: f.database, at: RecordFixture.t0)
        let planned = try WatchlistDraftStore.upload(upload(), by: "ian", in: f.database, at: RecordFixture.t0)
        try f.database.change { db, _ in try WatchlistDraftStore.markPlanned(planned, db) }
        var policy = RetentionPolicy()
        policy.watchlistDraftDays = 14
        XCTAssertEqual(
            try Retention.purge(policy, in: f.database, at: RecordFixture.t0 + 13 * 86_400, actor: "retention")
                .watchlistDraftsDestroyed, [])
        XCTAssertEqual(
            try Retention.purge(policy, in: f.database, at: RecordFixture.t0 + 15 * 86_400, actor: "retention")
                .watchlistDraftsDestroyed, [stale])
        XCTAssertNil(try WatchlistDraftStore.photo(draft: stale, subject: "s-1", position: 0, in: f.database))
        XCTAssertNotNil(
            try WatchlistDraftStore.load(planned, in: f.database), "a planned list goes with its deployment's bundle")
        XCTAssertEqual(try f.auditActions().last, "watchlist.discarded")
    }

    /// A draft state Watchpost never writes is a damaged row, not a build that quietly "failed";
    /// so is a face choice or photo fusion, rather than the default enrolment building another list.
    func testAStateOrChoiceNobodyWrote_isADamagedRow_notAFailedBuildOrTheDefault() throws {
        let f = try RecordFixture(self)
        let id = try WatchlistDraftStore.upload(upload(), by: "ian", in: f.database, at: RecordFixture.t0)
        let columns = [
            ("state", "exploded", "uploaded"), ("face_choice", "leftmost", "only"), ("photos", "blend", "separate"),
        ]
        for (column, word, written) in columns {
            try f.tamper("UPDATE watchlist_draft SET \(column) = '\(word)' WHERE id = '\(id)'")
            XCTAssertThrowsError(try WatchlistDraftStore.load(id, in: f.database)) {
                XCTAssertEqual(
                    ($0 as? DamagedRow).map { [$0.table, $0.column, $0.value] }, ["watchlist_draft", column, word],
                    "\($0)")
            }
            try f.tamper("UPDATE watchlist_draft SET \(column) = '\(written)' WHERE id = '\(id)'")
        }
        XCTAssertNotNil(try WatchlistDraftStore.load(id, in: f.database), "each damage undone, the draft loads")
    }

    /// A face choice or photo fusion a form or flag names must be one of the choices; the refusal lists them.
    func testAnUnknownChoice_isRefusedWithItsCodeAndTheChoices() throws {
        XCTAssertEqual(try WatchlistBinding.faceChoice(named: "central"), .central)
        XCTAssertEqual(try WatchlistBinding.photos(named: "fused"), .fused)
        XCTAssertThrowsError(try WatchlistBinding.faceChoice(named: "leftmost")) {
            let refusal = $0 as? WatchlistDraftRefusal
            XCTAssertEqual(refusal?.code, .unknownFaceChoice)
            XCTAssertEqual(refusal?.value, "leftmost")
            XCTAssertTrue("\($0)".contains("only, largest, central"), "\($0)")
        }
        XCTAssertThrowsError(try WatchlistBinding.photos(named: "blend")) {
            XCTAssertEqual(($0 as? WatchlistDraftRefusal)?.code, .unknownPhotosChoice)
            XCTAssertTrue("\($0)".contains("fused, separate"), "\($0)")
        }
    }
}
