/// A one-line chart of a series, for lag and throughput history in a terminal row.
public enum Sparkline {
    /// Eight block heights; fine enough to show a trend, and every terminal font has them.
    public static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// For terminals or logs that cannot show block characters.
    public static let asciiRamp: [Character] = ["_", ".", "-", "=", "#"]

    /// Renders `values` scaled from their minimum (lowest mark) to their maximum (highest).
    ///
    /// - `width`: keep only the newest `width` values, since a live view cares about
    ///   the recent end; nil keeps all. A width of 0 or less renders nothing.
    /// - All-equal values render as the lowest mark: a flat line, not a full bar.
    /// - NaN and infinities render as a space and do not affect the scale, so one bad
    ///   reading leaves a gap instead of flattening the rest.
    public static func render(_ values: [Double], width: Int? = nil, ascii: Bool = false) -> String {
        let shown = width.map { Array(values.suffix(max(0, $0))) } ?? values
        let ramp = ascii ? asciiRamp : blocks
        let finite = shown.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else {
            return String(repeating: " ", count: shown.count)
        }
        // Halved so that a series spanning most of Double's range cannot overflow to infinity.
        let range = high / 2 - low / 2
        let top = Double(ramp.count - 1)
        return String(
            shown.map { value -> Character in
                guard value.isFinite else { return " " }
                guard range > 0 else { return ramp[0] }
                let level = Int(((value / 2 - low / 2) / range * top).rounded())
                return ramp[min(max(level, 0), ramp.count - 1)]
            })
    }
}
