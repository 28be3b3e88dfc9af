import Kafka

/// Which leaders accept a TCP connection at their advertised address. A killed
/// broker stays leader in metadata until fenced (broker.session.timeout.ms), and
/// a watermark query sent to it waits far past the time-out it was given
/// (librdkafka 2.0.2); a refused connection says at once not to ask it.
/// Kernel code: `topic describe` and `isr` both probe before asking for watermarks.
struct LeaderProbe {
    let brokers: [BrokerInfo]
    var timeout: Double = 0.5

    func unreachable(_ leaders: [Int32]) -> Set<Int32> {
        var result = Set<Int32>()
        for id in Set(leaders) where id >= 0 {
            guard let b = brokers.first(where: { $0.id == id }) else { result.insert(id); continue }
            if !ClusterConnection.isReachable(host: b.host, port: UInt16(clamping: b.port), timeout: timeout) {
                result.insert(id)
            }
        }
        return result
    }
}
