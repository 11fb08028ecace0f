//! Importing party units from a spreadsheet in the parent-code layout (组织编码, 名称, 层级,
//! 上级组织编码, 书记, 任期开始, 网格编码), as Visio's org-chart wizard and most Chinese systems use.
//! Reading (feature `spreadsheet`, server only) and planning are pure: the server commits a plan only when it has no problems, in one
//! transaction, so an import is all or nothing.

use crate::code::Code;
use crate::event::clean_text;
use crate::org::{clean_name, parse_date, LevelSet, Tree, MAX_IMPORT_ROWS, MAX_PERSON};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// The columns, in export order, with the header names each is recognised by.
pub const COLUMNS: [(&str, &[&str]); 7] = [
    ("code", &["组织编码", "编码", "code"]),
    ("name", &["名称", "组织名称", "name"]),
    ("level", &["层级", "类型", "级别", "level"]),
    (
        "parent",
        &[
            "上级组织编码",
            "上级编码",
            "parent code",
            "parent_code",
            "parent",
        ],
    ),
    ("secretary", &["书记", "secretary"]),
    (
        "term_start",
        &["任期开始", "换届时间", "term start", "term_start"],
    ),
    ("grid", &["网格编码", "grid code", "grid_code", "grid"]),
];

/// The header row an export writes (Chinese, the users' language).
pub fn header() -> [&'static str; 7] {
    COLUMNS.map(|(_, names)| names[0])
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// 1-based line in the file (the header is line 1).
    pub line: usize,
    pub code: String,
    pub name: String,
    /// Level key.
    pub level: String,
    pub parent: Option<String>,
    pub secretary: Option<String>,
    pub term_start: Option<String>,
    pub grid: Option<String>,
    /// True when a unit with this code exists and the row updates it.
    pub update: bool,
}

/// One thing wrong with the file; `key` is a translation key, `args` fill its placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: usize,
    pub key: String,
    pub args: Vec<(String, String)>,
}

