//! Events over HTTP: publishing, RSVP, waitlist, check-in, visibility, edits, attendee exports.
//! One behaviour per test; each starts from the demo district.

use crate::common::*;
use app::api::admin::AdminSetPartyMember;
use app::api::auth::SetMyPhone;
use app::api::events::{
    EventAttendees, EventCheckIn, EventCreate, EventDetail, EventInput, EventRsvp, EventUpdate,
    EventsCalendar, EventsStats,
};
use domain::event::EditScope;

/// 仙林 community's branch, where the demo organiser `shuji` publishes.
const BRANCH: &str = "320113001001";
/// The (first) occurrence of every event made by `clinic`.
const AT: &str = "2030-03-10T09:00";

/// A two-hour clinic on 10 March 2030 at 09:00, published by `unit`.
fn clinic(unit: &str, title: &str, capacity: i64, visibility: &str) -> EventCreate {
    EventCreate {
        unit_code: unit.into(),
        input: EventInput {
            title: title.into(),
            description: "带好身份证".into(),
            category: "clinic".into(),
            location: "卫生服务站".into(),
            starts_at: AT.into(),
            ends_at: "2030-03-10T11:00".into(),
            capacity,
            guests_allowed: 1,
            rsvp_deadline_minutes: 30,
            visibility: visibility.into(),
            ..EventInput::default()
        },
    }
}

/// Publishes `event` as `cookie` and returns its id.
async fn publish(app: &TestApp, cookie: &str, event: &EventCreate) -> i64 {
    let r = app.call(event, Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.json().as_i64().unwrap()
}

fn rsvp(id: i64, going: bool, guests: i64) -> EventRsvp {
    EventRsvp {
        id,
        at: AT.into(),
        going,
        guests,
    }
}

fn march(community: &str) -> EventsCalendar {
    EventsCalendar {
        from: "2030-03-01T00:00".into(),
        to: "2030-04-01T00:00".into(),
        category: String::new(),
        community: community.into(),
    }
}

fn year(to: &str) -> EventsStats {
    EventsStats {
        from: "2030-01-01T00:00".into(),
        to: to.into(),
    }
}

// ---- Publishing ----------------------------------------------------------------------------

#[tokio::test]
async fn organisers_publish_inside_their_subtree_and_nobody_else_does() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    publish(&app, &shuji, &clinic(BRANCH, "义诊", 1, "public")).await;
    let street = clinic("320113001", "越权", 1, "public");
    assert_eq!(
        app.call(&street, Some(&shuji)).await.status,
        StatusCode::FORBIDDEN
    );
    for user in ["jumin", "wangge"] {
        let cookie = app.login(user).await;
        let r = app
            .call(&clinic(BRANCH, user, 1, "public"), Some(&cookie))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
}

#[tokio::test]
async fn a_malformed_event_is_refused_with_the_field_named() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let with = |f: &dyn Fn(&mut EventCreate)| {
        let mut e = clinic(BRANCH, "x", 5, "public");
        f(&mut e);
        e
    };
    for (bad, key) in [
        (with(&|e| e.input.title.clear()), "err.event_title"),
        (
            with(&|e| e.input.rrule = "FREQ=MINUTELY".into()),
            "err.rrule_frequency",
        ),
        (
            with(&|e| e.input.rrule = "FREQ=DAILY;COUNT=99999".into()),
            "err.rrule_count",
        ),
        (
            with(&|e| e.input.rrule = "FREQ=NEVER".into()),
            "err.rrule_invalid",
        ),
        (with(&|e| e.input.capacity = 0), "err.event_capacity"),
        (with(&|e| e.input.capacity = -3), "err.event_capacity"),
        (
            with(&|e| e.input.visibility = "everyone".into()),
            "err.event_visibility",
        ),
        (with(&|e| e.unit_code = "abc".into()), "err.code"),
        (
            with(&|e| e.input.description = "a".repeat(6000)),
            "err.event_description",
        ),
    ] {
        let r = app.call(&bad, Some(&shuji)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{key}: {}", r.body);
        assert!(r.body.contains(key), "{key}: {}", r.body);
    }
}

// ---- RSVP and waitlist ---------------------------------------------------------------------

#[tokio::test]
async fn the_last_seat_goes_to_the_first_answer_and_the_next_waits() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let admin = app.login("admin").await;
    let id = publish(&app, &shuji, &clinic(BRANCH, "义诊", 1, "public")).await;
    let cal = app.call(&march(""), Some(&jumin)).await.json();
    assert!(
        cal.as_array()
            .unwrap()
            .iter()
            .any(|o| o["event_id"] == id && o["starts_at"] == AT),
        "{cal}"
    );
    let r = app.call(&rsvp(id, true, 0), Some(&jumin)).await;
    assert_eq!(r.json()["status"], "going", "{}", r.body);
    let r = app.call(&rsvp(id, true, 0), Some(&admin)).await;
    assert_eq!(
        (r.json()["status"].clone(), r.json()["position"].clone()),
        ("waitlisted".into(), 1.into())
    );
}

