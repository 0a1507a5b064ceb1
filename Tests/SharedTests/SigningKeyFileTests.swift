import Shared
import TestSupport
import XCTest

final class SigningKeyFileTests: XCTestCase {
    func testCreatedKeys_roundTrip_withOwnerOnlyPrivateFile() throws {
        let path = try Fixtures.temporaryFolder(self) + "/signer.key"
        let key = try SigningKeyFile.create(at: path)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
        XCTAssertEqual(try SigningKeyFile.loadPrivate(path: path).rawRepresentation, key.rawRepresentation)
        XCTAssertEqual(try SigningKeyFile.loadPublic(pathOrText: path + ".pub"), Array(key.publicKey.rawRepresentation))
        XCTAssertEqual(try SigningKeyFile.loadPublic(pathOrText: SigningKeyFile.publicKeyText(key.publicKey)),
                       Array(key.publicKey.rawRepresentation))
        XCTAssertThrowsError(try SigningKeyFile.create(at: path)) { XCTAssert("\($0)".contains("already exists")) }
    }

    func testLoosePermissionsOrWrongContent_areRefused_withoutKeyMaterialInTheMessage() throws {
        let path = try Fixtures.temporaryFolder(self) + "/signer.key"
        let key = try SigningKeyFile.create(at: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        XCTAssertThrowsError(try SigningKeyFile.loadPrivate(path: path)) { error in
            XCTAssert("\(error)".contains("has permissions 640") && "\(error)".contains("chmod 600"), "\(error)")
            XCTAssertFalse("\(error)".contains(key.rawRepresentation.base64EncodedString()))
        }
        XCTAssertThrowsError(try SigningKeyFile.loadPublic(pathOrText: "not-a-key"))
        XCTAssertThrowsError(try SigningKeyFile.loadPrivate(path: path + ".pub")) // 0644 and a public key
    }
}
