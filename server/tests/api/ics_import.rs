//! Importing `.ics` files into a community calendar, over real HTTP handlers and a real database.

use crate::common::*;
use axum::http::StatusCode;

fn form(unit: &str, ics: &str, commit: bool) -> String {
    format!(
        "unit_code={}&ics={}&category=other&capacity=30&visibility=public&commit={commit}",
        enc(unit),
        enc(ics)
    )
}

/// (start, cancelled) of the occurrences titled `title` in a calendar answer.
fn titled(cal: &Reply, title: &str) -> Vec<(String, bool)> {
    cal.json()
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["title"] == title)
        .map(|o| {
            (
                o["starts_at"].as_str().unwrap().to_owned(),
                o["cancelled"].as_bool().unwrap(),
            )
        })
        .collect()
}

const FILE: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\n\
BEGIN:VEVENT\r\nUID:walk@other\r\nSUMMARY:健步走\r\nCATEGORIES:volunteer\r\n\
DTSTART:20300301T003000Z\r\nDTEND:20300301T020000Z\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n\
EXDATE:20300308T003000Z\r\nLOCATION:滨江公园\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:tz@other\r\nSUMMARY:某地时间\r\nDTSTART;TZID=Mars/Olympus:20300301T100000\r\n\
DTEND;TZID=Mars/Olympus:20300301T110000\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[tokio::test]
async fn an_ics_file_is_previewed_then_imported_and_never_twice() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let before = app.db.count_events().await.unwrap();

    // Preview: one importable event (09:30–11:00 Beijing time, one week excluded), one refused.
    let r = app
        .post(
            "events_import_ics",
            &form("320113001001", FILE, false),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rep = r.json();
    assert_eq!(rep["imported"], 0);
    let rows = rep["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["draft"]["starts_at"], "2030-03-01T08:30");
    assert_eq!(rows[0]["draft"]["category"], "volunteer");
    assert_eq!(rows[0]["cancelled"][0], "2030-03-08T08:30");
    assert_eq!(rows[1]["problem"][0], "ics.time_zone");
    assert_eq!(rows[1]["problem"][1], "Mars/Olympus");
    assert_eq!(
        app.db.count_events().await.unwrap(),
        before,
        "a preview writes nothing"
    );

    // Commit: the importable event is published with its cancelled occurrence.
    let r = app
        .post(
            "events_import_ics",
            &form("320113001001", FILE, true),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["imported"], 1);
    assert_eq!(app.db.count_events().await.unwrap(), before + 1);
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community=",
            Some(&shuji),
        )
        .await;
    assert_eq!(cal.status, StatusCode::OK, "{}", cal.body);
    let walks = titled(&cal, "健步走");
    assert_eq!(walks.len(), 5, "{walks:?}");
    assert_eq!(walks[1], ("2030-03-08T08:30".to_owned(), true));
    assert!(walks.iter().filter(|w| !w.1).count() == 4);

    // The same file again: the event is already there, so nothing is imported twice.
    let r = app
        .post(
            "events_import_ics",
            &form("320113001001", FILE, false),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.json()["rows"][0]["problem"][0], "ics.duplicate");
    let r = app
        .post(
            "events_import_ics",
            &form("320113001001", FILE, true),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("ics.nothing"), "{}", r.body);
    assert_eq!(app.db.count_events().await.unwrap(), before + 1);
}

#[tokio::test]
async fn imports_are_refused_outside_the_callers_scope_and_for_bad_files() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let before = app.db.count_events().await.unwrap();
    for (who, unit) in [(&shuji, "320113001"), (&jumin, "320113001001")] {
        let r = app
            .post("events_import_ics", &form(unit, FILE, true), Some(who))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{unit}: {}", r.body);
    }
    let deep = "BEGIN:VCALENDAR\r\n".to_owned() + &"BEGIN:X\r\n".repeat(50_000);
    for (file, key) in [
        ("not a calendar at all", "ics.malformed"),
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
            "ics.no_events",
        ),
        (deep.as_str(), "ics.too_deep"),
    ] {
        let r = app
            .post(
                "events_import_ics",
                &form("320113001001", file, true),
                Some(&shuji),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{key}: {}", r.body);
        assert!(r.body.contains(key), "{key}: {}", r.body);
    }
    let r = app
        .post(
            "events_import_ics",
            &form("320113001001", FILE, true).replace("capacity=30", "capacity=0"),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        app.db.count_events().await.unwrap(),
        before,
        "nothing was stored"
    );
    let refused = app
        .db
        .audit_entries(Some("events_import_ics"), 10)
        .await
        .unwrap();
    assert!(!refused.is_empty(), "refusals are audited");
}

