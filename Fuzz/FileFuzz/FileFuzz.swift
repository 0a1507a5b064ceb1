import ControlRoom
import CoordinatorRecord
import Crypto
import FaceTemplates
import Foundation
import FuzzSupport
import ImageHeaders
import Shared

/// Feeds every parser that takes a user's file random and mutated inputs, and checks that none
/// crashes or hangs and that every refusal names the file it refuses:
///
///     swift run -c release FileFuzz [--target csv|manifest|cohort|face-boxes|config|image|checkpoint|multipart|all] [--count N] [--seed S]
///
/// Half the inputs are random bytes, half mutations of a valid file of the target's kind (bit
/// flips, truncation, insertion, splices with hostile pieces: quotes, NUL, BOM, invalid UTF-8,
/// repeated headers, `../` paths, huge numbers). CI runs each target for a fixed count.
@main
enum FileFuzz {
    struct Target {
        let name: String
        let samples: [[UInt8]]
        /// Parses one input; returns a refusal's text, or nil when the input was taken.
        let parse: ([UInt8]) -> String?
        /// What every refusal must mention.
        let mustName: String
    }

    static func main() {
        let args = CommandLine.arguments
        let count = args.firstIndex(of: "--count").flatMap { Int(args[$0 + 1]) } ?? 100_000
        let chosen = args.firstIndex(of: "--target").map { args[$0 + 1] } ?? "all"
        var rng = SplitMix64(seed: args.firstIndex(of: "--seed").flatMap { UInt64(args[$0 + 1]) } ?? 1)
        let scratch = NSTemporaryDirectory() + "file-fuzz-\(getpid())"
        let targets = makeTargets(scratch: scratch).filter { chosen == "all" || $0.name == chosen }
        guard !targets.isEmpty else {
            try? FileManager.default.removeItem(atPath: scratch)
            print("no target \(chosen)")
            exit(2)
        }
        var failed = false
        for target in targets {
            var taken = 0, refused = 0, unnamed = 0
            let start = ContinuousClock.now
            for i in 0..<count {
                let input =
                    i % 2 == 0
                    ? Mutator.randomBytes(&rng, maxLength: 300)
                    : Mutator.mutate(
                        target.samples[Int(rng.next() % UInt64(target.samples.count))], &rng,
                        hostile: Mutator.hostilePieces)
                if let refusal = target.parse(input) {
                    refused += 1
                    if !refusal.contains(target.mustName) {
                        unnamed += 1
                        if unnamed <= 3 {
                            print("  \(target.name): a refusal that does not name the file: \(refusal.prefix(200))")
                        }
                    }
                } else {
                    taken += 1
                }
            }
            let seconds = (ContinuousClock.now - start) / .seconds(1)
            print(
                "\(target.name) fuzz: \(count) inputs in \(String(format: "%.1f", seconds)) s, no crash, no hang: \(taken) taken, \(refused) refused, \(unnamed) refusals not naming the file"
            )
            if unnamed > 0 { failed = true }
        }
        try? FileManager.default.removeItem(atPath: scratch)
        if failed { exit(1) }
    }

