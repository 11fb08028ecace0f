//! Readers of user files keep memory bounded on hostile input. A counting allocator records the
//! peak of live heap bytes while each reader runs; the cases run one after another in one test so
//! nothing else allocates meanwhile. The files are small (kilobytes) and declare or inflate to
//! gigabytes: the readers must refuse them with a problem a user can read, without allocating
//! what they declare (before the limits, the first case aborted the process).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Cursor, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Relaxed) + l.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        System.dealloc(p, l);
        LIVE.fetch_sub(l.size(), Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = System.realloc(p, l, new);
        if !q.is_null() {
            if new > l.size() {
                let now = LIVE.fetch_add(new - l.size(), Relaxed) + new - l.size();
                PEAK.fetch_max(now, Relaxed);
            } else {
                LIVE.fetch_sub(l.size() - new, Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Peak heap bytes above what was live before `f` ran, and `f`'s result.
fn peak<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let base = LIVE.load(Relaxed);
    PEAK.store(base, Relaxed);
    let out = f();
    (PEAK.load(Relaxed).saturating_sub(base), out)
}

const MB: usize = 1024 * 1024;

fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, c, text) in cells {
        sheet.write_string(*r, *c, *text).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// The same workbook with one entry's content replaced (or added).
fn with_entry(xlsx: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut replaced = false;
    for i in 0..src.len() {
        let mut e = src.by_index(i).unwrap();
        let entry_name = e.name().unwrap().into_owned();
        out.start_file(entry_name.as_str(), opts).unwrap();
        if entry_name == name {
            out.write_all(content).unwrap();
            replaced = true;
        } else {
            let mut buf = Vec::new();
            e.read_to_end(&mut buf).unwrap();
            out.write_all(&buf).unwrap();
        }
    }
    if !replaced {
        out.start_file(name, opts).unwrap();
        out.write_all(content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn first_key(plan: &domain::org::import::ImportPlan) -> String {
    plan.problems
        .first()
        .map(|p| p.key.clone())
        .unwrap_or_default()
}

#[test]
fn readers_of_user_files_stay_within_bounded_memory() {
    let levels = domain::org::LevelSet::five_level();
    let read = |bytes: &[u8]| domain::org::import::read_xlsx(bytes, &levels);

    // 1. A1 and XFD1048576: a range reader allocates 17 billion cells (549,755,813,888 bytes).
    let far = workbook(&[(0, 0, "组织编码"), (1_048_575, 16_383, "x")]);
    assert!(far.len() < 16 * 1024, "{} bytes", far.len());
    let (bytes, plan) = peak(|| read(&far));
    assert_eq!(first_key(&plan), "org_import.xlsx_columns");
    assert!(bytes < 16 * MB, "far cell: peak {bytes} bytes");

    // 2. A1 and ALL20000: 20 million cells in the bounding box.
    let wide = workbook(&[(0, 0, "组织编码"), (19_999, 999, "x")]);
    let (bytes, plan) = peak(|| read(&wide));
    assert_eq!(first_key(&plan), "org_import.xlsx_columns");
    assert!(bytes < 16 * MB, "wide sheet: peak {bytes} bytes");

    // 3. A far row in the first column only.
    let tall = workbook(&[(0, 0, "组织编码"), (1_048_575, 0, "x")]);
    let (bytes, plan) = peak(|| read(&tall));
    assert_eq!(first_key(&plan), "org_import.too_many");
    assert!(bytes < 16 * MB, "tall sheet: peak {bytes} bytes");

    // 4. A shared-string table that declares a trillion entries (reserved before reading them).
    let sst = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1000000000000" uniqueCount="1000000000000"><si><t>x</t></si></sst>"#;
    let declared = with_entry(&wide, "xl/sharedStrings.xml", sst);
    let (bytes, plan) = peak(|| read(&declared));
    assert_eq!(first_key(&plan), "org_import.xlsx_strings");
    assert!(bytes < 16 * MB, "declared strings: peak {bytes} bytes");

    // 5. A sheet part that inflates from a few hundred KB to 300 MB (one enormous cell).
    let mut sheet = Vec::with_capacity(300 * MB + 1024);
    sheet.extend_from_slice(br#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#);
    sheet.resize(sheet.len() + 300 * MB, b'a');
    sheet.extend_from_slice(b"</t></is></c></row></sheetData></worksheet>");
    let bomb = with_entry(&far, "xl/worksheets/sheet1.xml", &sheet);
    drop(sheet);
    assert!(bomb.len() < 2 * MB, "{} bytes", bomb.len());
    let (bytes, plan) = peak(|| read(&bomb));
    assert_eq!(first_key(&plan), "org_import.xlsx_too_large");
    assert!(bytes < 16 * MB, "inflating sheet: peak {bytes} bytes");

    // 6. Not a zip at all, and an empty input.
    for junk in [&b"PK\x03\x04 not a workbook"[..], b""] {
        let (bytes, plan) = peak(|| read(junk));
        assert_eq!(first_key(&plan), "org_import.xlsx");
        assert!(bytes < MB);
    }

    // 7. A real workbook still reads, cell by cell.
    let fine = workbook(&[
        (0, 0, "组织编码"),
        (0, 1, "名称"),
        (0, 2, "层级"),
        (0, 3, "上级组织编码"),
        (1, 0, "320113001"),
        (1, 1, "某街道党工委"),
        (1, 2, "街道党工委"),
    ]);
    let plan = read(&fine);
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    assert_eq!(plan.rows.len(), 1);
    assert_eq!(plan.rows[0].source_id, "320113001");

    // 8. CSV: one line of 16 million separators.
    let commas = ",".repeat(16 * MB);
    let (bytes, plan) = peak(|| domain::org::import::read_csv(&commas, &levels));
    assert_eq!(first_key(&plan), "org_import.line_long");
    assert!(bytes < 4 * MB, "csv separators: peak {bytes} bytes");

    // 9. JSON: the largest export accepted (many small objects, the worst shape for a parsed
    // document) stays within a small multiple of its text; anything larger is refused unread.
    let unit =
        r#"{"orgId":"D00001","orgName":"某某党支部","parentOrgId":"D00000","orgType":"党支部"}"#;
    let mut json = String::from("[");
    while json.len() + unit.len() + 2 < domain::org::import::MAX_JSON_BYTES
        && json.len() < unit.len() * 5 * domain::org::MAX_IMPORT_ROWS
    {
        json.push_str(unit);
        json.push(',');
    }
    json.pop();
    json.push(']');
    let (bytes, table) = peak(|| domain::org::import::read_json_table(&json));
    assert_eq!(
        table.unwrap_err().key,
        "org_import.too_many",
        "more than 20,000 units"
    );
    assert!(
        bytes < 20 * json.len(),
        "json: peak {bytes} bytes for {} of text",
        json.len()
    );
    let huge = format!(
        "[{}]",
        "1,".repeat(domain::org::import::MAX_JSON_BYTES / 2 + 1)
    );
    let (bytes, table) = peak(|| domain::org::import::read_json_table(&huge));
    assert_eq!(table.unwrap_err().key, "org_import.json_too_large");
    assert!(bytes < MB, "oversized json: peak {bytes} bytes");

    // 10. ICS: the largest accepted file of events stays within a small multiple of its size.
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\n");
    let mut n = 0;
    while ics.len() < domain::ics_import::MAX_ICS_BYTES - 400
        && n < domain::ics_import::MAX_ICS_EVENTS
    {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{n}@x\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261210T020000Z\r\nDTEND:20261210T030000Z\r\nSUMMARY:{}\r\nEND:VEVENT\r\n",
            "活".repeat(200)
        ));
        n += 1;
    }
    ics.push_str("END:VCALENDAR\r\n");
    let defaults = domain::ics_import::IcsDefaults {
        category: "meeting".into(),
        capacity: 0,
        visibility: "public".into(),
    };
    let (bytes, rows) = peak(|| domain::ics_import::read_ics(&ics, &defaults));
    assert!(rows.is_ok());
    assert!(
        bytes < 40 * ics.len(),
        "ics: peak {bytes} bytes for {} bytes",
        ics.len()
    );

    // 10. GeoJSON context layer: 20 MB of tiny coordinate pairs.
    let mut gj = String::from(
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":["#,
    );
    while gj.len() < domain::grid_import::MAX_FILE_BYTES - 100 {
        gj.push_str("[0,0],");
    }
    gj.push_str("[0,0]]}}]}");
    let (bytes, layer) =
        peak(|| domain::grid_import::context_paths(&gj, domain::grid_import::Crs::Wgs84));
    assert!(layer.is_err());
    assert!(
        bytes < 64 * MB,
        "geojson: peak {bytes} bytes for {} bytes",
        gj.len()
    );
}
