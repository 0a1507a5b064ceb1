import FaceEngine
import FaceTemplates
import Foundation
import Shared
import TestSupport
import VisionTestSupport
import XCTest

@testable import Enrolment

/// The library behind `watchlist build` (and the web UI's), on the public test photos.
final class WatchlistBuilderTests: XCTestCase {
    /// When the tests' bundles are issued: before every expiry they name.
    private static let issued = Date(timeIntervalSince1970: 1_800_000_000)

    private func subject(_ line: Int, _ id: String, _ images: [String]) -> WatchlistBuilder.Subject {
        WatchlistBuilder.Subject(line: line, id: id, photos: images.map(WatchlistBuilder.Photo.file))
    }

    /// Two photos of one person: by default one template each; with `photos = .fused` one
    /// template, the mean of the two photos' embeddings.
    func testSeveralPhotos_areOneTemplateEach_orFusedIntoOne() throws {
        let enroller = try Fixtures.models.makeEnroller()
        let photos = [try Fixtures.photo("obama.jpg"), try Fixtures.photo("obama2.jpg")]
        let faces = try photos.map { try enroller.enrol(imageAt: $0).get() }
        let binding = WatchlistBuilder.Binding(
            deploymentID: "d", watchlistID: "w", version: 1, notBefore: nil,
            expiresAt: Date(timeIntervalSince1970: 1_900_000_000), threshold: 0.8)
        var builder = WatchlistBuilder(enroller: enroller)
        let separate = try XCTUnwrap(
            builder.build(subjects: [subject(2, "s-1", photos)], cohort: [], binding: binding, now: Self.issued).bundle)
        XCTAssertEqual(separate.entries[0].templates, faces.map(\.dlib))

        builder.photos = .fused
        let fused = try XCTUnwrap(
            builder.build(subjects: [subject(2, "s-1", photos)], cohort: [], binding: binding, now: Self.issued).bundle)
        XCTAssertEqual(fused.entries[0].templates.count, 1)
        XCTAssertEqual(fused.entries[0].templates[0], Embedding.mean(faces.map(\.dlib)))
        XCTAssertEqual(fused.entries[0].faceNetTemplates[0], FaceNetEmbedding.mean(faces.compactMap(\.faceNet)))
        XCTAssertNotEqual(fused.entries[0].templates[0], faces[0].dlib)
    }

    func testBuild_bindsTheBundle_andListsEveryRefusedPhotoWithItsOrigin() throws {
        let folder = try Fixtures.temporaryFolder(self)
        let notAPhoto = folder + "/notes.jpg"
        try "not an image".write(toFile: notAPhoto, atomically: true, encoding: .utf8)
        let builder = WatchlistBuilder(enroller: try Fixtures.models.makeEnroller())
        let expires = Date(timeIntervalSince1970: 1_900_000_000)
        let outcome = builder.build(
            subjects: [
                subject(2, "s-1", [try Fixtures.photo("obama.jpg"), notAPhoto]), subject(3, "s-2", [notAPhoto]),
            ],
            cohort: [
                WatchlistBuilder.CohortPerson(line: 2, photos: [try Fixtures.photo("biden.jpg")]),
                WatchlistBuilder.CohortPerson(line: 3, photos: [notAPhoto]),
            ],
            binding: .init(
                deploymentID: "dep-7", watchlistID: "wl-1", version: 4, notBefore: nil, expiresAt: expires,
                threshold: 0.7),
            now: Date(timeIntervalSince1970: 1_800_000_000.6))
        let bundle = try XCTUnwrap(outcome.bundle)
        XCTAssertEqual(bundle.entries.map(\.subject), ["s-1"], "s-2 had no usable photo")
        XCTAssertEqual(bundle.cohort.count, 1)
        XCTAssertEqual(bundle.deploymentID, "dep-7")
        XCTAssertEqual(bundle.version, 4)
        XCTAssertEqual(bundle.threshold, 0.7)
        XCTAssertEqual(
            bundle.issuedAt, Date(timeIntervalSince1970: 1_800_000_000), "whole seconds, as the payload stores them")
        XCTAssertEqual(bundle.notBefore, bundle.issuedAt)
        XCTAssertEqual(bundle.rule, .recommended)
        XCTAssertEqual(
            outcome.refusals.map(\.origin),
            [
                .subject(line: 2, id: "s-1"), .subject(line: 3, id: "s-2"),
                .subject(line: 3, id: "s-2"), .cohort(line: 3),
            ])
        XCTAssertEqual(outcome.refusals[2].description, "line 3, subject s-2: no usable photo, subject left out")
        XCTAssert(
            outcome.refusals[0].description.hasPrefix("line 2, subject s-1, \(notAPhoto): "),
            outcome.refusals[0].description)
    }

