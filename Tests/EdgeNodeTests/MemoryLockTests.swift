import Foundation
import XCTest

@testable import EdgeNode

final class MemoryLockTests: XCTestCase {
    func testLocked_whateverTheSwap() {
        XCTAssertEqual(MemoryLock.decide(lockError: nil, activeSwap: ["/swapfile"]), .locked)
        XCTAssertEqual(MemoryLock.decide(lockError: nil, activeSwap: []), .locked)
    }

    func testUnlocked_withSwapOn_isRefused_withWhatToChange() {
        guard case .refuse(let why) = MemoryLock.decide(lockError: EPERM, activeSwap: ["/dev/sda2"]) else {
            return XCTFail("a node with swap on and unlocked memory must not run")
        }
        XCTAssert(why.contains("/dev/sda2") && why.contains("LimitMEMLOCK=infinity") && why.contains("swapoff"), why)
    }

    func testUnlocked_withoutSwap_runsWithAWarning() {
        guard case .unlockedWithoutSwap(let why) = MemoryLock.decide(lockError: ENOMEM, activeSwap: []) else {
            return XCTFail("without swap the node may run")
        }
        XCTAssert(why.contains("LimitMEMLOCK"), why)
    }

    func testActiveSwap_readsProcSwaps() {
        let text = """
            Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority
            /swapfile                               file\t\t1048572\t\t0\t\t-2
            /dev/sdb1                               partition\t2097148\t\t0\t\t-3

            """
        XCTAssertEqual(MemoryLock.activeSwap(procSwaps: text), ["/swapfile", "/dev/sdb1"])
        XCTAssertEqual(MemoryLock.activeSwap(procSwaps: "Filename Type Size Used Priority\n"), [])
    }
}
