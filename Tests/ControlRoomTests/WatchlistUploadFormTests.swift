import CoordinatorRecord
import Foundation
import Hummingbird
import HummingbirdTesting
import RecordTestSupport
import XCTest

@testable import ControlRoom

/// The upload form's choices: a word the form never offers is refused on the list page with the
/// choices, and nothing is stored (the record never holds a choice enrolment cannot read).
final class WatchlistUploadFormTests: XCTestCase {
    private static func body(csrf: String, face: String, photos: String) -> ByteBuffer {
        let fields = [
            ("csrf", csrf), ("deployment", "dep-9"), ("watchlist", "wl-9"), ("version", "2"),
            ("expires", "2030-01-01T00:00"), ("face", face), ("photos", photos),
        ]
        var text = fields.map { "--b\r\nContent-Disposition: form-data; name=\"\($0.0)\"\r\n\r\n\($0.1)\r\n" }.joined()
        text += "--b\r\nContent-Disposition: form-data; name=\"manifest\"; filename=\"list.csv\"\r\n\r\n"
        text += "subject_id,display_name,category,reason,image_source,image_paths\ns-1,A,wanted,w,custody,a.jpg\r\n"
        text +=
            "--b\r\nContent-Disposition: form-data; name=\"photos\"; filename=\"a.jpg\"\r\n\r\n\u{FF}\u{D8}\u{FF}\r\n"
        return ByteBuffer(string: text + "--b--\r\n")
    }

    func testAnUnknownFaceChoiceOrFusion_isRefusedWithTheChoices_andNothingIsStored() async throws {
        let fixture = try RecordFixture(self)
        let room = try await RouteAccessTests.ControlRoom(fixture)
        let session = try XCTUnwrap(room.sessions.byRole[.intelligence])
        let cases = [
            ("leftmost", "separate", "face choice &#39;leftmost&#39; must be one of only, largest, central"),
            ("only", "blend", "photos &#39;blend&#39; must be one of fused, separate"),
        ]
        try await Application(router: room.router).test(.router) { client in
            for (face, photos, message) in cases {
                let response = try await client.execute(
                    uri: "/watchlists", method: .post,
                    headers: [
                        .cookie: "\(SessionMiddleware.cookieName)=\(session.token)",
                        .contentType: "multipart/form-data; boundary=b",
                    ],
                    body: Self.body(csrf: session.csrf, face: face, photos: photos))
                XCTAssertEqual(response.status, .badRequest, face + " " + photos)
                XCTAssertTrue(String(buffer: response.body).contains(message), String(buffer: response.body))
            }
        }
        XCTAssertEqual(try WatchlistDraftStore.list(in: fixture.database).count, 0)
    }
}
