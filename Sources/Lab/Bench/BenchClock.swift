import Foundation

/// The clocks a bench reads: monotonic nanoseconds for latency and elapsed
/// time (clock_gettime through the vDSO: tens of nanoseconds, no syscall),
/// and the process's CPU time for messages per CPU-second.
enum BenchClock {
    @inline(__always)
    static func nanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// User plus system CPU seconds of the whole process (every thread:
    /// librdkafka's broker threads included, and on the embedded cluster the
    /// mock broker's thread too).
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
