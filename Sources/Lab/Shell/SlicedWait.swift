import Foundation

/// A blocking librdkafka call that takes a timeout (a metadata look-up), asked again in short
/// slices so that Ctrl-C is heard within one: a TLS handshake against a plaintext listener held
/// `consume` 10 s in one call that no cancellation could end.
enum SlicedWait {
    static let sliceMs: Int32 = 250

    /// Calls `ask(sliceMs)` until it answers true, `seconds` pass or `isCancelled()`. Whether it
    /// answered. A call that fails at once (no broker reachable) is not repeated in a spin.
    @discardableResult
    static func until(within seconds: Double, isCancelled: () -> Bool, _ ask: (Int32) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !isCancelled() {
            let asked = Date()
            if ask(sliceMs) { return true }
            if Date().timeIntervalSince(asked) < 0.05 { usleep(50_000) }
        }
        return false
    }
}
