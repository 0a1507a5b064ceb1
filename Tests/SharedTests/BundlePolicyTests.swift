import Crypto
import FaceEngine
import FaceTemplates
import Foundation
import Shared
import XCTest

/// Every refusal reason of the bundle policy, numbered, without I/O.
final class BundlePolicyTests: XCTestCase {
    private let officer = Curve25519.Signing.PrivateKey()
    private let authoriser = Curve25519.Signing.PrivateKey()
    private let third = Curve25519.Signing.PrivateKey()
    private let stranger = Curve25519.Signing.PrivateKey()
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private var policy: BundlePolicy {
        BundlePolicy(
            trustedSigners: Set([officer, authoriser, third].map { Array($0.publicKey.rawRepresentation) }),
            requiredSignatures: 2, deploymentID: "dep-1", embeddingModel: "dlib_face_recognition_resnet_model_v1")
    }

    private func bundle(
        deployment: String = "dep-1", model: String = "dlib_face_recognition_resnet_model_v1",
        version: UInt64 = 5, notBefore: TimeInterval = -3600, expires: TimeInterval = 3600
    ) -> WatchlistBundle {
        WatchlistBundle(
            deploymentID: deployment, watchlistID: "wl-7", version: version, issuedAt: now.addingTimeInterval(-7200),
            notBefore: now.addingTimeInterval(notBefore), expiresAt: now.addingTimeInterval(expires),
            embeddingModel: model, threshold: 0.47,  // template values a half float holds exactly
            entries: [
                WatchlistEntry(subject: "s-1", templates: [Embedding([Float](repeating: 0.0625, count: 128))]),
                WatchlistEntry(subject: "s-2", templates: [Embedding([Float](repeating: -0.0625, count: 128))]),
            ])
    }

    private func signed(_ b: WatchlistBundle, by keys: [Curve25519.Signing.PrivateKey]) throws -> [UInt8] {
        try keys.reduce(SignedBundle(payload: b.payloadBytes())) { try $0.signed(with: $1) }.fileBytes()
    }

    private func refusal(_ bytes: [UInt8], held: UInt64? = nil) -> BundleRefusal? {
        if case .failure(let r) = policy.verify(bytes, heldVersion: held, now: now) { return r }
        return nil
    }

    func test01_twoOfThreeTrustedSigners_accepted_andRoundTrips() throws {
        let result = policy.verify(try signed(bundle(), by: [officer, authoriser]), heldVersion: 4, now: now)
        XCTAssertEqual(try result.get(), bundle())
    }

    func test02_unsigned() throws { XCTAssertEqual(refusal(try signed(bundle(), by: [])), .unsigned) }

    func test03_tooFewSigners() throws {
        XCTAssertEqual(refusal(try signed(bundle(), by: [officer])), .tooFewSigners(valid: 1, required: 2))
        // The same key twice is one signer.
        var twice = SignedBundle(payload: bundle().payloadBytes())
        twice = try twice.signed(with: officer)
        twice.signatures.append(twice.signatures[0])
        XCTAssertEqual(refusal(twice.fileBytes()), .tooFewSigners(valid: 1, required: 2))
    }

    func test04_unknownSigner() throws {
        XCTAssertEqual(refusal(try signed(bundle(), by: [officer, stranger]))?.code, "unknown_signer")
    }

    func test05_badSignature_whenPayloadChangedAfterSigning() throws {
        var s = try SignedBundle.decode(
            fileBytes: try signed(bundle(), by: [officer, authoriser]), maxPayloadBytes: 1 << 20)
        s.payload = bundle(version: 99).payloadBytes()
        XCTAssertEqual(refusal(s.fileBytes())?.code, "bad_signature")
    }

    func test06_expired() throws {
        XCTAssertEqual(refusal(try signed(bundle(expires: -1), by: [officer, authoriser]))?.code, "expired")
    }
    func test07_notYetValid() throws {
        XCTAssertEqual(refusal(try signed(bundle(notBefore: 60), by: [officer, authoriser]))?.code, "not_yet_valid")
    }

    func test08_wrongDeployment() throws {
        XCTAssertEqual(
            refusal(try signed(bundle(deployment: "dep-2"), by: [officer, authoriser])), .wrongDeployment("dep-2"))
    }

    func test09_wrongModel() throws {
        XCTAssertEqual(
            refusal(try signed(bundle(model: "facenet"), by: [officer, authoriser])), .wrongModel("facenet"))
    }