fn problem(line: usize, key: &str, args: &[(&str, &str)]) -> Problem {
    Problem {
        line,
        key: key.into(),
        args: args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportPlan {
    pub rows: Vec<ImportRow>,
    pub problems: Vec<Problem>,
}

impl ImportPlan {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

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

/// Checks the rows against the stored tree and each other: duplicate codes, unknown parents,
/// levels not allowed beneath their parent, cycles, codes that do not extend their parent's,
/// changes of parent or level (use "Move to…"), grids that do not exist, rows outside the caller's
/// scope. `editable(code)` says whether the caller may edit the unit `code` (asked for every row,
/// and for the parent of every new unit; `""` asks whether they may add top-level units);
/// `grid_usable(code)` says whether a row may link the grid `code`, or the problem's key.
/// Marks rows that update an existing unit.
pub fn plan(
    mut plan: ImportPlan,
    tree: &Tree,
    levels: &LevelSet,
    editable: impl Fn(&str) -> bool,
    grid_usable: impl Fn(&str) -> Result<(), &'static str>,
) -> ImportPlan {
    // A file that could not be read whole is not checked row by row: fix the file first.
    if plan
        .problems
        .iter()
        .any(|p| FILE_LEVEL.contains(&p.key.as_str()))
    {
        return plan;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in &plan.rows {
        if let Some(first) = seen.get(&r.code) {
            plan.problems.push(problem(
                r.line,
                "org_import.duplicate",
                &[("code", &r.code), ("first", &first.to_string())],
            ));
        } else {
            seen.insert(r.code.clone(), r.line);
        }
    }
    let in_file: HashMap<&str, &ImportRow> =
        plan.rows.iter().map(|r| (r.code.as_str(), r)).collect();
    let level_of = |code: &str| -> Option<String> {
        in_file
            .get(code)
            .map(|r| r.level.clone())
            .or_else(|| tree.by_code(code).map(|u| u.level.clone()))
    };
    let mut problems = Vec::new();
    let mut in_cycle: HashSet<&str> = HashSet::new();
    for r in &plan.rows {
        // Follow parents inside the file: coming back to this row is a cycle.
        let mut at = r.parent.as_deref();
        let mut steps = 0;
        while let Some(p) = at {
            if p == r.code {
                in_cycle.insert(r.code.as_str());
                problems.push(problem(r.line, "org_import.cycle", &[("code", &r.code)]));
                break;
            }
            steps += 1;
            if steps > plan.rows.len() {
                break;
            }
            at = in_file.get(p).and_then(|q| q.parent.as_deref());
        }
    }
    for r in &plan.rows {
        if !editable(&r.code) {
            problems.push(problem(r.line, "org_import.scope", &[("code", &r.code)]));
            continue;
        }
        let existing = tree.by_code(&r.code);
        // A new unit is an addition under its parent: the caller must be allowed to add there
        // (the parent in their scope; `editable("")` for a unit without a parent), as in the
        // tree's own "add". A code inside the scope is not enough: the parent decides where the
        // unit hangs.
        if existing.is_none() && !editable(r.parent.as_deref().unwrap_or("")) {
            problems.push(problem(
                r.line,
                "org_import.parent_scope",
                &[
                    ("code", &r.code),
                    ("parent", r.parent.as_deref().unwrap_or("")),
                ],
            ));
            continue;
        }
        if let Some(u) = existing {
            let stored_parent = u.parent.and_then(|p| tree.get(p)).map(|p| p.code.clone());
            if stored_parent != r.parent {
                problems.push(problem(
                    r.line,
                    "org_import.parent_changed",
                    &[("code", &r.code)],
                ));
            }
            if !r.level.is_empty() && u.level != r.level {
                problems.push(problem(
                    r.line,
                    "org_import.level_changed",
                    &[("code", &r.code)],
                ));
            }
        }
        match &r.parent {
            None => {
                if existing.is_none() && !r.level.is_empty() && r.level != levels.root().key {
                    problems.push(problem(
                        r.line,
                        "org_import.root_level",
                        &[("level", &levels.name(&r.level, true))],
                    ));
                }
            }
            Some(p) => match level_of(p) {
                None => problems.push(problem(
                    r.line,
                    "org_import.unknown_parent",
                    &[("parent", p)],
                )),
                Some(pl) => {
                    if in_cycle.contains(r.code.as_str()) {
                        continue;
                    }
                    if !r.level.is_empty() && !pl.is_empty() && !levels.allows_child(&pl, &r.level)
                    {
                        problems.push(problem(
                            r.line,
                            "org_import.level",
                            &[
                                ("child", &levels.name(&r.level, true)),
                                ("parent", &levels.name(&pl, true)),
                            ],
                        ));
                    }
                    if !(r.code.starts_with(p.as_str()) && r.code.len() > p.len()) {
                        problems.push(problem(
                            r.line,
                            "org_import.code_prefix",
                            &[("code", &r.code), ("parent", p)],
                        ));
                    }
                }
            },
        }
        if let Some(g) = &r.grid {
            if let Err(key) = grid_usable(g) {
                problems.push(problem(r.line, key, &[("grid", g)]));
            }
        }
    }
    plan.problems.extend(problems);
    plan.problems.sort_by_key(|p| p.line);
    for r in &mut plan.rows {
        r.update = tree.by_code(&r.code).is_some();
    }
    plan
}

/// Rows in the order they can be written: parents before children.
pub fn write_order(rows: &[ImportRow]) -> Vec<&ImportRow> {
    let mut v: Vec<&ImportRow> = rows.iter().collect();
    v.sort_by(|a, b| a.code.len().cmp(&b.code.len()).then(a.code.cmp(&b.code)));
    v
}

#[cfg(all(test, feature = "spreadsheet"))]
mod tests {
    use super::*;
    use crate::org::OrgUnit;

    fn stored() -> Tree {
        let u = |id, parent, code: &str, level: &str| OrgUnit {
            id,
            parent,
            code: code.into(),
            level: level.into(),
            name: format!("单位{id}"),
            secretary: None,
            grid: None,
            term_start: None,
            term_years: 3,
            members: 0,
            version: 1,
        };
        Tree::new(vec![
            u(1, None, "320113", "working-committee"),
            u(2, Some(1), "320113001", "committee"),
        ])
    }

    fn run(csv: &str) -> ImportPlan {
        let l = LevelSet::five_level();
        plan(
            read_csv(csv, &l),
            &stored(),
            &l,
            |_| true,
            |g| {
                if g == "320113001" {
                    Ok(())
                } else {
                    Err("org_import.grid")
                }
            },
        )
    }

    #[test]
    fn a_new_unit_needs_a_parent_the_caller_may_add_under() {
        // The organiser of 320113001001 (the scope is a code prefix) names the street committee
        // as the parent of a unit whose code starts with the scope: refused, nothing planned.
        let l = LevelSet::five_level();
        let scope = |c: &str| c.starts_with("320113001001");
        let under_street = read_csv(
            "code,name,level,parent\n3201130010019,x,committee,320113001\n",
            &l,
        );
        let p = plan(under_street, &stored(), &l, scope, |_| Ok(()));
        assert_eq!(keys(&p), vec![(2, "org_import.parent_scope")]);
        // Nor a new top-level unit, whatever its code.
        let root = read_csv(
            "code,name,level,parent\n3201130010019,x,working-committee,\n",
            &l,
        );
        let p = plan(root, &stored(), &l, scope, |_| Ok(()));
        assert_eq!(keys(&p), vec![(2, "org_import.parent_scope")]);
    }

    fn keys(p: &ImportPlan) -> Vec<(usize, &str)> {
        p.problems
            .iter()
            .map(|p| (p.line, p.key.as_str()))
            .collect()
    }

    #[test]
    fn a_clean_file_plans_new_rows_and_updates() {
        let p = run(
            "\u{feff}组织编码,名称,层级,上级组织编码,书记,任期开始,网格编码\n\
             32011300101,甲一支部,小区党支部,320113001,王芳,2024-03-01,320113001\n\
             3201130010101,1号楼党小组,group,32011300101,,,\n\
             320113001,甲社区党委（更名）,社区党委,320113,,,\n",
        );
        assert_eq!(keys(&p), vec![]);
        assert_eq!(p.rows.len(), 3);
        assert!(!p.rows[0].update && p.rows[2].update);
        assert_eq!(p.rows[0].level, "branch");
        assert_eq!(p.rows[1].secretary, None);
        let order: Vec<&str> = write_order(&p.rows)
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(order, vec!["320113001", "32011300101", "3201130010101"]);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let p = run("code,name,level,parent code\n\
             32011300101,甲一支部,branch,320113001\n\
             32011300101,重复,branch,320113001\n\
             32011300199,孤儿,branch,320113009\n\
             32011300102,错层,group,320113001\n\
             4401,环一,group,440101\n\
             440101,环二,branch,4401\n\
             32011300103,,branch,320113001\n\
             32011300104,坏层,nonsense,320113001\n\
             3301,前缀,branch,320113001\n");
        let k = keys(&p);
        assert!(k.contains(&(3, "org_import.duplicate")), "{k:?}");
        assert!(k.contains(&(4, "org_import.unknown_parent")), "{k:?}");
        assert!(k.contains(&(5, "org_import.level")), "{k:?}");
        assert!(
            k.contains(&(6, "org_import.cycle")) && k.contains(&(7, "org_import.cycle")),
            "{k:?}"
        );
        assert!(k.contains(&(8, "org_import.name")), "{k:?}");
        assert!(k.contains(&(9, "org_import.unknown_level")), "{k:?}");
        assert!(k.contains(&(10, "org_import.code_prefix")), "{k:?}");
        assert!(k.windows(2).all(|w| w[0].0 <= w[1].0), "sorted by line");
    }

    #[test]
    fn file_level_problems() {
        let p = run("名称,层级\n甲,branch\n");
        assert_eq!(keys(&p), vec![(1, "org_import.header")]);
        assert_eq!(p.problems[0].args[0].1, "组织编码、上级组织编码");
        assert_eq!(keys(&run("")), vec![(1, "org_import.header")]);
        assert_eq!(
            keys(&run("code,name,level,parent\n")),
            vec![(1, "org_import.empty")]
        );
        let mut big = String::from("code,name,level,parent\n");
        for i in 0..MAX_IMPORT_ROWS + 5 {
            big.push_str(&format!("320113001{i:06},n,branch,320113001\n"));
        }
        let p = read_csv(&big, &LevelSet::five_level());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].key, "org_import.too_many");
    }

    #[test]
    fn scope_parent_and_level_changes_and_grids() {
        let l = LevelSet::five_level();
        let rows = read_csv(
            "code,name,level,parent,grid\n32011300101,x,branch,320113001,999\n320113001,y,branch,320113,\n",
            &l,
        );
        let p = plan(
            rows,
            &stored(),
            &l,
            |c| c.starts_with("32011300101"),
            |_| Err("org_import.grid"),
        );
        let k = keys(&p);
        assert!(k.contains(&(2, "org_import.parent_scope")), "{k:?}");
        assert!(k.contains(&(3, "org_import.scope")), "{k:?}");
        let rows = read_csv(
            "code,name,level,parent,grid\n32011300101,x,branch,320113001,999\n",
            &l,
        );
        let p = plan(rows, &stored(), &l, |_| true, |_| Err("org_import.grid"));
        assert_eq!(keys(&p), vec![(2, "org_import.grid")]);
        let rows = read_csv("code,name,level,parent\n320113001,y,branch,320113\n", &l);
        let p = plan(rows, &stored(), &l, |_| true, |_| Ok(()));
        assert!(keys(&p).contains(&(2, "org_import.level_changed")));
        let rows = read_csv("code,name,level,parent\n3301,y,committee,\n", &l);
        let p = plan(rows, &stored(), &l, |_| true, |_| Ok(()));
        assert_eq!(keys(&p), vec![(2, "org_import.root_level")]);
    }

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
