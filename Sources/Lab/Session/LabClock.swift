import Foundation

/// Where the labs' bounded waits (broker registration, fencing, a new topic
/// becoming visible, transaction markers, `isr watch`) read the time and pause.
/// The real cluster's is the wall clock; the tests' compose stand-in gives a
/// scripted clock that a pause moves forward at once, so a test can let Kafka's
/// 9 s of broker.session.timeout.ms pass without waiting 9 s.
public protocol LabClock: Sendable {
    /// Seconds since a fixed, arbitrary point.
    var now: Double { get }
    /// Pauses the caller for `seconds` of this clock's time.
    func sleep(_ seconds: Double)
}

/// The wall clock: monotonic time, and a real sleep.
public struct WallClock: LabClock {
    private static let origin = ContinuousClock.now
    public init() {}
    public var now: Double { (ContinuousClock.now - Self.origin).seconds }
    public func sleep(_ seconds: Double) { if seconds > 0 { Thread.sleep(forTimeInterval: seconds) } }
}