    func test10_rollback_sameOrOlderVersion() throws {
        let bytes = try signed(bundle(version: 5), by: [officer, authoriser])
        XCTAssertEqual(refusal(bytes, held: 5), .rollback(offered: 5, held: 5))
        XCTAssertEqual(refusal(bytes, held: 9), .rollback(offered: 5, held: 9))
        XCTAssertNil(refusal(bytes, held: 4))
    }

    func test11_malformed_andOversized() throws {
        XCTAssertEqual(refusal(Array("not a bundle".utf8))?.code, "malformed")
        let good = try signed(bundle(), by: [officer, authoriser])
        XCTAssertEqual(refusal(Array(good.dropLast()))?.code, "malformed")
        XCTAssertEqual(refusal(good + [0])?.code, "malformed")
        var small = WatchlistBundle.Limits()
        small.maxPayloadBytes = 100
        let tight = BundlePolicy(
            trustedSigners: policy.trustedSigners, requiredSignatures: 2, deploymentID: "dep-1",
            embeddingModel: "dlib_face_recognition_resnet_model_v1", limits: small)
        guard case .failure(let r) = tight.verify(good, heldVersion: nil, now: now) else {
            return XCTFail("oversized accepted")
        }
        XCTAssertEqual(r.code, "malformed")
    }

    /// Flipping any single byte of a signed bundle gets it refused.
    func test12_tamperedByteAnywhere_isRefused() throws {
        let good = try signed(bundle(), by: [officer, authoriser])
        for i in good.indices {
            var bad = good
            bad[i] ^= 0x01
            XCTAssertNotNil(refusal(bad), "byte \(i) of \(good.count) flipped and still accepted")
        }
    }
}

/// The payload format of fused bundles: FaceNet templates beside the dlib ones, the rule and a cohort.
final class FusedBundleFormatTests: XCTestCase {
    private func fused(cohort: Int = 2) -> WatchlistBundle {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let entries = (0..<2).map { i in
            WatchlistEntry(
                subject: "s-\(i)", templates: [Embedding([Float](repeating: Float(i) / 8, count: 128))],
                faceNetTemplates: [FaceNetEmbedding([Float](repeating: Float(i) / 32, count: 512))])
        }
        let faces = (0..<cohort).map { i in
            FaceFeatures(
                dlib: Embedding([Float](repeating: 0.25 + Float(i) / 8, count: 128)),
                faceNet: FaceNetEmbedding([Float](repeating: 1.0 / 64, count: 512)))
        }
        return WatchlistBundle(
            deploymentID: "d", watchlistID: "w", version: 3, issuedAt: now, notBefore: now,
            expiresAt: now.addingTimeInterval(60),
            embeddingModel: MatchingRule.recommended.embeddingModel, threshold: 0.88,
            rule: .fusedCohort(FusionSettings(dlibWeight: 0.6, dlibScale: 0.5, cohortSize: 7, priorDistance: 1.2)),
            entries: entries, cohort: faces)
    }

    private func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// The payload of a one-subject distance-rule bundle, by hand from the canonical form, after
    /// the format version byte; `template` is one template value (0.5) as the format stores it,
    /// `enrolment` the enrolment and people-per-cohort-template fields (format 5 on).
    private func distancePayloadBody(template: String, enrolment: String = "  00  01000000") -> String {
        "01000000 64  01000000 77  0300000000000000"
            + "  00d2496b00000000 00d2496b00000000 3cd2496b00000000  01000000 6d  0000003f  00" + enrolment
            + "  01000000  01000000 73  01000000" + String(repeating: " " + template, count: 128)
            + "  00000000  00000000"
    }

    private var distanceBundle: WatchlistBundle {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        return WatchlistBundle(
            deploymentID: "d", watchlistID: "w", version: 3, issuedAt: now, notBefore: now,
            expiresAt: now.addingTimeInterval(60), embeddingModel: "m", threshold: 0.5,
            entries: [WatchlistEntry(subject: "s", templates: [Embedding([Float](repeating: 0.5, count: 128))])])
    }

    /// Known answer for the signed payload (format 5: dlib templates as half floats, 0.5 is
    /// 0x3800; one photo per subject, 1 person per cohort template): signers sign these bytes, so
    /// any change of the encoding must be a new payload version.
    func testPayload_knownAnswer_distanceRule() throws {
        let bytes = hex("5750574c 05  " + distancePayloadBody(template: "0038"))
        XCTAssertEqual(distanceBundle.payloadBytes(), bytes)
        XCTAssertEqual(try WatchlistBundle.decode(payload: bytes), distanceBundle)
    }

