//! Reading a table of units: CSV (any separator, quoted fields) and XLSX (streamed, with the
//! container checked first), into the rows `plan` checks.

use super::*;

fn level_key(levels: &LevelSet, s: &str) -> Option<String> {
    let s = s.trim();
    levels
        .levels
        .iter()
        .find(|l| l.key == s || l.name_zh == s || l.name_en.eq_ignore_ascii_case(s))
        .map(|l| l.key.clone())
}

fn opt(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Reads the rows of a CSV text (already decoded to UTF-8; a BOM is ignored). File-level problems
/// (no header, missing columns, too many rows, broken quoting) come back as line-0/line-N problems.
#[cfg(feature = "spreadsheet")]
pub fn read_csv(text: &str, levels: &LevelSet) -> ImportPlan {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A line of millions of separators would become millions of fields before any row is checked.
    if let Some(n) = text.lines().position(|l| l.len() > MAX_CSV_LINE) {
        return ImportPlan {
            rows: Vec::new(),
            problems: vec![problem(
                n + 1,
                "org_import.line_long",
                &[("max", &MAX_CSV_LINE.to_string())],
            )],
        };
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let records = rdr.records().map(|r| {
        r.map(|r| r.iter().map(str::to_owned).collect())
            .map_err(|_| ())
    });
    read_records(records, levels)
}

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
fn xlsx_refusal(key: &str, args: &[(&str, &str)]) -> ImportPlan {
    ImportPlan {
        rows: Vec::new(),
        problems: vec![problem(1, key, args)],
    }
}

/// Checks the zip container of a workbook without trusting what it declares: the number of entries,
/// each entry's size after inflating it (counted while inflating into nothing, so memory stays
/// flat), and the shared-string count that the reader would reserve room for.
#[cfg(feature = "spreadsheet")]
fn check_xlsx_container(bytes: &[u8]) -> Result<(), ImportPlan> {
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

/// Reads the first worksheet of an XLSX workbook in the same layout. Numbers typed into code
/// columns lose nothing (whole numbers are written without a decimal point) and date cells become
/// `YYYY-MM-DD`. The container is checked first (`xlsx_limits`); cells are then read one by one,
/// and a sheet reaching past the row or column limits, or with too many cells, is refused without
/// building its bounding box (which is what a reader of ranges would allocate).
#[cfg(feature = "spreadsheet")]
pub fn read_xlsx(bytes: &[u8], levels: &LevelSet) -> ImportPlan {
    use calamine::{DataRef, Reader, Xlsx};
    use xlsx_limits::*;
    if let Err(refusal) = check_xlsx_container(bytes) {
        return refusal;
    }
    let broken = || xlsx_refusal("org_import.xlsx", &[]);
    let Ok(mut book) = Xlsx::new(std::io::Cursor::new(bytes)) else {
        return broken();
    };
    let Some(first) = book.sheet_names().first().cloned() else {
        return broken();
    };
    let Ok(mut cells) = book.worksheet_cells_reader(&first) else {
        return broken();
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
    // "too many rows" problem of `read_records` rather than a refusal of the whole file.
    let max_rows = (MAX_IMPORT_ROWS + 2) as u32;
    let mut seen = 0usize;
    let mut filled: std::collections::BTreeMap<u32, Vec<(u32, String)>> = Default::default();
    loop {
        let c = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(_) => return broken(),
        };
        seen += 1;
        if seen > MAX_CELLS {
            return xlsx_refusal("org_import.xlsx_cells", &[("max", &MAX_CELLS.to_string())]);
        }
        if matches!(c.get_value(), DataRef::Empty) {
            continue;
        }
        let (row, col) = c.get_position();
        if col >= MAX_COLUMNS {
            return xlsx_refusal(
                "org_import.xlsx_columns",
                &[("max", &MAX_COLUMNS.to_string())],
            );
        }
        if row >= max_rows {
            // Only the first rows are read; the row count is reported below.
            if row >= max_rows.saturating_mul(4) {
                return xlsx_refusal(
                    "org_import.too_many",
                    &[("max", &MAX_IMPORT_ROWS.to_string())],
                );
            }
            continue;
        }
        let text = cell(c.get_value());
        if text.chars().count() > MAX_CELL_CHARS {
            return xlsx_refusal(
                "org_import.xlsx_cell_long",
                &[("max", &MAX_CELL_CHARS.to_string())],
            );
        }
        filled.entry(row).or_default().push((col, text));
    }
    // The table starts at the first filled row and column, as a spreadsheet's used range does.
    let (Some(&first_row), Some(&last_row)) = (filled.keys().next(), filled.keys().next_back())
    else {
        return read_records(std::iter::empty(), levels);
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
    read_records(records, levels)
}

/// The rows of a table whose first record names the columns.
#[cfg_attr(not(feature = "spreadsheet"), allow(dead_code))]
fn read_records(
    mut records: impl Iterator<Item = Result<Vec<String>, ()>>,
    levels: &LevelSet,
) -> ImportPlan {
    let mut plan = ImportPlan::default();
    let headers = match records.next() {
        Some(Ok(h)) => h,
        _ => {
            plan.problems
                .push(problem(1, "org_import.header", &[("missing", "组织编码")]));
            return plan;
        }
    };
    let mut col: HashMap<&str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        if let Some((key, _)) = COLUMNS
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.to_lowercase() == h))
        {
            col.entry(key).or_insert(i);
        }
    }
    let missing: Vec<&str> = COLUMNS
        .iter()
        .take(4)
        .filter(|(k, _)| !col.contains_key(k))
        .map(|(_, names)| names[0])
        .collect();
    if !missing.is_empty() {
        plan.problems.push(problem(
            1,
            "org_import.header",
            &[("missing", &missing.join("、"))],
        ));
        return plan;
    }
    for (n, rec) in records.enumerate() {
        let line = n + 2;
        if plan.rows.len() >= MAX_IMPORT_ROWS {
            plan.problems.push(problem(
                line,
                "org_import.too_many",
                &[("max", &MAX_IMPORT_ROWS.to_string())],
            ));
            return plan;
        }
        let rec = match rec {
            Ok(r) => r,
            Err(_) => {
                plan.problems
                    .push(problem(line, "org_import.malformed", &[]));
                return plan;
            }
        };
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |k: &str| col.get(k).and_then(|&i| rec.get(i)).map(String::as_str);
        let code = get("code").unwrap_or("").trim().to_owned();
        let raw_name = get("name").unwrap_or("");
        let raw_level = get("level").unwrap_or("");
        let name = match clean_name(raw_name) {
            Ok(n) => n,
            Err(_) => {
                plan.problems.push(problem(line, "org_import.name", &[]));
                String::new()
            }
        };
        let level = match level_key(levels, raw_level) {
            Some(l) => l,
            None => {
                plan.problems.push(problem(
                    line,
                    "org_import.unknown_level",
                    &[("level", raw_level.trim())],
                ));
                String::new()
            }
        };
        if Code::parse(&code).is_err() {
            plan.problems
                .push(problem(line, "org_import.code", &[("code", &code)]));
        }
        let parent = opt(get("parent"));
        if let Some(p) = &parent {
            if Code::parse(p).is_err() {
                plan.problems
                    .push(problem(line, "org_import.code", &[("code", p)]));
            }
        }
        let secretary = opt(get("secretary"));
        if let Some(s) = &secretary {
            if clean_text(s, MAX_PERSON, false).is_none() {
                plan.problems
                    .push(problem(line, "org_import.secretary", &[]));
            }
        }
        let term_start = opt(get("term_start"));
        if let Some(d) = &term_start {
            if parse_date(d).is_err() {
                plan.problems
                    .push(problem(line, "org_import.date", &[("date", d)]));
            }
        }
        let grid = opt(get("grid"));
        if let Some(g) = &grid {
            if Code::parse(g).is_err() {
                plan.problems
                    .push(problem(line, "org_import.code", &[("code", g)]));
            }
        }
        plan.rows.push(ImportRow {
            line,
            code,
            name,
            level,
            parent,
            secretary,
            term_start,
            grid,
            update: false,
        });
    }
    if plan.rows.is_empty() && plan.problems.is_empty() {
        plan.problems.push(problem(1, "org_import.empty", &[]));
    }
    plan
}

/// Problems about the file as a whole.
pub const FILE_LEVEL: [&str; 5] = [
    "org_import.xlsx",
    "org_import.header",
    "org_import.too_many",
    "org_import.malformed",
    "org_import.empty",
];

#[cfg(all(test, feature = "spreadsheet"))]
mod tests {
    use super::*;
    use crate::org::import::tests::{keys, stored};

    #[test]
    fn xlsx_reads_like_csv_with_numbers_and_dates() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in [
            "组织编码",
            "名称",
            "层级",
            "上级组织编码",
            "书记",
            "任期开始",
        ]
        .iter()
        .enumerate()
        {
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
        let p = plan(read_xlsx(&bytes, &l), &stored(), &l, |_| true, |_| Ok(()));
        assert!(p.is_clean(), "{:?}", p.problems);
        assert_eq!(p.rows[0].code, "32011300101");
        assert_eq!(p.rows[0].parent.as_deref(), Some("320113001"));
        assert_eq!(p.rows[0].term_start.as_deref(), Some("2024-03-01"));
        let broken = read_xlsx(b"PK\x03\x04 not really a workbook", &l);
        assert_eq!(keys(&broken), vec![(1, "org_import.xlsx")]);
        let p = plan(broken, &stored(), &l, |_| true, |_| Ok(()));
        assert_eq!(
            p.problems.len(),
            1,
            "a broken file is not checked row by row"
        );
    }
}
