//! Property tests: every importer and parser of outside input, fed random and mutated input, never
//! panics and answers with rows or a named error. (The HTTP side — no 500, no partial write — is
//! `server/tests/access.rs::hostile_arguments_never_crash_or_half_write`.)

use domain::event::{EventDraft, LocalDateTime, RawEvent};
use domain::grid_import::{Crs, Mapping};
use domain::ics_import::{read_ics, IcsDefaults};
use domain::org::LevelSet;
use proptest::prelude::*;

const GEOJSON: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"一网格","code":"320113001001","households":"300"},"geometry":{"type":"Polygon","coordinates":[[[118.90,32.10],[118.91,32.10],[118.91,32.11],[118.90,32.11],[118.90,32.10]]]}}]}"#;
const ORG_JSON: &str = r#"{"data":{"records":[{"orgId":"A1","orgName":"某区委","parentOrgId":"0","orgType":"区委","memberCount":12000},{"orgId":"A2","orgName":"机关工委","parentOrgId":"A1","orgType":"机关工委","electionDate":1625011200000},{"orgId":"A3","orgName":"第一党支部","parentOrgId":"A2","orgType":"党支部","contactPhone":"13900000000"}]}}"#;
const CSV: &str = "编码,名称,层级,上级编码,书记,任期开始,网格\n320113001,仙林街道党工委,working-committee,,王芳,2024-01-01,\n320113001001,仙林社区党委,committee,320113001,李强,2025-03-01,320113001001\n";
const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:a@b\r\nSUMMARY:健步走\r\nDTSTART;TZID=Asia/Shanghai:20310301T090000\r\nDTEND;TZID=Asia/Shanghai:20310301T100000\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\nEXDATE;TZID=Asia/Shanghai:20310308T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/// A valid document with a few bytes replaced, inserted or cut: the nearly-right files people
/// actually upload.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    (
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
        any::<prop::sample::Index>(),
    )
        .prop_map(move |(edits, cut)| {
            let mut b = base.as_bytes().to_vec();
            for (at, byte, kind) in edits {
                let i = at.index(b.len().max(1));
                match kind {
                    0 if i < b.len() => b[i] = byte,
                    1 => b.insert(i.min(b.len()), byte),
                    _ if i < b.len() => {
                        b.remove(i);
                    }
                    _ => {}
                }
            }
            if cut.index(4) == 0 {
                let n = cut.index(b.len().max(1));
                b.truncate(n);
            }
            String::from_utf8_lossy(&b).into_owned()
        })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\\[\\]{}\",:0-9a-zA-Z .\\-\\n\\r;=]{0,400}"
    ]
}

fn geojson(text: &str) {
    if let Ok((features, keys)) = domain::grid_import::read(text) {
        let m = Mapping::guess(&keys);
        for crs in [Crs::Wgs84, Crs::Gcj02, Crs::Bd09] {
            let (drafts, _issues) = domain::grid_import::drafts(&features, &m, crs, 1);
            for d in drafts {
                let _ = d.check();
            }
        }
    }
    let _ = domain::grid_import::context_paths(text, Crs::Wgs84);
}

fn ics(text: &str) {
    let defaults = IcsDefaults {
        category: "other".into(),
        capacity: 10,
        visibility: "public".into(),
    };
    let _ = read_ics(text, &defaults);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn geojson_never_panics(t in prop_oneof![mutated(GEOJSON), text()]) {
        geojson(&t);
    }

    #[test]
    fn org_csv_never_panics(t in prop_oneof![mutated(CSV), text()]) {
        let levels = LevelSet::five_level();
        let plan = domain::org::import::read_csv(&t, &levels);
        let tree = domain::org::Tree::new(Vec::new());
        let (sources, taken) = Default::default();
        let stored = domain::org::import::Stored { tree: &tree, sources: &sources, taken: &taken };
        let _ = domain::org::import::plan(plan, &stored, &levels, |_| true, |_| Ok(()));
    }

    #[test]
    fn org_json_never_panics(t in prop_oneof![mutated(ORG_JSON), text()]) {
        let levels = LevelSet::district_wide();
        let plan = domain::org::import::guessed(domain::org::import::read_json_table(&t), &levels);
        let tree = domain::org::Tree::new(Vec::new());
        let (sources, taken) = Default::default();
        let stored = domain::org::import::Stored { tree: &tree, sources: &sources, taken: &taken };
        let _ = domain::org::import::plan(plan, &stored, &levels, |_| true, |_| Ok(()));
    }

    #[test]
    fn org_xlsx_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..2000), flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..16)) {
        let levels = LevelSet::five_level();
        let _ = domain::org::import::read_xlsx(&bytes, &levels);
        // A real workbook with bytes flipped.
        let mut book = valid_xlsx();
        for (at, b) in flips {
            let i = at.index(book.len());
            book[i] = b;
        }
        let _ = domain::org::import::read_xlsx(&book, &levels);
    }

    #[test]
    fn ics_never_panics(t in prop_oneof![mutated(ICS), text()]) {
        ics(&t);
    }

    #[test]
    fn rrules_and_event_fields_never_panic(rule in prop_oneof![
        "(FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY|SECONDLY);)?(INTERVAL=[0-9]{1,6};)?(COUNT=[0-9]{1,9};)?(BYMONTHDAY=-?[0-9]{1,3}(,[0-9]{1,2})?;)?(BYDAY=[+-]?[0-9]?(MO|TU|SU|XX);)?(UNTIL=[0-9]{8}(T[0-9]{6}Z?)?)?",
        any::<String>(),
    ], start in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}", capacity in any::<i64>(), minutes in any::<i64>()) {
        if let Ok(at) = LocalDateTime::parse(&start) {
            if domain::recurrence::parse(&rule, &at).is_ok() {
                let _ = domain::recurrence::is_occurrence(&at, Some(&rule), &at);
            }
        }
        let _ = EventDraft::parse(RawEvent {
            title: "讲座",
            description: "",
            category: "lecture",
            location: "x",
            starts_at: &start,
            ends_at: &start,
            rrule: &rule,
            capacity,
            guests_allowed: capacity,
            rsvp_deadline_minutes: minutes,
            visibility: "public",
        });
    }

    #[test]
    fn encoded_rings_never_panic(s in prop_oneof![any::<String>(), "[?-~]{0,200}"]) {
        let _ = domain::geometry::compact_ring::decode(&s);
    }
}

fn valid_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, line) in CSV.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            sheet.write_string(r as u32, c as u16, cell).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// The documents the mutations start from are valid, so the mutations explore nearly-right files.
#[test]
fn the_starting_documents_are_valid() {
    let (features, _) = domain::grid_import::read(GEOJSON).unwrap();
    assert_eq!(features.len(), 1);
    let levels = LevelSet::five_level();
    let plan = domain::org::import::read_csv(CSV, &levels);
    assert_eq!(
        (plan.rows.len(), plan.problems.len()),
        (2, 0),
        "{:?}",
        plan.problems
    );
    let plan = domain::org::import::read_xlsx(&valid_xlsx(), &levels);
    assert_eq!(
        (plan.rows.len(), plan.problems.len()),
        (2, 0),
        "{:?}",
        plan.problems
    );
    let defaults = IcsDefaults {
        category: "other".into(),
        capacity: 10,
        visibility: "public".into(),
    };
    let rows = read_ics(ICS, &defaults).unwrap();
    assert_eq!(rows.len(), 1);
}