    /// Bundles signed before templates went to 16 bits (formats 2 and 3: dlib templates as
    /// 32-bit floats, 0.5 is 0x3f000000), or before they said how they were enrolled (2 to 4),
    /// are still read, as their counts tell.
    func testFormat2To4Payloads_areStillRead() throws {
        for (format, template) in [("02", "0000003f"), ("03", "0000003f"), ("04", "0038")] {
            let decoded = try WatchlistBundle.decode(
                payload: hex("5750574c \(format)  " + distancePayloadBody(template: template, enrolment: "")))
            XCTAssertEqual(decoded, distanceBundle, "format \(format)")
            XCTAssertEqual(decoded.enrolment, .onePhoto)
        }
    }

    /// A fused list and a centroid cohort say so in the payload, where their counts alone would
    /// read as one photo per subject and a cohort of faces.
    func testEnrolmentAndCentroidSize_roundTrip() throws {
        var bundle = fused(cohort: 2)
        bundle.enrolment = .fused
        bundle.peoplePerCohortTemplate = 7
        let decoded = try WatchlistBundle.decode(payload: bundle.payloadBytes())
        XCTAssertEqual(decoded.enrolment, .fused)
        XCTAssertEqual(decoded.peoplePerCohortTemplate, 7)
        XCTAssertEqual(decoded, bundle)
        bundle.entries[0].templates.append(bundle.entries[0].templates[0])
        bundle.entries[0].faceNetTemplates.append(bundle.entries[0].faceNetTemplates[0])
        XCTAssertEqual(
            WatchlistBundle(
                deploymentID: "d", watchlistID: "w", version: 1, issuedAt: Date(), notBefore: Date(), expiresAt: Date(),
                embeddingModel: "m", threshold: 0.5, entries: bundle.entries
            ).enrolment,
            .severalTemplates, "without an enrolment given, a subject's second template says several templates")
    }

    /// A payload whose enrolment or cohort field contradicts its templates, or is unknown, is refused.
    func testEnrolmentThatContradictsTheTemplates_isRefused() throws {
        func refusal(_ change: (inout WatchlistBundle) -> Void) -> String {
            var bundle = fused(cohort: 2)
            change(&bundle)
            do {
                _ = try WatchlistBundle.decode(payload: bundle.payloadBytes())
                return "accepted"
            } catch { return "\(error)" }
        }
        XCTAssert(refusal { $0.enrolment = .severalTemplates }.contains("every subject has one template"))
        XCTAssert(
            refusal {
                $0.entries[0].templates.append($0.entries[0].templates[0])
                $0.entries[0].faceNetTemplates.append($0.entries[0].faceNetTemplates[0])
                $0.enrolment = .fused
            }.contains("a subject has several templates"))
        XCTAssert(refusal { $0.peoplePerCohortTemplate = 3 }.contains("3 people per cohort template"))
        XCTAssert(refusal { $0.peoplePerCohortTemplate = 0 }.contains("0 people per cohort template"))
        XCTAssert(
            refusal {
                $0.cohort = []
                $0.peoplePerCohortTemplate = 5
            }.contains("5 people per cohort template for 0 templates"))
        var bytes = fused().payloadBytes()
        let enrolmentByte =
            4 + 1 + (4 + 1) * 2 + 8 + 8 * 3 + 4 + MatchingRule.recommended.embeddingModel.utf8.count + 4 + 1 + 16
        XCTAssertEqual(bytes[enrolmentByte], 0)
        bytes[enrolmentByte] = 9
        XCTAssertThrowsError(try WatchlistBundle.decode(payload: bytes)) {
            XCTAssert("\($0)".contains("enrolment 9 is not known"), "\($0)")
        }
    }

