import SiltaSupport

/// Where each period's rows begin in a report's two files, as written.
///
/// Every period report lists its rows by `period_start` first (reports.md
/// "Order of rows"), so the rows of the periods before a given day are one
/// run of bytes at the front of each file. A night that can change only
/// the periods from that day on copies that run from last night's file
/// and formats the rest (``ReportReuse``); this index says where the run
/// ends, in both files, and how many rows it holds.
package struct ReportIndex: Sendable, Equatable {
    /// The name of the first column of every table the index applies to.
    package static let periodColumn = "period_start"

    /// One period's first row.
    package struct Period: Sendable, Equatable {
        /// Its `period_start`, in days since 1970-01-01.
        package var day: Int
        /// Rows before it in the table.
        package var rowsBefore: Int
        /// Its first byte in the CSV file, and in the JSON twin the byte
        /// after the previous row's end (before the `,` that separates them).
        package var csv: Int
        package var json: Int

        package init(day: Int, rowsBefore: Int, csv: Int, json: Int) {
            self.day = day
            self.rowsBefore = rowsBefore
            self.csv = csv
            self.json = json
        }
    }

    /// Each period's first row, in file order.
    package var periods: [Period]
    /// Rows in the table.
    package var rows: Int
    /// The bytes of the rows in each file: after the header, before the
    /// end of the file (CSV) or the closing of the rows array (JSON).
    package var csvRows: Range<Int>
    package var jsonRows: Range<Int>

    package init(periods: [Period], rows: Int, csvRows: Range<Int>, jsonRows: Range<Int>) {
        self.periods = periods
        self.rows = rows
        self.csvRows = csvRows
        self.jsonRows = jsonRows
    }

    /// The rows of the periods before `day`: how many, and where they end in each file.
    package func cut(before day: Int) -> (rows: Int, csv: Int, json: Int) {
        if let p = periods.first(where: { $0.day >= day }) { return (p.rowsBefore, p.csv, p.json) }
        return (rows, csvRows.upperBound, jsonRows.upperBound)
    }

    /// True when the index describes itself consistently: periods in
    /// increasing order, offsets and row counts increasing within the rows.
    package var isConsistent: Bool {
        guard rows >= 0, csvRows.lowerBound >= 0, jsonRows.lowerBound >= 0 else { return false }
        var day = Int.min
        var rowsBefore = 0
        var csv = csvRows.lowerBound
        var json = jsonRows.lowerBound
        for p in periods {
            guard p.day > day, p.rowsBefore >= rowsBefore, p.csv >= csv, p.json >= json else { return false }
            (day, rowsBefore, csv, json) = (p.day, p.rowsBefore, p.csv, p.json)
        }
        return rowsBefore <= rows && csv <= csvRows.upperBound && json <= jsonRows.upperBound
            && (periods.first.map { $0.rowsBefore == 0 && $0.csv == csvRows.lowerBound && $0.json == jsonRows.lowerBound } ?? (rows == 0))
    }

    /// A row came with a period before one already written: the table is
    /// not in period order, so its files cannot be kept in part.
    package struct OutOfOrder: Error, CustomStringConvertible {
        package var file: String
        package var description: String { "the rows of \(file) are not in period order" }
    }
}

/// What a table may keep of the files an earlier night wrote: the rows of
/// every period before ``cutoffDay`` are copied from them, byte for byte,
/// and only the rest is formatted. The caller vouches that those rows have
/// not changed; the writer checks that the table makes as many rows before
/// the cut-off as the kept files hold there, and that the files are the
/// ones the index was made for (their ``FileStamp``s).
package struct ReportReuse: Sendable {
    /// The first day whose rows are written anew.
    package var cutoffDay: Int
    package var csvPath: String
    package var jsonPath: String
    package var csvStamp: FileStamp
    package var jsonStamp: FileStamp
    package var index: ReportIndex

    package init(cutoffDay: Int, csvPath: String, jsonPath: String, csvStamp: FileStamp, jsonStamp: FileStamp, index: ReportIndex) {
        self.cutoffDay = cutoffDay
        self.csvPath = csvPath
        self.jsonPath = jsonPath
        self.csvStamp = csvStamp
        self.jsonStamp = jsonStamp
        self.index = index
    }
}

/// One table as written: its index, and how much of it was kept.
package struct WrittenReport: Sendable {
    package var index: ReportIndex
    /// Rows copied from the earlier files (0 when written in full).
    package var keptRows: Int
    /// Why a reuse offered was not taken, `nil` when it was (or none was offered).
    package var reuseRefused: String?
    /// The stamps of the files, as committed.
    package var csvStamp: FileStamp?
    package var jsonStamp: FileStamp?
}
