//! The iCalendar feeds, checked against an independent implementation (Python's icalendar).

use crate::common::*;
use app::api::events::{
    EventCancelOccurrence, EventCreate, EventDetail, EventInput, EventRsvp, EventUpdate,
};
use domain::event::EditScope;

/// Expands an .ics body with the independent Python implementation (tools/ics_expand.py).
fn python_expand(ics: &str, from: &str, to: &str) -> Vec<(String, String, String)> {
    python_expand_full(ics, from, to)
        .into_iter()
        .map(|(u, s, st, _)| (u, s, st))
        .collect()
}

/// (uid, start in Asia/Shanghai, status, summary) of every occurrence in `[from, to)`, as the
/// independent Python implementation (tools/ics_expand.py) expands `ics`.
pub(crate) fn python_expand_full(
    ics: &str,
    from: &str,
    to: &str,
) -> Vec<(String, String, String, String)> {
    let dir =
        std::env::temp_dir().join(format!("linli_ics_{}_{}", std::process::id(), store::now()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!("{}.ics", ics.len()));
    std::fs::write(&file, ics).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/ics_expand.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&file)
        .arg(from)
        .arg(to)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "ics_expand.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The window every test expands.
const FROM: &str = "2030-01-01T00:00";
const TO: &str = "2030-07-01T00:00";

fn street_event(title: &str, start: &str, end: &str, rrule: &str) -> EventInput {
    EventInput {
        title: title.into(),
        description: "第一行\n第二行; 带, 逗号".into(),
        category: "service-day".into(),
        location: "党群服务中心".into(),
        starts_at: start.into(),
        ends_at: end.into(),
        rrule: rrule.into(),
        capacity: 30,
        visibility: "public".into(),
        ..EventInput::default()
    }
}

/// The street's half year, published by `admin`: service days on the 15th and 25th (the one of
/// 25 March moved to the 26th at 14:00, the one of 25 February cancelled), a meeting on each
/// month's last day, a clinic on each second Saturday, six weekly lectures and one festival.
/// Returns the five events' ids in that order.
async fn street_calendar(app: &TestApp, admin: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for (title, start, end, rule) in [
        (
            "集中服务日",
            "2030-01-15T09:00",
            "2030-01-15T11:30",
            "FREQ=MONTHLY;BYMONTHDAY=15,25",
        ),
        (
            "月末议事会",
            "2030-01-31T19:00",
            "2030-01-31T20:30",
            "FREQ=MONTHLY;BYMONTHDAY=-1",
        ),
        (
            "第二个周六义诊",
            "2030-01-12T08:30",
            "2030-01-12T11:00",
            "FREQ=MONTHLY;BYDAY=2SA",
        ),
        (
            "周三微党课",
            "2030-01-02T19:00",
            "2030-01-02T20:00",
            "FREQ=WEEKLY;COUNT=6",
        ),
        ("春节联欢", "2030-02-02T14:00", "2030-02-02T17:00", ""),
    ] {
        let create = EventCreate {
            unit_code: "320113001".into(),
            input: street_event(title, start, end, rule),
        };
        let r = app.call(&create, Some(admin)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        ids.push(r.json().as_i64().unwrap());
    }
    let mut input = street_event(
        "集中服务日",
        "2030-03-26T14:00",
        "2030-03-26T16:30",
        "FREQ=MONTHLY;BYMONTHDAY=15,25",
    );
    input.description.clear();
    let moved = EventUpdate {
        id: ids[0],
        version: 1,
        mode: EditScope::This,
        at: "2030-03-25T09:00".into(),
        input,
    };
    let r = app.call(&moved, Some(admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(&cancel(ids[0], "2030-02-25T09:00"), Some(admin))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    ids
}

fn cancel(id: i64, at: &str) -> EventCancelOccurrence {
    EventCancelOccurrence { id, at: at.into() }
}

fn uid(id: i64) -> String {
    format!("event-{id}@linli")
}

fn row(id: i64, at: &str, status: &str) -> (String, String, String) {
    (uid(id), at.into(), status.into())
}

#[tokio::test]
async fn a_moved_occurrence_shows_where_it_went() {
    let app = spawn().await;
    let ids = street_calendar(&app, &app.login("admin").await).await;
    let jumin = app.login("jumin").await;
    let d = app
        .call(
            &EventDetail {
                id: ids[0],
                at: "2030-03-25T09:00".into(),
            },
            Some(&jumin),
        )
        .await
        .json();
    assert_eq!(
        (
            d["occurrence"]["starts_at"].as_str(),
            d["occurrence"]["moved"].as_bool()
        ),
        (Some("2030-03-26T14:00"), Some(true))
    );
}

#[tokio::test]
async fn only_organisers_cancel_and_only_an_occurrence_that_exists() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let ids = street_calendar(&app, &admin).await;
    let jumin = app.login("jumin").await;
    let r = app
        .call(&cancel(ids[0], "2030-04-25T09:00"), Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(&cancel(ids[0], "2030-02-26T09:00"), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_feed_is_a_calendar_file_with_its_time_zone_and_folded_lines() {
    let app = spawn().await;
    street_calendar(&app, &app.login("admin").await).await;
    let feed = app.get("/feeds/events.ics").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    assert!(feed.body.contains("BEGIN:VTIMEZONE"));
    assert!(feed
        .body
        .contains("RECURRENCE-ID;TZID=Asia/Shanghai:20300225T090000"));
    assert!(feed.body.lines().all(|l| l.len() <= 75));
}

#[tokio::test]
async fn the_feed_agrees_with_an_independent_icalendar_implementation() {
    let app = spawn().await;
    let ids = street_calendar(&app, &app.login("admin").await).await;
    let theirs = python_expand(&app.get("/feeds/events.ics").await.body, FROM, TO);

    // Linli's own expansion of the same window, for every public event in the feed.
    let mut ours = Vec::new();
    let parse = |s| domain::event::LocalDateTime::parse(s).unwrap();
    let public = domain::event::Visibility::Public;
    for e in app.db.events_with_visibility(public).await.unwrap() {
        for o in app
            .db
            .occurrences(&e, &parse(FROM), &parse(TO))
            .await
            .unwrap()
        {
            let status = if o.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            };
            ours.push((uid(e.id), o.starts_at.to_string(), status.to_owned()));
        }
    }
    ours.sort();
    assert_eq!(theirs, ours);

    assert!(theirs.contains(&row(ids[0], "2030-02-25T09:00", "CANCELLED")));
    assert!(
        theirs.contains(&row(ids[0], "2030-03-26T14:00", "CONFIRMED")),
        "the moved occurrence"
    );
    assert!(
        !theirs
            .iter()
            .any(|r| r.0 == uid(ids[0]) && r.1 == "2030-03-25T09:00"),
        "and not where it was"
    );
    assert!(
        theirs.contains(&row(ids[1], "2030-02-28T19:00", "CONFIRMED")),
        "month ends"
    );
    assert_eq!(
        theirs.iter().filter(|r| r.0 == uid(ids[3])).count(),
        6,
        "COUNT"
    );
}

#[tokio::test]
async fn a_communitys_feed_carries_the_streets_events() {
    let app = spawn().await;
    let street = street_calendar(&app, &app.login("admin").await).await;
    let all = python_expand(&app.get("/feeds/events.ics").await.body, FROM, TO);
    let community = app.get("/feeds/events.ics?community=320113001002").await;
    let theirs = python_expand(&community.body, FROM, TO);
    // Every street event, nothing of the first community (its own service day), nothing else.
    let first_community_day = app
        .db
        .events_with_visibility(domain::event::Visibility::Public)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.title == "社区志愿服务日")
        .unwrap()
        .id;
    let expected: Vec<_> = all
        .iter()
        .filter(|r| r.0 != uid(first_community_day))
        .cloned()
        .collect();
    assert!(street
        .iter()
        .all(|id| theirs.iter().any(|r| r.0 == uid(*id))));
    assert!(all.iter().any(|r| r.0 == uid(first_community_day)));
    assert_eq!(theirs, expected);
    let bad = app.get("/feeds/events.ics?community=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn one_events_file_holds_that_event_only() {
    let app = spawn().await;
    let ids = street_calendar(&app, &app.login("admin").await).await;
    let one = app.get(&format!("/feeds/events/{}.ics", ids[4])).await;
    assert_eq!(
        python_expand(&one.body, FROM, TO),
        vec![row(ids[4], "2030-02-02T14:00", "CONFIRMED")]
    );
    let missing = app.get("/feeds/events/999999.ics").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_private_feed_holds_my_answers_under_the_current_token_only() {
    let app = spawn().await;
    let ids = street_calendar(&app, &app.login("admin").await).await;
    let jumin = app.login("jumin").await;
    let answer = EventRsvp {
        id: ids[0],
        at: "2030-03-15T09:00".into(),
        going: true,
        guests: 0,
    };
    app.call(&answer, Some(&jumin)).await;
    let token = app.feed_token(&jumin).await;
    assert_eq!(token.len(), 64);
    let mine = app.get(&format!("/feeds/me/{token}.ics")).await;
    assert_eq!(mine.status, StatusCode::OK);
    let cache = mine.headers[header::CACHE_CONTROL].to_str().unwrap();
    assert!(cache.contains("no-store"), "{cache}");
    let answered: Vec<String> = python_expand(&mine.body, FROM, TO)
        .into_iter()
        .map(|(_, at, _)| at)
        .collect();
    assert_eq!(
        answered,
        ["2030-03-15T09:00"],
        "the one occurrence answered"
    );
    let newer = app.feed_token(&jumin).await;
    let old = app.get(&format!("/feeds/me/{token}.ics")).await;
    assert_eq!(old.status, StatusCode::NOT_FOUND, "a rotated token is dead");
    assert_eq!(
        app.get(&format!("/feeds/me/{newer}.ics")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/feeds/me/guess.ics").await.status,
        StatusCode::NOT_FOUND
    );
}
