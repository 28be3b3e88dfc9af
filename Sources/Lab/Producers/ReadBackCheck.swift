/// The verification after an idempotent run: messages numbered 0..<expected
/// were produced; the records read back must hold each number exactly once,
/// and within each partition the numbers must rise with the offsets (the
/// producer sent them in increasing order, and idempotence keeps the order
/// even when a batch is retried with up to 5 requests in flight).
struct ReadBackCheck: Equatable, Sendable {
    struct Record: Equatable, Sendable {
        let partition: Int32
        let offset: Int64
        let number: Int
        init(partition: Int32, offset: Int64, number: Int) {
            self.partition = partition
            self.offset = offset
            self.number = number
        }
    }

    let expected: Int
    let read: Int
    /// Numbers read more than once, ascending.
    let duplicates: [Int]
    /// Records beyond the first copy of each number: how many duplicates were written.
    let extraCopies: Int
    /// Numbers never read (the first few are enough to show).
    let missingCount: Int
    let firstMissing: [Int]
    /// Partitions whose numbers fall somewhere as the offsets rise.
    let partitionsOutOfOrder: [Int32]
    let partitionsChecked: Int

    var exactCount: Bool { read == expected && missingCount == 0 }
    var passed: Bool { exactCount && duplicates.isEmpty && partitionsOutOfOrder.isEmpty }

    init(expected: Int, records: [Record]) {
        self.expected = expected
        read = records.count
        var seen: [Int: Int] = [:]
        for r in records { seen[r.number, default: 0] += 1 }
        duplicates = seen.filter { $0.value > 1 }.map(\.key).sorted()
        extraCopies = records.count - seen.count
        var missing: [Int] = []
        var missingTotal = 0
        for n in 0..<max(expected, 0) where seen[n] == nil {
            missingTotal += 1
            if missing.count < 10 { missing.append(n) }
        }
        missingCount = missingTotal
        firstMissing = missing
        let byPartition = Dictionary(grouping: records, by: \.partition)
        partitionsChecked = byPartition.count
        partitionsOutOfOrder = byPartition.compactMap { partition, rs -> Int32? in
            let numbers = rs.sorted { $0.offset < $1.offset }.map(\.number)
            return zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 } ? nil : partition
        }.sorted()
    }
}
