import Crypto
import FaceTemplates
import Foundation
import Shared

/// Checks promise 1 the way an auditor would: after a run, reads this process's own writable
/// memory (`/proc/self/mem` over the mappings of `/proc/self/maps`) and counts how many of the
/// face embeddings the run computed are still there, anywhere: live, or in freed heap memory.
///
/// While the run goes, it notes a fingerprint of every vector the pipeline computes for a face
/// (each frame's embeddings, track means, second looks): its first two floats XOR a random mask
/// (to find candidates fast; the raw values never appear in the audit's own memory) and a SHA-256
/// of its first 16 floats (to confirm one). Neither is enough to rebuild a face's embedding.
/// The watchlist's templates are noted too and must be found while the matcher holds them: that
/// is the scan's own check that it can see what is there.
///
/// Enabled by `edge-node run --audit-memory`; costs a few seconds at the end of a run.
final class MemoryAudit {
    /// What the scan found.
    struct Findings: Codable, Equatable {
        var nonMatchVectors = 0
        var nonMatchSurviving = 0
        var matchVectors = 0
        var matchSurviving = 0
        var watchlistTemplates = 0
        var watchlistTemplatesFound = 0
        var bytesScanned = 0

        enum CodingKeys: String, CodingKey {
            case nonMatchVectors = "non_match_vectors", nonMatchSurviving = "non_match_surviving"
            case matchVectors = "match_vectors", matchSurviving = "match_surviving"
            case watchlistTemplates = "watchlist_templates", watchlistTemplatesFound = "watchlist_templates_found"
            case bytesScanned = "bytes_scanned"
        }
    }

    private struct Fingerprint: Hashable {
        let digest: [UInt8]
    }

    private enum Kind { case track(Int), template }

    private let mask = UInt64.random(in: .min ... .max)
    /// Masked first eight bytes -> fingerprints starting with them.
    private var candidates: [UInt64: [Fingerprint]] = [:]
    private var kinds: [Fingerprint: Kind] = [:]
    private var alertedTracks = Set<Int>()
    /// Vectors shorter than this are not face embeddings.
    private let confirmFloats = 16

    /// Notes a vector computed for a face of `track`.
    func note(_ vector: ErasingVector, track: Int) { note(vector, kind: .track(track)) }

    /// Notes a watchlist template (which must be found while the matcher holds it).
    func noteTemplate(_ vector: ErasingVector) { note(vector, kind: .template) }

    /// Marks a track as matched (its vectors are match data, kept in the alert, not non-match data).
    func trackAlerted(_ track: Int) { alertedTracks.insert(track) }

    private func note(_ vector: ErasingVector, kind: Kind) {
        vector.withUnsafeBufferPointer { v in
            guard v.count >= confirmFloats else { return }
            let raw = UnsafeRawBufferPointer(start: v.baseAddress, count: confirmFloats * 4)
            let fingerprint = Fingerprint(digest: Array(SHA256.hash(data: raw)))
            guard kinds[fingerprint] == nil else { return }
            kinds[fingerprint] = kind
            candidates[raw.loadUnaligned(as: UInt64.self) ^ mask, default: []].append(fingerprint)
        }
    }

    /// Scans every readable, writable mapping of this process and counts what survives.
    func scan() throws -> Findings {
        var found = Set<Fingerprint>()
        let chunkSize = 4 << 20
        // The scan's own buffer is mapped apart and skipped, and erased after each chunk, so that
        // what it copies is never counted (nor left behind).
        guard let chunk = mmap(nil, chunkSize + 64, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            chunk != MAP_FAILED
        else { throw CommandFailure("memory audit: cannot map a scan buffer") }
        defer {
            explicit_bzero(chunk, chunkSize + 64)
            munmap(chunk, chunkSize + 64)
        }
        let own = UInt(bitPattern: chunk)..<(UInt(bitPattern: chunk) + UInt(chunkSize + 64))
        let fd = open("/proc/self/mem", O_RDONLY)
        guard fd >= 0 else {
            throw CommandFailure("memory audit: cannot open /proc/self/mem: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let overlap = confirmFloats * 4
        var scanned = 0
        for region in try Self.writableRegions() where !region.overlaps(own) {
            var start = region.lowerBound
            while start < region.upperBound {
                let length = Int(min(UInt(chunkSize), region.upperBound - start))
                let n = pread(fd, chunk, length, off_t(Int64(bitPattern: UInt64(start))))
                guard n > 0 else { break }
                scanned += n
                let bytes = UnsafeRawBufferPointer(start: chunk, count: n)
                var offset = 0
                while offset + overlap <= n {
                    if let list = candidates[bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ mask] {
                        let digest = Fingerprint(
                            digest: Array(
                                SHA256.hash(data: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + overlap]))))
                        if list.contains(digest) { found.insert(digest) }
                    }
                    offset += 4
                }
                // Step back so that a vector spanning two chunks is seen whole.
                start += UInt(n > overlap ? n - overlap : n)
                explicit_bzero(chunk, n)
            }
        }
        var findings = Findings(bytesScanned: scanned)
        for (fingerprint, kind) in kinds {
            let survived = found.contains(fingerprint)
            switch kind {
            case .template:
                findings.watchlistTemplates += 1
                if survived { findings.watchlistTemplatesFound += 1 }
            case .track(let t) where alertedTracks.contains(t):
                findings.matchVectors += 1
                if survived { findings.matchSurviving += 1 }
            case .track:
                findings.nonMatchVectors += 1
                if survived { findings.nonMatchSurviving += 1 }
            }
        }
        return findings
    }

    /// Address ranges of this process's private, readable and writable mappings (heap, anonymous
    /// memory, stacks, library data): everywhere a copy of a vector could be.
    static func writableRegions() throws -> [Range<UInt>] {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else {
            throw CommandFailure("memory audit: cannot read /proc/self/maps")
        }
        return maps.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, fields[1].hasPrefix("rw"), !line.hasSuffix("[vvar]"), !line.hasSuffix("[vsyscall]")
            else { return nil }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            return bounds.count == 2 && bounds[0] < bounds[1] ? bounds[0]..<bounds[1] : nil
        }
    }
}
