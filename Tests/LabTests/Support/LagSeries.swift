@testable import Lab

/// Lag samples ten seconds apart starting at t=0, one per committed offset.
func series(committed: [Int64?], end: [Int64]) -> [LagSample] {
    precondition(committed.count == end.count)
    return zip(committed, end).enumerated().map { index, pair in
        LagSample(time: Double(index) * 10, committed: pair.0, end: pair.1)
    }
}

func series(committed: [Int64?], end: Int64) -> [LagSample] {
    series(committed: committed, end: Array(repeating: end, count: committed.count))
}
