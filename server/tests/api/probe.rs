//! Regression tests for the findings of the black-box probe (issue 16), each as the probe did it:
//! through the real router, with the demo accounts.

use crate::common::*;

fn workbook_with_far_cell() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "组织编码").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

/// Finding 1: a 1.5 KB workbook with cells A1 and XFD1048576 aborted the process.
#[tokio::test]
async fn a_tiny_workbook_declaring_a_huge_sheet_is_refused_and_the_server_stays_up() {
    use base64::Engine;
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let bytes = workbook_with_far_cell();
    assert!(bytes.len() < 16 * 1024);
    let data = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let before = fingerprint(&app.db).await;
    let r = app
        .post(
            "orgs_import",
            &format!("format=xlsx&mapping=&data={}&commit=false", enc(&data)),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("org_import.xlsx_columns"), "{}", r.body);
    assert_eq!(r.json()["committed"], false);
    assert_eq!(fingerprint(&app.db).await, before);
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

const NEVER: &str = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30";

/// Finding 2: rules that never give a date are refused when published and when imported.
#[tokio::test]
async fn rules_that_never_give_a_date_are_refused_on_create_and_import() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let before = fingerprint(&app.db).await;
    let r = app
        .post(
            "event_create",
            &event_input(&format!(
                "unit_code=320113001001&title=x&description=&category=meeting&location=x&\
                 starts_at=2026-12-10T09:00&ends_at=2026-12-10T10:00&rrule={}&capacity=10&\
                 guests_allowed=0&rsvp_deadline_minutes=0&visibility=public",
                enc(NEVER)
            )),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("err.rrule_never"), "{}", r.body);

    // The probe's file: 200 such events. Refused whole, quickly (after the eleventh).
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//probe//EN\r\n");
    for i in 0..200 {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:never-{i}@probe\r\nSUMMARY:never {i}\r\nDTSTART:20261210T010000Z\r\n\
             DTEND:20261210T020000Z\r\nRRULE:{NEVER}\r\nEND:VEVENT\r\n"
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    let r = app
        .post(
            "events_import_ics",
            &format!(
                "unit_code=320113001001&ics={}&category=meeting&capacity=10&visibility=public&commit=true",
                enc(&ics)
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("ics.never_rules"), "{}", r.body);
    // One such event is named on its row and left out; the rest of the file imports.
    let one = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//probe//EN\r\n\
        BEGIN:VEVENT\r\nUID:never@probe\r\nSUMMARY:never\r\nDTSTART:20261210T010000Z\r\nDTEND:20261210T020000Z\r\n\
        RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:fine@probe\r\nSUMMARY:fine\r\nDTSTART:20261211T010000Z\r\nDTEND:20261211T020000Z\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";
    let r = app
        .post(
            "events_import_ics",
            &format!(
                "unit_code=320113001001&ics={}&category=meeting&capacity=10&visibility=public&commit=false",
                enc(one)
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("err.rrule_never"), "{}", r.body);
    assert_eq!(fingerprint(&app.db).await, before);
}

/// Finding 3: `events_upcoming` listed party-member events for residents.
#[tokio::test]
async fn upcoming_events_hide_party_member_events_from_residents() {
    let app = spawn().await;
    event_of(
        &app.db,
        "320113001001",
        "党员专题组织生活会",
        "party-members",
    )
    .await;
    event_of(&app.db, "320113001001", "公开讲座", "public").await;
    let jumin = app.login("jumin").await;
    let r = app
        .post("events_upcoming", "from=2031-03-01T00:00", Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("公开讲座"));
    assert!(!r.body.contains("党员专题组织生活会"), "{}", r.body);
    let shuji = app.login("shuji").await;
    let r = app
        .post("events_upcoming", "from=2031-03-01T00:00", Some(&shuji))
        .await;
    assert!(
        r.body.contains("党员专题组织生活会"),
        "staff still see them"
    );
}

fn registration(name: &str, display: &str) -> String {
    format!(
        "username={name}&display_name={}&password=neighbours-help-2026&community=320113001001",
        enc(display)
    )
}

/// Finding 5: registration had no rate limit.
#[tokio::test]
async fn registration_is_limited_per_address() {
    let app = spawn().await;
    for i in 0..10 {
        let r = app
            .post_from(
                [198, 51, 100, 1],
                "register",
                &registration(&format!("family{i}"), "邻居"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{i}: {}", r.body);
    }
    let before = app.db.count_users().await.unwrap();
    let r = app
        .post_from(
            [198, 51, 100, 1],
            "register",
            &registration("family10", "邻居"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(r.body.contains("Locked"));
    assert_eq!(app.db.count_users().await.unwrap(), before);
    // Another address (another phone) registers as usual.
    let r = app
        .post_from(
            [198, 51, 100, 2],
            "register",
            &registration("zhangwei", "张伟"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Finding 6: five wrong passwords from anywhere locked the administrator out.
#[tokio::test]
async fn a_stranger_cannot_lock_the_administrator_out() {
    let app = spawn().await;
    for _ in 0..8 {
        let r = app
            .post_from(
                [203, 0, 113, 66],
                "login",
                "username=admin&password=guess-guess",
                None,
            )
            .await;
        assert!(
            r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::TOO_MANY_REQUESTS,
            "{}",
            r.body
        );
    }
    // The stranger's address is locked for this account…
    let r = app
        .post_from(
            [203, 0, 113, 66],
            "login",
            &format!("username=admin&password={DEMO_PASSWORD}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // …the administrator's is not.
    let r = app
        .post_from(
            [10, 0, 0, 5],
            "login",
            &format!("username=admin&password={DEMO_PASSWORD}"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

/// Finding 7: names that impersonate staff were accepted and shown as they were.
#[tokio::test]
async fn display_names_that_impersonate_are_refused() {
    let app = spawn().await;
    let before = app.db.count_users().await.unwrap();
    for (i, (name, key)) in [
        ("系统\u{200b}管理员", "err.display_name_invisible"),
        ("\u{202e}evil\u{202c}管理员", "err.display_name_invisible"),
        ("系统管理员", "err.display_name_staff"),
        ("社区书记", "err.display_name_staff"),
        ("ＡＤＭＩＮ", "err.display_name_staff"),
    ]
    .into_iter()
    .enumerate()
    {
        let r = app
            .post_from(
                [198, 51, 100, 9],
                "register",
                &registration(&format!("imp{i}"), name),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{name}: {}", r.body);
        assert!(r.body.contains(key), "{name}: {}", r.body);
    }
    assert_eq!(app.db.count_users().await.unwrap(), before);
    // Names are stored in one spelling (NFKC): full-width letters become ASCII.
    let r = app
        .post_from(
            [198, 51, 100, 9],
            "register",
            &registration("wide", "Ｌｉ　Ｍｉｎｇ"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["display_name"], "Li Ming");
}

/// Finding 9: a private feed address survived disabling and re-enabling the account.
#[tokio::test]
async fn disabling_an_account_ends_its_feed_address() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let token = app.feed_token(&jumin).await;
    let feed = format!("/feeds/me/{token}.ics");
    assert_eq!(app.get(&feed).await.status, StatusCode::OK);
    let admin = app.login("admin").await;
    let id = app.db.user_by_name("jumin").await.unwrap().unwrap().id;
    for disabled in [true, false] {
        let r = app
            .post(
                "admin_set_disabled",
                &format!("id={id}&disabled={disabled}"),
                Some(&admin),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    assert_ne!(app.get(&feed).await.status, StatusCode::OK);
}
