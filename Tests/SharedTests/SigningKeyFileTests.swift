import Shared
import TestSupport
import XCTest
import ZeroMQTransport

final class SigningKeyFileTests: XCTestCase {
    func testCreatedKeys_roundTrip_withOwnerOnlyPrivateFile() throws {
        let path = try Fixtures.temporaryFolder(self) + "/signer.key"
        let key = try SigningKeyFile.create(at: path)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
        XCTAssertEqual(try SigningKeyFile.loadPrivate(path: path).rawRepresentation, key.rawRepresentation)
        XCTAssertEqual(try SigningKeyFile.loadPublic(pathOrText: path + ".pub"), Array(key.publicKey.rawRepresentation))
        XCTAssertEqual(
            try SigningKeyFile.loadPublic(pathOrText: SigningKeyFile.publicKeyText(key.publicKey)),
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
        XCTAssertThrowsError(try SigningKeyFile.loadPrivate(path: path + ".pub"))  // 0644 and a public key
    }
}

final class CurveKeyFileTests: XCTestCase {
    func testCurvePairs_roundTrip_andLoosePermissionsAreRefused() throws {
        let path = try Fixtures.temporaryFolder(self) + "/node.curve"
        let keys = try CurveKeyFile.create(at: path)
        XCTAssertEqual(try CurveKeyFile.load(path: path), keys)
        XCTAssertEqual(try CurveKeyFile.loadPublic(pathOrText: path + ".pub"), keys.publicKey)
        XCTAssertEqual(try CurveKeyFile.loadPublic(pathOrText: keys.publicKey), keys.publicKey)
        XCTAssertThrowsError(try CurveKeyFile.create(at: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o604], ofItemAtPath: path)
        XCTAssertThrowsError(try CurveKeyFile.load(path: path)) { error in
            XCTAssert("\(error)".contains("chmod 600"), "\(error)")
            XCTAssertFalse("\(error)".contains(keys.secretKey), "no secret in the message")
        }
        XCTAssertThrowsError(try CurveKeyFile.loadPublic(pathOrText: "not a key"))
    }
}
