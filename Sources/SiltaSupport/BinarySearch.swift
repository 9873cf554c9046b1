/// The first index in `range` for which `isBelow` is false, where `isBelow`
/// holds on a prefix of the range and fails on the rest (a lower bound).
/// - Complexity: O(log n) calls of `isBelow`.
@inlinable @inline(__always)
public func lowerBound(_ range: Range<Int>, isBelow: (Int) -> Bool) -> Int {
    var lo = range.lowerBound
    var hi = range.upperBound
    while lo < hi {
        let mid = (lo + hi) / 2
        if isBelow(mid) { lo = mid + 1 } else { hi = mid }
    }
    return lo
}