    func testNoSubjectEnrolled_givesNoBundle() throws {
        let folder = try Fixtures.temporaryFolder(self)
        try "x".write(toFile: folder + "/a.jpg", atomically: true, encoding: .utf8)
        let outcome = WatchlistBuilder(enroller: try Fixtures.models.makeEnroller()).build(
            subjects: [subject(2, "s-1", [folder + "/a.jpg"])], cohort: [],
            binding: .init(
                deploymentID: "d", watchlistID: "w", version: 1, notBefore: nil, expiresAt: Self.issued + 3600,
                threshold: 0.7), now: Self.issued)
        XCTAssertNil(outcome.bundle)
        XCTAssertEqual(outcome.refusals.count, 2)
    }

    func testUploadedPhotos_areEnrolledFromTheirBytes_asFromTheirFiles() throws {
        let builder = WatchlistBuilder(enroller: try Fixtures.models.makeEnroller())
        let obama = try Fixtures.photo("obama.jpg")
        let bytes = Array(try XCTUnwrap(FileManager.default.contents(atPath: obama)))
        let binding = WatchlistBuilder.Binding(
            deploymentID: "d", watchlistID: "w", version: 1, notBefore: nil, expiresAt: Self.issued + 3600,
            threshold: 0.7)
        let fromBytes = builder.build(
            subjects: [
                WatchlistBuilder.Subject(
                    line: 2, id: "s-1",
                    photos: [
                        .uploaded(name: "obama.jpg", bytes: bytes),
                        .uploaded(name: "scan.jpg", bytes: [0xFF, 0xD8, 0xFF, 0, 1, 2]),
                    ])
            ], cohort: [], binding: binding, now: Self.issued)
        let fromFile = builder.build(
            subjects: [subject(2, "s-1", [obama])], cohort: [], binding: binding, now: Self.issued)
        XCTAssertEqual(try XCTUnwrap(fromBytes.bundle).entries, try XCTUnwrap(fromFile.bundle).entries)
        XCTAssertEqual(fromBytes.refusals.map(\.image), ["scan.jpg"])
        XCTAssert(fromBytes.refusals[0].reason.hasPrefix("cannot be decoded as an image"), fromBytes.refusals[0].reason)
    }

    /// With `cohortCentroids`, the bundle's cohort is centroids of at least that many people,
    /// each far from every face it averages.
    func testCentroidCohort_carriesCentroidsOfPeople_notTheirFaces() throws {
        let cohort = try Fixtures.lfwSinglePhotoPeople(12).enumerated().map {
            WatchlistBuilder.CohortPerson(line: $0.offset + 2, photos: [$0.element.photo])
        }
        var builder = WatchlistBuilder(enroller: try Fixtures.models.makeEnroller(), choice: .central)
        let binding = WatchlistBuilder.Binding(
            deploymentID: "d", watchlistID: "w", version: 1, notBefore: nil,
            expiresAt: Date(timeIntervalSince1970: 1_900_000_000), threshold: 0.88)
        let subjects = [subject(2, "s-1", [try Fixtures.photo("obama.jpg")])]
        let faces = try XCTUnwrap(
            builder.build(subjects: subjects, cohort: cohort, binding: binding, now: Self.issued).bundle)
        builder.cohortCentroids = 5
        let outcome = builder.build(subjects: subjects, cohort: cohort, binding: binding, now: Self.issued)
        XCTAssertEqual(outcome.refusals, [])
        let centroids = try XCTUnwrap(outcome.bundle)
        XCTAssertEqual(faces.cohort.count, 12)
        XCTAssertEqual(centroids.cohort.count, 2)
        for centroid in centroids.cohort {
            XCTAssertGreaterThan(faces.cohort.map { centroid.dlib.distance(to: $0.dlib) }.min()!, 0.2)
        }
    }

    func testTooFewPeopleForOneCentroid_givesNoBundle_andSaysWhy() throws {
        var builder = WatchlistBuilder(enroller: try Fixtures.models.makeEnroller())
        builder.cohortCentroids = 5
        let binding = WatchlistBuilder.Binding(
            deploymentID: "d", watchlistID: "w", version: 1, notBefore: nil,
            expiresAt: Date(timeIntervalSince1970: 1_900_000_000), threshold: 0.88)
        let outcome = builder.build(
            subjects: [subject(2, "s-1", [try Fixtures.photo("obama.jpg")])],
            cohort: [
                .init(line: 2, photos: [try Fixtures.photo("biden.jpg")]),
                .init(line: 3, photos: [try Fixtures.photo("obama2.jpg")]),
            ], binding: binding, now: Self.issued)
        XCTAssertNil(outcome.bundle)
        XCTAssertEqual(
            outcome.refusals.map(\.description),
            [
                "cohort: the faces of 2 people are fewer than one centroid averages (5); add people, or build without centroids"
            ])
    }
}