    /// Templates of both models and cohort faces as IEEE half floats: 0.5 is 0x3800, -0.25 is 0xb400.
    func testFusedPayload_storesTemplatesIn16Bits() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var facenet = [Float](repeating: 0, count: 512)
        facenet[0] = 0.5
        facenet[1] = -0.25
        var dlib = [Float](repeating: 0.5, count: 128)
        dlib[1] = -0.25
        let bundle = WatchlistBundle(
            deploymentID: "d", watchlistID: "w", version: 3, issuedAt: now, notBefore: now,
            expiresAt: now.addingTimeInterval(60), embeddingModel: "m", threshold: 0.5, rule: .recommended,
            entries: [
                WatchlistEntry(
                    subject: "s", templates: [Embedding(dlib)],
                    faceNetTemplates: [FaceNetEmbedding(facenet)])
            ],
            cohort: [FaceFeatures(dlib: Embedding(dlib), faceNet: FaceNetEmbedding(facenet))])
        let bytes = bundle.payloadBytes()
        let cohortFace = bytes.count - (128 + 512) * 2
        XCTAssertEqual(Array(bytes[cohortFace..<cohortFace + 4]), [0x00, 0x38, 0x00, 0xb4])
        XCTAssertEqual(Array(bytes[cohortFace + 256..<cohortFace + 262]), [0x00, 0x38, 0x00, 0xb4, 0x00, 0x00])
        let faceNetTemplate = cohortFace - 4 - 512 * 2  // before the cohort's count
        XCTAssertEqual(Array(bytes[faceNetTemplate..<faceNetTemplate + 6]), [0x00, 0x38, 0x00, 0xb4, 0x00, 0x00])
        XCTAssertEqual(try WatchlistBundle.decode(payload: bytes), bundle)
        // Header and subject as in the distance case, then the rule's 16 bytes, 512 x 2 FaceNet
        // template bytes and one cohort face of (128 + 512) x 2.
        XCTAssertEqual(bytes.count, distanceBundle.payloadBytes().count + 16 + 512 * 2 + (128 + 512) * 2)
    }

    /// Values that 16 bits cannot hold exactly come back rounded to the nearest half float, in both models.
    func testTemplateValues_roundToTheNearestHalfFloat() throws {
        var bundle = fused()
        var faceNet = bundle.entries[0].faceNetTemplates[0].values, dlib = bundle.entries[0].templates[0].values
        faceNet[0] = 0.1
        dlib[0] = -0.1
        bundle.entries[0].faceNetTemplates = [FaceNetEmbedding(faceNet)]
        bundle.entries[0].templates = [Embedding(dlib)]
        let decoded = try WatchlistBundle.decode(payload: bundle.payloadBytes())
        XCTAssertEqual(decoded.entries[0].faceNetTemplates[0].values[0], Float(Float16(0.1)))
        XCTAssertEqual(decoded.entries[0].templates[0].values[0], Float(Float16(-0.1)))
        XCTAssertNotEqual(Float(Float16(0.1)), 0.1)
        XCTAssertEqual(decoded.entries[0].templates[0].values[0], -0.1, accuracy: 0.0001)
    }

    func testFusedBundle_roundTrips_withRuleAndCohort() throws {
        let bundle = fused()
        let decoded = try WatchlistBundle.decode(payload: bundle.payloadBytes())
        XCTAssertEqual(decoded, bundle)
        let matcher = try Matcher(entries: decoded.entries, rule: decoded.rule, cohort: decoded.cohort)
        XCTAssertEqual(matcher.cohortCount, 2)
        XCTAssertTrue(matcher.wantsFaceNet)
    }

    func testInconsistentFusedPayloads_areRefused() throws {
        var missing = fused()
        missing.entries[1].faceNetTemplates = []
        XCTAssertThrowsError(try WatchlistBundle.decode(payload: missing.payloadBytes())) {
            XCTAssert("\($0)".contains("0 FaceNet templates for 1"), "\($0)")
        }

        var plainWithCohort = fused()
        plainWithCohort.rule = .distance
        plainWithCohort.entries = plainWithCohort.entries.map {
            WatchlistEntry(subject: $0.subject, templates: $0.templates)
        }
        XCTAssertThrowsError(try WatchlistBundle.decode(payload: plainWithCohort.payloadBytes())) {
            XCTAssert("\($0)".contains("cohort faces"), "\($0)")
        }

        var badWeight = fused()
        badWeight.rule = .fusedCohort(FusionSettings(dlibWeight: 3))
        XCTAssertThrowsError(try WatchlistBundle.decode(payload: badWeight.payloadBytes())) {
            XCTAssert("\($0)".contains("fusion settings"), "\($0)")
        }

        var limits = WatchlistBundle.Limits()
        limits.maxCohort = 1
        XCTAssertThrowsError(try WatchlistBundle.decode(payload: fused(cohort: 2).payloadBytes(), limits: limits))

        var unknownRule = fused().payloadBytes()
        // The rule byte follows magic, format, two strings, version, three times, the model string and the threshold.
        let ruleOffset =
            4 + 1 + (4 + 1) + (4 + 1) + 8 + 24 + (4 + MatchingRule.recommended.embeddingModel.utf8.count) + 4
        XCTAssertEqual(unknownRule[ruleOffset], 1)
        unknownRule[ruleOffset] = 9
        XCTAssertThrowsError(try WatchlistBundle.decode(payload: unknownRule)) {
            XCTAssert("\($0)".contains("matching rule 9"), "\($0)")
        }
    }
}
