//! Reading an export into a table of text cells: CSV (any separator, quoted fields), XLSX
//! (streamed, with the container checked first) and JSON (an array of objects, as 智慧党建 systems
//! and their APIs give it). What the columns mean is the mapping's business (`mapping.rs`).

use super::*;

/// A file's columns and its records, each with the line (or, for JSON, the position) a user finds
/// it at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub records: Vec<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Table {
    /// A table whose first record names the columns; blank records are skipped, and a file of
    /// more than `MAX_IMPORT_ROWS` records or with a record that cannot be read is refused.
    pub fn from_records(
        mut records: impl Iterator<Item = Result<Vec<String>, ()>>,
    ) -> Result<Table, Problem> {
        let headers = match records.next() {
            Some(Ok(h)) => h
                .into_iter()
                .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
                .collect(),
            _ => return Err(problem(1, "org_import.header", &[("missing", "组织编码")])),
        };
        let mut t = Table {
            headers,
            records: Vec::new(),
        };
        for (n, rec) in records.enumerate() {
            let line = n + 2;
            let Ok(cells) = rec else {
                return Err(problem(line, "org_import.malformed", &[]));
            };
            if cells.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if t.records.len() >= MAX_IMPORT_ROWS {
                return Err(too_many(line));
            }
            t.records.push(Record { line, cells });
        }
        if t.records.is_empty() {
            return Err(problem(1, "org_import.empty", &[]));
        }
        Ok(t)
    }

    /// A record's cell in column `i` (empty when the record is shorter).
    pub fn cell<'a>(&self, r: &'a Record, i: Option<usize>) -> &'a str {
        i.and_then(|i| r.cells.get(i)).map_or("", |s| s.trim())
    }
}

fn too_many(line: usize) -> Problem {
    problem(
        line,
        "org_import.too_many",
        &[("max", &MAX_IMPORT_ROWS.to_string())],
    )
}

/// Reads a JSON export: an array of objects, or an object holding one (`{"data": {"records":
/// [...]}}`, as web APIs wrap their lists), found up to three levels down. Every key seen becomes a
/// column (an object's keys in
/// name order, then keys first seen in later records); numbers are written as typed (whole numbers without a decimal
/// point), `null` as an empty cell, nested values as their JSON text. Records are numbered from 1.
#[cfg(feature = "spreadsheet")]
pub fn read_json_table(text: &str) -> Result<Table, Problem> {
    use serde_json::Value;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A parsed document takes many times its text; what a real export needs is bounded first: its
    // size, and its objects (a unit is one object, perhaps with one or two nested).
    if text.len() > MAX_JSON_BYTES {
        return Err(problem(
            1,
            "org_import.json_too_large",
            &[("mb", &(MAX_JSON_BYTES / (1024 * 1024)).to_string())],
        ));
    }
    if text.bytes().filter(|b| *b == b'{').count() > 5 * MAX_IMPORT_ROWS {
        return Err(too_many(MAX_IMPORT_ROWS + 1));
    }
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        return Err(problem(1, "org_import.json", &[]));
    };
    fn objects(v: &Value, depth: usize) -> Option<&Vec<Value>> {
        match v {
            Value::Array(a) if a.iter().any(Value::is_object) => Some(a),
            Value::Object(o) if depth < 3 => o
                .values()
                .filter_map(|v| objects(v, depth + 1))
                .max_by_key(|a| a.len()),
            _ => None,
        }
    }
    let Some(items) = objects(&doc, 0) else {
        return Err(problem(1, "org_import.json", &[]));
    };
    if items.len() > MAX_IMPORT_ROWS {
        return Err(too_many(MAX_IMPORT_ROWS + 1));
    }
    let mut headers: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut records = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let Value::Object(o) = item else {
            return Err(problem(n + 1, "org_import.json_item", &[]));
        };
        let mut cells = vec![String::new(); headers.len()];
        for (k, v) in o {
            let i = *index.entry(k.clone()).or_insert_with(|| {
                headers.push(k.trim().to_owned());
                headers.len() - 1
            });
            if headers.len() > xlsx_limits::MAX_COLUMNS as usize {
                return Err(problem(
                    n + 1,
                    "org_import.xlsx_columns",
                    &[("max", &xlsx_limits::MAX_COLUMNS.to_string())],
                ));
            }
            let text = match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                Value::Number(x) => match (x.as_i64(), x.as_f64()) {
                    (Some(i), _) => i.to_string(),
                    (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", f as i64)
                    }
                    _ => x.to_string(),
                },
                other => other.to_string(),
            };
            if text.chars().count() > xlsx_limits::MAX_CELL_CHARS {
                return Err(problem(
                    n + 1,
                    "org_import.xlsx_cell_long",
                    &[("max", &xlsx_limits::MAX_CELL_CHARS.to_string())],
                ));
            }
            if cells.len() <= i {
                cells.resize(i + 1, String::new());
            }
            cells[i] = text;
        }
        if cells.iter().any(|c| !c.trim().is_empty()) {
            records.push(Record { line: n + 1, cells });
        }
    }
    if records.is_empty() {
        return Err(problem(1, "org_import.empty", &[]));
    }
    Ok(Table { headers, records })
}