#[tokio::test]
async fn linli_reads_back_its_own_event_files() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    // A weekly series with one cancelled occurrence, published and exported by Linli.
    let r = app
        .post(
            "event_create",
            &event_input(
                "unit_code=320113001001&title=%E5%91%A8%E4%BC%9A&description=&category=meeting&location=&\
                 starts_at=2030-05-06T19:00&ends_at=2030-05-06T20:00&rrule=FREQ%3DWEEKLY%3BCOUNT%3D4&capacity=20&\
                 guests_allowed=0&rsvp_deadline_minutes=0&visibility=public",
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    let r = app
        .post(
            "event_cancel_occurrence",
            &format!("id={id}&at=2030-05-13T19:00"),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let file = app.get(&format!("/feeds/events/{id}.ics")).await;
    assert_eq!(file.status, StatusCode::OK);
    // Imported into a sibling community (the administrator may publish anywhere).
    let admin = app.login("admin").await;
    let r = app
        .post(
            "events_import_ics",
            &form("320113001002", &file.body, false),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rep = r.json();
    let rows = rep["rows"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        1,
        "the cancelled occurrence joins its series: {rows:?}"
    );
    assert_eq!(rows[0]["draft"]["rrule"], "FREQ=WEEKLY;COUNT=4");
    assert_eq!(rows[0]["draft"]["starts_at"], "2030-05-06T19:00");
    assert_eq!(rows[0]["cancelled"][0], "2030-05-13T19:00");
}

/// An Outlook calendar of a community in China: its zone by the Windows name, a meeting series
/// with one occurrence cancelled twice over (an EXDATE written twice and a deleted modification
/// of the same date), and a reminder without DTEND. Imported whole, without a 500.
const OUTLOOK: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Microsoft Exchange Server 2010\r\n\
BEGIN:VTIMEZONE\r\nTZID:China Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n\
TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E008\r\nSUMMARY:支部委员会会议\r\n\
DTSTART;TZID=China Standard Time:20300307T143000\r\nDTEND;TZID=China Standard Time:20300307T160000\r\n\
RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TH\r\nEXDATE;TZID=China Standard Time:20300314T143000\r\n\
EXDATE;TZID=China Standard Time:20300314T143000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:040000008200E00074C5B7101A82E008\r\n\
RECURRENCE-ID;TZID=China Standard Time:20300314T143000\r\nSTATUS:CANCELLED\r\nSUMMARY:支部委员会会议\r\n\
DTSTART;TZID=China Standard Time:20300314T143000\r\nDTEND;TZID=China Standard Time:20300314T160000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:reminder@outlook\r\nSUMMARY:交党费提醒\r\nDTSTART;TZID=China Standard Time:20300305T090000\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[tokio::test]
async fn an_outlook_calendar_with_a_deleted_modification_imports_whole() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let r = app
        .post(
            "events_import_ics",
            &form("320113001001", OUTLOOK, true),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rep = r.json();
    assert_eq!(rep["imported"], 2, "{rep}");
    let rows = rep["rows"].as_array().unwrap();
    assert_eq!(rows[0]["draft"]["starts_at"], "2030-03-07T14:30");
    assert_eq!(
        rows[0]["cancelled"],
        serde_json::json!(["2030-03-14T14:30"])
    );
    assert_eq!(rows[1]["draft"]["ends_at"], "2030-03-05T09:00");
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community=",
            Some(&shuji),
        )
        .await;
    let meetings = titled(&cal, "支部委员会会议");
    assert_eq!(
        meetings,
        [
            ("2030-03-07T14:30".to_owned(), false),
            ("2030-03-14T14:30".to_owned(), true),
            ("2030-03-21T14:30".to_owned(), false),
            ("2030-03-28T14:30".to_owned(), false),
        ]
    );
}

/// Every calendar of `server/tests/ics_corpus` (exports shaped like Outlook's, Google's, WPS's and
/// DingTalk's, and RFC 5545's examples) imported whole: the occurrences Linli then serves in each
/// event's feed over two years equal those an independent implementation (Python's
/// `recurring_ical_events`, tools/ics_expand.py) expands from the file, in Beijing time, by start
/// and title.
#[tokio::test]
async fn the_corpus_imports_with_the_occurrences_an_independent_implementation_expands() {
    let (from, to) = ("2027-01-01T00:00", "2029-01-01T00:00");
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ics_corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ics"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let app = spawn().await;
        let shuji = app.login("shuji").await;
        let before = app.db.count_events().await.unwrap();
        let r = app
            .post(
                "events_import_ics",
                &form("320113001001", &text, true),
                Some(&shuji),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.body);
        let rows = r.json()["rows"].as_array().unwrap().clone();
        let refused: Vec<_> = rows.iter().filter(|r| !r["problem"].is_null()).collect();
        assert!(refused.is_empty(), "{name}: refused rows {refused:?}");
        let after = app.db.count_events().await.unwrap();
        let confirmed = |v: Vec<(String, String, String, String)>| {
            let mut out: Vec<(String, String)> = v
                .into_iter()
                .filter(|(_, _, status, _)| status != "CANCELLED")
                .map(|(_, start, _, summary)| (start, summary))
                .collect();
            out.sort();
            out
        };
        let theirs = confirmed(crate::feeds::python_expand_full(&text, from, to));
        let mut ours = Vec::new();
        for id in before + 1..=after {
            let feed = app.get(&format!("/feeds/events/{id}.ics")).await;
            assert_eq!(feed.status, StatusCode::OK, "{name}: event {id}");
            ours.extend(crate::feeds::python_expand_full(&feed.body, from, to));
        }
        let ours = confirmed(ours);
        println!(
            "{name}: {} occurrences in the file, {} served by Linli",
            theirs.len(),
            ours.len()
        );
        assert_eq!(ours, theirs, "{name}");
    }
}