    /// - Parameter scratch: a folder for the config target's file, removed at the end.
    static func makeTargets(scratch folder: String) -> [Target] {
        let manifest = Array(
            #"""
            subject_id,display_name,category,reason,image_source,image_paths,legal_basis,under_18,face_boxes
            s-1,"Doe, Alex",wanted,"warrant ""123""",custody photo,a.jpg;b.jpg,warrant,no,10 10 80 80;
            s-2,B,missing,risk,family photo,c.png,safeguarding,yes,

            """#.utf8)
        let cohort = Array("person,image_path,image_source\np1,x/1.jpg,lfw\np2,x/2.jpg,lfw\n".utf8)
        let boxes = Array("image_path,face_box\ns-1/a.jpg,10 20 30 40\ns-2/b.jpg,1.5 2.5 100 120\n".utf8)
        let config = Array(
            #"{"server": {"bind": "tcp://127.0.0.1:7700", "state_dir": "/var/lib/watchpost"}, "web": {"port": 8080, "bcrypt_cost": 12}, "audit": {"checkpoint_minutes": 5}}"#
                .utf8)
        let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
        let checkpoint = try! AuditCheckpoint.sign(
            entries: 12, headHash: [UInt8](repeating: 1, count: 32), at: Date(timeIntervalSince1970: 1_800_000_000),
            key: key)
        let png: [UInt8] =
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8) + [
                0, 0, 1, 0, 0, 0, 1, 0, 8, 2, 0, 0, 0,
            ]
        let jpeg: [UInt8] = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 1, 2, 0xFF, 0xC0, 0x00, 0x11, 8, 0x01, 0xE0, 0x02, 0x80, 3,
        ]
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let configPath = folder + "/fuzz-config.json"
        let multipart = Array(
            ("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"manifest\"; filename=\"../list.csv\"\r\nContent-Type: text/csv\r\n\r\n"
                + "subject_id,x\ns-1,2\r\n--XyZ--\r\n").utf8)
        return [
            Target(
                name: "csv", samples: [manifest, cohort, boxes],
                parse: { bytes in
                    do {
                        _ = try CSVTable(bytes: bytes, file: "fuzz.csv")
                        return nil
                    } catch { return "\(error)" }
                }, mustName: "fuzz.csv"),
            Target(
                name: "manifest", samples: [manifest],
                parse: { bytes in
                    do {
                        _ = try WatchlistManifest(
                            uploadedText: try CSVTable.utf8Text(bytes, file: "fuzz.csv"), name: "fuzz.csv")
                        return nil
                    } catch {
                        return "\(error)"
                    }
                }, mustName: "fuzz.csv"),
            Target(
                name: "cohort", samples: [cohort],
                parse: { bytes in
                    do {
                        let file = try ManifestFile(
                            text: try CSVTable.utf8Text(bytes, file: "fuzz.csv"), name: "fuzz.csv",
                            kind: "cohort manifest",
                            columns: ["person", "image_path", "image_source"], folder: "/data")
                        for row in file.rows { _ = try file.resolve(file.field("image_path", of: row), line: row.line) }
                        return nil
                    } catch { return "\(error)" }
                }, mustName: "fuzz.csv"),
            Target(
                name: "face-boxes", samples: [boxes],
                parse: { bytes in
                    do {
                        let table = try CSVTable(bytes: bytes, file: "fuzz.csv")
                        guard let column = table.header.firstIndex(of: "face_box") else {
                            return "fuzz.csv lacks face_box"
                        }
                        for row in table.rows where FaceMark(text: row.fields[column]) == nil {
                            return "fuzz.csv line \(row.line): not a face box"
                        }
                        return nil
                    } catch { return "\(error)" }
                }, mustName: "fuzz.csv"),
            Target(
                name: "config", samples: [config],
                parse: { bytes in
                    FileManager.default.createFile(atPath: configPath, contents: Data(bytes))
                    do {
                        let r = try ConfigReader(path: configPath)
                        _ = try r.endpoint("server", "bind")
                        _ = try r.string("server", "state_dir")
                        _ = try r.integer("web", "port", in: 1...65535)
                        _ = try r.integer("web", "bcrypt_cost", in: 4...16)
                        _ = try r.integer("audit", "checkpoint_minutes", in: 1...1440)
                        try r.rejectUnknownKeys()
                        return nil
                    } catch { return "\(error)" }
                }, mustName: configPath),
            Target(
                name: "image", samples: [png, jpeg],
                parse: { bytes in
                    do {
                        _ = try ImageHeader(bytes, name: "fuzz.jpg")
                        return nil
                    } catch { return "\(error)" }
                }, mustName: "fuzz.jpg"),
            Target(
                name: "multipart", samples: [multipart],
                parse: { bytes in
                    do {
                        let form = try MultipartForm(bytes: bytes, contentType: "multipart/form-data; boundary=XyZ")
                        // A file's name never keeps a folder.
                        return form.parts.contains { ($0.fileName ?? "").contains("/") }
                            ? "upload: a file name kept its folder" : nil
                    } catch { return "upload: \(error)" }
                }, mustName: "upload"),
            Target(
                name: "checkpoint", samples: [try! checkpoint.fileBytes()],
                parse: { bytes in
                    do {
                        let read = try AuditCheckpoint.decode(bytes, name: "fuzz.json")
                        return read.isSignatureValid || read != checkpoint ? nil : "fuzz.json: unchanged but invalid"
                    } catch { return "\(error)" }
                }, mustName: "fuzz.json"),
        ]
    }
}