/// Reads a CSV text (already decoded to UTF-8; a BOM is ignored). A file that cannot be read as a
/// table (no header, too many rows, broken quoting, an overlong line) is refused with its problem.
#[cfg(feature = "spreadsheet")]
pub fn read_csv_table(text: &str) -> Result<Table, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A line of millions of separators would become millions of fields before any row is checked.
    if let Some(n) = text.lines().position(|l| l.len() > MAX_CSV_LINE) {
        return Err(problem(
            n + 1,
            "org_import.line_long",
            &[("max", &MAX_CSV_LINE.to_string())],
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let records = rdr.records().map(|r| {
        r.map(|r| r.iter().map(str::to_owned).collect())
            .map_err(|_| ())
    });
    Table::from_records(records)
}

/// Bytes of a JSON export (20,000 units of a dozen fields are about 6 MB).
pub const MAX_JSON_BYTES: usize = 12 * 1024 * 1024;

/// Bytes in one line of a CSV file (a real row is a few hundred).
pub const MAX_CSV_LINE: usize = 16 * 1024;

/// Limits on a workbook, checked before anything is allocated for its contents (a 1.5 KB file can
/// declare a sheet of 17 billion cells, a shared-string table of a trillion entries, or inflate to
/// gigabytes). A real export of 20,000 units is a few MB inflated and uses a dozen columns.
pub mod xlsx_limits {
    /// Entries (files) in the zip container.
    pub const MAX_ENTRIES: usize = 1_000;
    /// Inflated bytes of all entries together, and of any one entry.
    pub const MAX_INFLATED: u64 = 64 * 1024 * 1024;
    /// Declared (and actual) shared strings.
    pub const MAX_SHARED_STRINGS: u64 = 500_000;
    /// Columns a row may use (Excel allows 16,384).
    pub const MAX_COLUMNS: u32 = 64;
    /// Cells read from the sheet, empty ones included.
    pub const MAX_CELLS: usize = 1_000_000;
    /// Characters in one cell.
    pub const MAX_CELL_CHARS: usize = 4_000;
}

/// Why a workbook was refused before its cells were read: translation key and its arguments.
#[cfg(feature = "spreadsheet")]
fn xlsx_refusal(key: &str, args: &[(&str, &str)]) -> Problem {
    problem(1, key, args)
}

/// Checks the zip container of a workbook without trusting what it declares: the number of entries,
/// each entry's size after inflating it (counted while inflating into nothing, so memory stays
/// flat), and the shared-string count that the reader would reserve room for.
#[cfg(feature = "spreadsheet")]
fn check_xlsx_container(bytes: &[u8]) -> Result<(), Problem> {
    use std::io::Read;
    use xlsx_limits::*;
    let broken = || xlsx_refusal("org_import.xlsx", &[]);
    let too_large = || {
        xlsx_refusal(
            "org_import.xlsx_too_large",
            &[("mb", &(MAX_INFLATED / (1024 * 1024)).to_string())],
        )
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| broken())?;
    if zip.len() > MAX_ENTRIES {
        return Err(too_large());
    }
    let mut total: u64 = 0;
    let mut chunk = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|_| broken())?;
        if entry.size() > MAX_INFLATED {
            return Err(too_large());
        }
        let shared = entry
            .name()
            .is_ok_and(|n| n.eq_ignore_ascii_case("xl/sharedStrings.xml"));
        let mut head: Vec<u8> = Vec::new();
        loop {
            let n = entry.read(&mut chunk).map_err(|_| broken())?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_INFLATED {
                return Err(too_large());
            }
            if shared && head.len() < 4096 {
                head.extend_from_slice(&chunk[..n.min(4096 - head.len())]);
            }
        }
        if shared {
            for attr in ["uniqueCount", "count"] {
                if let Some(n) = xml_attr_number(&head, attr) {
                    if n > MAX_SHARED_STRINGS {
                        return Err(xlsx_refusal(
                            "org_import.xlsx_strings",
                            &[("max", &MAX_SHARED_STRINGS.to_string())],
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The number in `name="…"` inside the first `<sst …>` tag of `xml`; `Some(u64::MAX)` when the
/// value is a number too long to read (it is certainly too large).
#[cfg(feature = "spreadsheet")]
fn xml_attr_number(xml: &[u8], name: &str) -> Option<u64> {
    let text = String::from_utf8_lossy(xml);
    let start = text.find("<sst")?;
    let tag_end = text[start..].find('>').map_or(text.len(), |e| start + e);
    let tag = &text[start..tag_end];
    let needle = format!(" {name}=");
    let at = tag.find(&needle)? + needle.len();
    let rest = tag[at..].trim_start_matches(['"', '\'']);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    Some(digits.parse().unwrap_or(u64::MAX))
}

/// Reads the first worksheet of an XLSX workbook. Numbers typed into code
/// columns lose nothing (whole numbers are written without a decimal point) and date cells become
/// `YYYY-MM-DD`. The container is checked first (`xlsx_limits`); cells are then read one by one,
/// and a sheet reaching past the row or column limits, or with too many cells, is refused without
/// building its bounding box (which is what a reader of ranges would allocate).
#[cfg(feature = "spreadsheet")]
pub fn read_xlsx_table(bytes: &[u8]) -> Result<Table, Problem> {
    use calamine::{DataRef, Reader, Xlsx};
    use xlsx_limits::*;
    check_xlsx_container(bytes)?;
    let broken = || xlsx_refusal("org_import.xlsx", &[]);
    let Ok(mut book) = Xlsx::new(std::io::Cursor::new(bytes)) else {
        return Err(broken());
    };
    let Some(first) = book.sheet_names().first().cloned() else {
        return Err(broken());
    };
    let Ok(mut cells) = book.worksheet_cells_reader(&first) else {
        return Err(broken());
    };
    let cell = |d: &DataRef| -> String {
        match d {
            DataRef::Empty => String::new(),
            DataRef::SharedString(s) => (*s).to_owned(),
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
            DataRef::Int(i) => i.to_string(),
            DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            DataRef::Float(f) => f.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(dt) => {
                // Excel serial days since 1899-12-30.
                let days = dt.as_f64().floor() as i64 - 25_569;
                let (y, m, d) = crate::date::civil_from_days(days);
                format!("{y:04}-{m:02}-{d:02}")
            }
            DataRef::Error(_) => "#ERROR".into(),
        }
    };
    // Header plus the row limit, plus one so that a sheet with too many rows still reaches the
    // "too many rows" problem of `Table::from_records` rather than a refusal of the whole file.
    let max_rows = (MAX_IMPORT_ROWS + 2) as u32;
    let mut seen = 0usize;
    let mut filled: std::collections::BTreeMap<u32, Vec<(u32, String)>> = Default::default();
    loop {
        let c = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => return Err(broken()),
        };
        seen += 1;
        if seen > MAX_CELLS {
            return Err(xlsx_refusal(
                "org_import.xlsx_cells",
                &[("max", &MAX_CELLS.to_string())],
            ));
        }
        if matches!(c.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = c.get_position();
        if col >= MAX_COLUMNS {
            return Err(xlsx_refusal(
                "org_import.xlsx_columns",
                &[("max", &MAX_COLUMNS.to_string())],
            ));
        }
        if row >= max_rows {
            // Only the first rows are read; the row count is reported below.
            if row >= max_rows.saturating_mul(4) {
                return Err(too_many(row as usize + 1));
            }
            continue;
        }
        let text = cell(c.get_value());
        if text.chars().count() > MAX_CELL_CHARS {
            return Err(xlsx_refusal(
                "org_import.xlsx_cell_long",
                &[("max", &MAX_CELL_CHARS.to_string())],
            ));
        }
        filled.entry(row).or_default().push((col, text));
    }
    // The table starts at the first filled row and column, as a spreadsheet's used range does.
    let (Some(&first_row), Some(&last_row)) = (filled.keys().next(), filled.keys().next_back())
    else {
        return Table::from_records(std::iter::empty());
    };
    let first_col = filled
        .values()
        .flat_map(|r| r.iter().map(|(c, _)| *c))
        .min()
        .unwrap_or(0);
    let width = filled
        .values()
        .flat_map(|r| r.iter().map(|(c, _)| *c))
        .max()
        .map_or(0, |c| (c - first_col + 1) as usize);
    let records = (first_row..=last_row).map(move |r| {
        let mut rec = vec![String::new(); width];
        if let Some(cells) = filled.get(&r) {
            for (c, text) in cells {
                rec[(c - first_col) as usize] = text.clone();
            }
        }
        Ok(rec)
    });
    Table::from_records(records)
}

/// Problems about the file as a whole.
pub const FILE_LEVEL: [&str; 9] = [
    "org_import.xlsx",
    "org_import.json_too_large",
    "org_import.xls",
    "org_import.json",
    "org_import.json_item",
    "org_import.header",
    "org_import.too_many",
    "org_import.malformed",
    "org_import.empty",
];

#[cfg(all(test, feature = "spreadsheet"))]
mod tests {
    use super::*;
    use crate::org::import::tests::{keys, plan_on, stored};

    #[test]
    fn xlsx_reads_like_csv_with_numbers_and_dates() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        // Linli's own export header, without the grid column.
        for (c, h) in header()[..6].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        // Codes typed as numbers, the date as a date cell.
        sheet.write_number(1, 0, 32011300101.0).unwrap();
        sheet.write_string(1, 1, "甲一支部").unwrap();
        sheet.write_string(1, 2, "小区党支部").unwrap();
        sheet.write_number(1, 3, 320113001.0).unwrap();
        sheet.write_string(1, 4, "王芳").unwrap();
        let date = ExcelDateTime::from_ymd(2024, 3, 1).unwrap();
        sheet
            .write_datetime_with_format(1, 5, &date, &Format::new().set_num_format("yyyy-mm-dd"))
            .unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let l = LevelSet::five_level();
        let p = plan_on(read_xlsx(&bytes, &l), &stored(), &l, |_| true, |_| Ok(()));
        assert!(p.is_clean(), "{:?}", p.problems);
        assert_eq!(p.rows[0].code, "32011300101");
        assert_eq!(p.rows[0].parent.as_deref(), Some("320113001"));
        assert_eq!(p.rows[0].term_start.as_deref(), Some("2024-03-01"));
        let broken = read_xlsx(b"PK\x03\x04 not really a workbook", &l);
        assert_eq!(keys(&broken), vec![(1, "org_import.xlsx")]);
        let p = plan_on(broken, &stored(), &l, |_| true, |_| Ok(()));
        assert_eq!(
            p.problems.len(),
            1,
            "a broken file is not checked row by row"
        );
    }
}

#[cfg(all(test, feature = "spreadsheet"))]
mod json_tests {
    use super::*;

    #[test]
    fn a_wrapped_array_of_objects_reads_as_a_table() {
        let t = read_json_table(
            r#"{"code":200,"msg":"ok","data":{"total":2,"records":[
                {"orgId":1001,"orgName":"某区委","parentId":null,"memberCount":12000.0},
                {"orgId":1002,"orgName":"机关工委","parentId":1001,"extra":{"a":1}},
                {}
            ]}}"#,
        )
        .unwrap();
        assert_eq!(
            t.headers,
            vec!["memberCount", "orgId", "orgName", "parentId", "extra"]
        );
        assert_eq!(t.records.len(), 2, "the empty object is skipped");
        assert_eq!(t.records[0].cells, vec!["12000", "1001", "某区委", ""]);
        assert_eq!(t.records[1].line, 2);
        assert_eq!(t.cell(&t.records[1], Some(4)), r#"{"a":1}"#);
        let key = |s: &str| read_json_table(s).unwrap_err().key;
        assert_eq!(key("not json"), "org_import.json");
        assert_eq!(key(r#"{"data": [1, 2]}"#), "org_import.json");
        assert_eq!(key(r#"[{"a": 1}, 2]"#), "org_import.json_item");
        assert_eq!(key("[]"), "org_import.json");
        let many = format!("[{}]", vec![r#"{"a":1}"#; MAX_IMPORT_ROWS + 1].join(","));
        assert_eq!(key(&many), "org_import.too_many");
        let braces = format!("[{}]", vec!["{}"; 5 * MAX_IMPORT_ROWS + 1].join(","));
        assert_eq!(key(&braces), "org_import.too_many");
        let big = format!(r#"[{{"a":"{}"}}]"#, "x".repeat(MAX_JSON_BYTES));
        assert_eq!(key(&big), "org_import.json_too_large");
    }
}