#[tokio::test]
async fn too_many_guests_or_a_time_the_event_does_not_have_are_refused() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let wangge = app.login("wangge").await;
    let id = publish(&app, &shuji, &clinic(BRANCH, "义诊", 1, "public")).await;
    let r = app.call(&rsvp(id, true, 5), Some(&wangge)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let elsewhen = EventRsvp {
        at: "2030-03-11T09:00".into(),
        ..rsvp(id, true, 0)
    };
    assert_eq!(
        app.call(&elsewhen, Some(&wangge)).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_cancellation_promotes_the_first_who_waits() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let admin = app.login("admin").await;
    let id = publish(&app, &shuji, &clinic(BRANCH, "义诊", 1, "public")).await;
    app.call(&rsvp(id, true, 0), Some(&jumin)).await;
    app.call(&rsvp(id, true, 0), Some(&admin)).await;
    let r = app.call(&rsvp(id, false, 0), Some(&jumin)).await;
    assert_eq!(r.json()["status"], "not-going");
    let d = app
        .call(&EventDetail { id, at: AT.into() }, Some(&admin))
        .await
        .json();
    assert_eq!(
        d["mine"]["status"], "going",
        "the promoted one sees it: {d}"
    );
    assert_eq!(d["can_manage"], true);
    assert_eq!(d["occurrence"]["taken"], 1);
}

// ---- Attendees and check-in ----------------------------------------------------------------

/// A one-seat clinic with `jumin` going and `admin` waiting; returns its id and jumin's check-in code.
async fn full_clinic(app: &TestApp, shuji: &str) -> (i64, String) {
    let id = publish(app, shuji, &clinic(BRANCH, "义诊", 1, "public")).await;
    let jumin = app.login("jumin").await;
    let code = app.call(&rsvp(id, true, 0), Some(&jumin)).await.json()["checkin_code"]
        .as_str()
        .unwrap()
        .to_owned();
    app.call(&rsvp(id, true, 0), Some(&app.login("admin").await))
        .await;
    (id, code)
}

#[tokio::test]
async fn attendees_and_check_in_belong_to_the_organising_side() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let (id, code) = full_clinic(&app, &shuji).await;
    let check_in = EventCheckIn {
        id,
        at: AT.into(),
        code,
    };
    let attendees = EventAttendees { id, at: AT.into() };
    for user in ["jumin", "wangge"] {
        let cookie = app.login(user).await;
        assert_eq!(
            app.call(&attendees, Some(&cookie)).await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
        assert_eq!(
            app.call(&check_in, Some(&cookie)).await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    let list = app.call(&attendees, Some(&shuji)).await.json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        !list.to_string().contains("138") && !list.to_string().contains("username"),
        "names only: {list}"
    );
}

#[tokio::test]
async fn checking_in_twice_says_already_checked_in() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let (id, code) = full_clinic(&app, &shuji).await;
    let check_in = EventCheckIn {
        id,
        at: AT.into(),
        code,
    };
    let r = app.call(&check_in, Some(&shuji)).await;
    assert!(r.body.contains("Done"), "{}", r.body);
    let r = app.call(&check_in, Some(&shuji)).await;
    assert!(r.body.contains("AlreadyCheckedIn"), "{}", r.body);
}

// ---- Statistics ----------------------------------------------------------------------------

#[tokio::test]
async fn statistics_count_checked_in_hours_for_the_organising_side_only() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let (id, code) = full_clinic(&app, &shuji).await;
    app.call(
        &EventCheckIn {
            id,
            at: AT.into(),
            code,
        },
        Some(&shuji),
    )
    .await;
    let stats = app
        .call(&year("2030-12-31T00:00"), Some(&shuji))
        .await
        .json();
    assert_eq!(stats["people"][0]["person"], "居民李阿姨", "{stats}");
    assert_eq!(stats["people"][0]["hours"], 2.0);
    assert_eq!(stats["units"][0]["unit_code"], BRANCH);
    for user in ["jumin", "wangge"] {
        let cookie = app.login(user).await;
        let r = app.call(&year("2030-12-31T00:00"), Some(&cookie)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
}

#[tokio::test]
async fn statistics_cover_at_most_two_years() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let r = app.call(&year("2032-12-31T00:00"), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

// ---- Visibility and the calendar -----------------------------------------------------------

#[tokio::test]
async fn party_member_events_are_hidden_from_residents() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let jumin = app.login("jumin").await;
    let id = publish(
        &app,
        &admin,
        &clinic("320113001", "党员大会", 30, "party-members"),
    )
    .await;
    assert!(!app
        .call(&march(""), Some(&jumin))
        .await
        .body
        .contains("党员大会"));
    let detail = EventDetail { id, at: AT.into() };
    assert_eq!(
        app.call(&detail, Some(&jumin)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(&rsvp(id, true, 0), Some(&jumin)).await.status,
        StatusCode::NOT_FOUND
    );
    assert!(app
        .call(&march(""), Some(&admin))
        .await
        .body
        .contains("党员大会"));
}

#[tokio::test]
async fn a_resident_marked_a_party_member_by_an_administrator_sees_party_events() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let id = publish(
        &app,
        &admin,
        &clinic("320113001", "党员大会", 30, "party-members"),
    )
    .await;
    let jumin_id = app.db.user_by_name("jumin").await.unwrap().unwrap().id;
    let mark = |party_member| AdminSetPartyMember {
        id: jumin_id,
        party_member,
    };
    let r = app.call(&mark(true), Some(&shuji)).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "organisers cannot mark party members"
    );
    assert!(!app.db.user(jumin_id).await.unwrap().party_member);

    let r = app.call(&mark(true), Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(app
        .call(&march(""), Some(&jumin))
        .await
        .body
        .contains("党员大会"));
    let detail = EventDetail { id, at: AT.into() };
    let r = app.call(&detail, Some(&jumin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    app.call(&mark(false), Some(&admin)).await;
    assert_eq!(
        app.call(&detail, Some(&jumin)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn calendar_windows_are_capped() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let half_year = EventsCalendar {
        to: "2030-09-01T00:00".into(),
        ..march("")
    };
    assert_eq!(
        app.call(&half_year, Some(&admin)).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_community_calendar_shows_the_streets_events_and_its_own_not_a_neighbours() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let shuji = app.login("shuji").await;
    publish(
        &app,
        &admin,
        &clinic("320113001", "党员大会", 30, "party-members"),
    )
    .await;
    publish(&app, &shuji, &clinic(BRANCH, "仙林专场", 30, "public")).await;
    let here = app.call(&march(BRANCH), Some(&admin)).await.body;
    let neighbour = app.call(&march("320113001002"), Some(&admin)).await.body;
    assert!(
        here.contains("党员大会") && neighbour.contains("党员大会"),
        "street-level events reach every community"
    );
    assert!(here.contains("仙林专场"));
    assert!(!neighbour.contains("仙林专场"));
    assert_eq!(
        app.call(&march("x1"), Some(&admin)).await.status,
        StatusCode::BAD_REQUEST
    );
}

// ---- Editing -------------------------------------------------------------------------------

/// A weekly 院坝会, four times from 10 March 2030 09:00, published by `shuji`.
async fn weekly_meeting(app: &TestApp, shuji: &str) -> i64 {
    let mut e = clinic(BRANCH, "院坝会", 10, "public");
    e.input.rrule = "FREQ=WEEKLY;COUNT=4".into();
    publish(app, shuji, &e).await
}

/// Retimes the occurrence at `at` of the weekly meeting to `start`–`end` (wall time), in `mode`.
fn retime(id: i64, version: i64, mode: EditScope, at: &str, start: &str, end: &str) -> EventUpdate {
    let mut input = clinic(BRANCH, "院坝会（改时间）", 10, "public").input;
    input.rrule = "FREQ=WEEKLY;COUNT=4".into();
    input.starts_at = start.into();
    input.ends_at = end.into();
    EventUpdate {
        id,
        version,
        mode,
        at: at.into(),
        input,
    }
}

/// Moves the whole weekly meeting an hour later, as an edit of its second occurrence (version 1).
fn an_hour_later(id: i64) -> EventUpdate {
    retime(
        id,
        1,
        EditScope::Series,
        "2030-03-17T09:00",
        "2030-03-17T10:00",
        "2030-03-17T12:00",
    )
}

#[tokio::test]
async fn residents_cannot_edit_events() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let id = weekly_meeting(&app, &shuji).await;
    let edit = an_hour_later(id);
    assert_eq!(
        app.call(&edit, Some(&jumin)).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn retiming_one_occurrence_of_the_series_moves_every_occurrence() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let id = weekly_meeting(&app, &shuji).await;
    let edit = an_hour_later(id);
    let r = app.call(&edit, Some(&shuji)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = app
        .call(
            &EventDetail {
                id,
                at: "2030-03-10T10:00".into(),
            },
            Some(&shuji),
        )
        .await
        .json();
    assert_eq!(d["occurrence"]["title"], "院坝会（改时间）");
    assert_eq!(d["version"], 2);
}

#[tokio::test]
async fn a_stale_edit_gets_a_clear_conflict_and_changes_nothing() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let id = weekly_meeting(&app, &shuji).await;
    let first = an_hour_later(id);
    app.call(&first, Some(&shuji)).await;
    let stale = retime(
        id,
        1,
        EditScope::Series,
        "2030-03-17T10:00",
        "2030-03-17T15:00",
        "2030-03-17T16:00",
    );
    let r = app.call(&stale, Some(&shuji)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("err.event_conflict"));
    let d = app
        .call(
            &EventDetail {
                id,
                at: "2030-03-10T10:00".into(),
            },
            Some(&shuji),
        )
        .await;
    assert_eq!(d.status, StatusCode::OK, "the first edit's times stand");
}

#[tokio::test]
async fn editing_this_and_following_starts_a_new_series_from_that_occurrence() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let id = weekly_meeting(&app, &shuji).await;
    let r = app
        .call(
            &retime(
                id,
                1,
                EditScope::Following,
                "2030-03-24T09:00",
                "2030-03-24T19:00",
                "2030-03-24T20:00",
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new_id = r.json().as_i64().unwrap();
    assert_ne!(new_id, id);
    let cal = app.call(&march(""), Some(&jumin)).await.json();
    let times: Vec<&str> = cal
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["event_id"] == id || o["event_id"] == new_id)
        .map(|o| o["starts_at"].as_str().unwrap())
        .collect();
    assert_eq!(
        times,
        [
            "2030-03-10T09:00",
            "2030-03-17T09:00",
            "2030-03-24T19:00",
            "2030-03-31T19:00"
        ],
        "four in all, as COUNT=4 said"
    );
}

#[tokio::test]
async fn an_unknown_edit_scope_is_refused() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let id = weekly_meeting(&app, &shuji).await;
    let form = event_input(&format!(
        "id={id}&version=1&mode=sometimes&at=2030-03-24T09:00&{}",
        event_fields_flat(BRANCH, "院坝会", "FREQ=WEEKLY;COUNT=4", "10", "public")
    ));
    let r = app.post("event_update", &form, Some(&shuji)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

// ---- Attendee exports ----------------------------------------------------------------------

#[tokio::test]
async fn a_phone_number_is_checked_and_shown_masked() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let set = |phone: &str| SetMyPhone {
        phone: phone.into(),
    };
    assert_eq!(
        app.call(&set("12345"), Some(&jumin)).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.call(&set("138-1234-5678"), Some(&jumin)).await.json(),
        "138****5678"
    );
}

/// The demo district with a ten-seat clinic answered by `jumin` (phone 138-1234-5678) and by a
/// resident whose display name is a spreadsheet formula; returns it with the organiser's session
/// and the event's id.
async fn answered_clinic() -> (TestApp, String, i64) {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    app.call(
        &SetMyPhone {
            phone: "138-1234-5678".into(),
        },
        Some(&jumin),
    )
    .await;
    let evil = app
        .post(
            "register",
            &form(&[
                ("username", "mallory"),
                ("display_name", "=HYPERLINK(\"http://x\")"),
                ("password", "correct-horse-1"),
                ("community", BRANCH),
            ]),
            None,
        )
        .await
        .cookie()
        .unwrap();
    let id = publish(&app, &shuji, &clinic(BRANCH, "义诊", 10, "public")).await;
    app.call(&rsvp(id, true, 0), Some(&jumin)).await;
    app.call(&rsvp(id, true, 0), Some(&evil)).await;
    (app, shuji, id)
}

/// How many phone reveals the audit log holds.
async fn reveals(app: &TestApp) -> usize {
    app.db
        .audit_entries(Some("reveal_phone"), 10)
        .await
        .unwrap()
        .len()
}

/// `GET /export/attendees.csv` (masked; `reveal` asks for phones the GET way, which is refused).
fn export(id: i64, cookie: Option<&str>, reveal: bool) -> Request<Body> {
    let mut b = Request::get(format!(
        "/export/attendees.csv?event={id}&at={AT}{}",
        if reveal { "&reveal=1" } else { "" }
    ));
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

/// The reveal: a POST from `site` (a `Sec-Fetch-Site` value) with a reason.
fn reveal(id: i64, cookie: &str, site: &str, reason: &str) -> Request<Body> {
    Request::post("/export/attendees.csv")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header("sec-fetch-site", site)
        .header(header::COOKIE, cookie)
        .body(Body::from(format!(
            "event={id}&at={AT}&reason={}",
            enc(reason)
        )))
        .unwrap()
}

#[tokio::test]
async fn the_attendee_export_needs_a_login() {
    let (app, _, id) = answered_clinic().await;
    assert_eq!(
        app.send(export(id, None, false)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_attendee_export_masks_phones_and_defuses_formulas() {
    let (app, shuji, id) = answered_clinic().await;
    let masked = app.send(export(id, Some(&shuji), false)).await;
    assert_eq!(masked.status, StatusCode::OK);
    assert_eq!(
        masked.headers[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    assert!(
        masked.body.starts_with('\u{feff}'),
        "a BOM for spreadsheet programs"
    );
    assert!(
        masked.body.contains("138****5678") && !masked.body.contains("13812345678"),
        "{}",
        masked.body
    );
    assert!(
        masked.body.contains("\"'=HYPERLINK("),
        "formulas are defused: {}",
        masked.body
    );
}

#[tokio::test]
async fn a_resident_cannot_reveal_phones_and_the_refusal_is_recorded() {
    let (app, _, id) = answered_clinic().await;
    let jumin = app.login("jumin").await;
    let r = app.send(reveal(id, &jumin, "same-origin", "看看")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let refused = app
        .db
        .audit_entries(Some("export_attendees"), 10)
        .await
        .unwrap();
    assert_eq!(refused.iter().filter(|a| a.result == "refused").count(), 1);
}

#[tokio::test]
async fn a_reveal_by_get_or_from_another_site_is_refused_and_writes_nothing() {
    let (app, shuji, id) = answered_clinic().await;
    // The probe's link: a top-level GET from another site asking for a reveal.
    let mut cross = export(id, Some(&shuji), true);
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let r = app.send(cross).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert!(!r.body.contains("13812345678"));
    let r = app.send(export(id, Some(&shuji), true)).await;
    assert_eq!(
        r.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "not even from this site"
    );
    // A form on another site posting is refused before it is read.
    let r = app.send(reveal(id, &shuji, "cross-site", "核对报名")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(reveals(&app).await, 0);
}

#[tokio::test]
async fn no_reason_no_reveal() {
    let (app, shuji, id) = answered_clinic().await;
    let r = app.send(reveal(id, &shuji, "same-origin", "  ")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(reveals(&app).await, 0);
}

#[tokio::test]
async fn a_reveal_with_a_reason_shows_phones_and_is_recorded_with_it() {
    let (app, shuji, id) = answered_clinic().await;
    let full = app
        .send(reveal(id, &shuji, "same-origin", "电话通知活动改期"))
        .await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert!(full.body.contains("13812345678"));
    let reveals = app
        .db
        .audit_entries(Some("reveal_phone"), 10)
        .await
        .unwrap();
    assert_eq!(reveals.len(), 1, "each reveal is recorded");
    assert_eq!(reveals[0].actor, "shuji");
    assert!(
        reveals[0].detail.contains("电话通知活动改期"),
        "with its reason"
    );
}
