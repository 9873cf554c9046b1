import Foundation

/// The parts of an Office Open XML workbook besides its worksheets: the
/// package's content types and relationships, the workbook (its sheets, in
/// order, and their filter ranges) and the styles the cells name.
enum WorkbookParts {
    static let xmlHead = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    /// `[Content_Types].xml` for sheets stored at `parts` (`xl/worksheets/x.xml`).
    static func contentTypes(_ parts: [String]) -> String {
        var out =
            xmlHead
            + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        for part in parts {
            out +=
                #"<Override PartName="/\#(part)" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        return out + "</Types>"
    }

    /// `_rels/.rels`: the package's one document, the workbook.
    static let packageRelationships =
        xmlHead
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#

    /// `xl/_rels/workbook.xml.rels`: sheet k is `rId<k+1>`, the styles after them.
    static func workbookRelationships(_ parts: [String]) -> String {
        var out = xmlHead + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        for (k, part) in parts.enumerated() {
            let target = part.hasPrefix("xl/") ? String(part.dropFirst(3)) : part
            out +=
                #"<Relationship Id="rId\#(k + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="\#(target)"/>"#
        }
        out +=
            #"<Relationship Id="rId\#(parts.count + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        return out + "</Relationships>"
    }

    /// `xl/workbook.xml`: the sheets' names in tab order (the first is the
    /// one that opens) and, for each sheet with a filter, its range.
    static func workbook(_ sheets: [(name: String, filter: String?)]) -> String {
        var out =
            xmlHead
            + #"<workbook xmlns="\#(main)" xmlns:r="\#(relationships)"><bookViews><workbookView activeTab="0"/></bookViews><sheets>"#
        for (k, sheet) in sheets.enumerated() {
            out += #"<sheet name="\#(attribute(sheet.name))" sheetId="\#(k + 1)" r:id="rId\#(k + 1)"/>"#
        }
        out += "</sheets>"
        let filters = sheets.enumerated().compactMap { k, s in s.filter.map { (k, s.name, $0) } }
        if !filters.isEmpty {
            out += "<definedNames>"
            for (k, name, range) in filters {
                // A sheet name in a formula: quoted, a quote in it doubled.
                let quoted = "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
                out +=
                    #"<definedName name="_xlnm._FilterDatabase" localSheetId="\#(k)" hidden="1">\#(attribute(quoted))!\#(range)</definedName>"#
            }
            out += "</definedNames>"
        }
        return out + "</workbook>"
    }

    /// The styles of ``CellStyle``, in its order: plain, a date
    /// `yyyy-mm-dd`, a percentage `0.0%` (the value stays the 0–1 ratio),
    /// the bold header, wrapped text, and the Read me's title.
    static let styles =
        xmlHead
        + #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/><numFmt numFmtId="165" formatCode="0.0%"/></numFmts><fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#

    /// `text` escaped for an XML attribute.
    static func attribute(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
