//! The iCalendar feeds, checked against an independent implementation (Python's icalendar).

use crate::common::*;

/// Expands an .ics body with the independent Python implementation (tools/ics_expand.py).
fn python_expand(ics: &str, from: &str, to: &str) -> Vec<(String, String, String)> {
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
    let rows: Vec<(String, String, String, String)> = serde_json::from_slice(&out.stdout).unwrap();
    rows.into_iter().map(|(u, s, st, _)| (u, s, st)).collect()
}

#[tokio::test]
async fn feeds_agree_with_an_independent_icalendar_implementation() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let jumin = app.login("jumin").await;
    let mk = |title: &str, start: &str, end: &str, rule: &str| {
        event_input(&form(&[
            ("unit_code", "320113001"),
            ("title", title),
            ("description", "第一行\n第二行; 带, 逗号"),
            ("category", "service-day"),
            ("location", "党群服务中心"),
            ("starts_at", start),
            ("ends_at", end),
            ("rrule", rule),
            ("capacity", "30"),
            ("guests_allowed", "0"),
            ("rsvp_deadline_minutes", "0"),
            ("visibility", "public"),
        ]))
    };
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
        let r = app
            .post("event_create", &mk(title, start, end, rule), Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        ids.push(r.json().as_i64().unwrap());
    }
    // Move one occurrence (the service day of 2030-03-25 to the 26th, 14:00) through the edit API.
    let moved = event_input(&form(&[
        ("id", &ids[0].to_string()),
        ("version", "1"),
        ("mode", "this"),
        ("at", "2030-03-25T09:00"),
        ("title", "集中服务日"),
        ("description", ""),
        ("category", "service-day"),
        ("location", "党群服务中心"),
        ("starts_at", "2030-03-26T14:00"),
        ("ends_at", "2030-03-26T16:30"),
        ("rrule", "FREQ=MONTHLY;BYMONTHDAY=15,25"),
        ("capacity", "30"),
        ("guests_allowed", "0"),
        ("rsvp_deadline_minutes", "0"),
        ("visibility", "public"),
    ]));
    let r = app.post("event_update", &moved, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = app
        .post(
            "event_detail",
            &format!("id={}&at=2030-03-25T09:00", ids[0]),
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
    let r = app
        .post(
            "event_cancel_occurrence",
            &format!("id={}&at=2030-02-25T09:00", ids[0]),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        app.post(
            "event_cancel_occurrence",
            &format!("id={}&at=2030-02-25T09:00", ids[0]),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_cancel_occurrence",
            &format!("id={}&at=2030-02-26T09:00", ids[0]),
            Some(&admin)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    let feed = app.get("/feeds/events.ics").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert_eq!(
        feed.headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    assert!(
        feed.body.contains("BEGIN:VTIMEZONE")
            && feed
                .body
                .contains("RECURRENCE-ID;TZID=Asia/Shanghai:20300225T090000")
    );
    assert!(feed.body.lines().all(|l| l.len() <= 75));
    let (from, to) = ("2030-01-01T00:00", "2030-07-01T00:00");
    let theirs = python_expand(&feed.body, from, to);

    // Linli's own expansion of the same window, for every public event in the feed.
    let mut ours = Vec::new();
    let (f, t) = (
        domain::event::LocalDateTime::parse(from).unwrap(),
        domain::event::LocalDateTime::parse(to).unwrap(),
    );
    for e in app
        .db
        .events_with_visibility(domain::event::Visibility::Public)
        .await
        .unwrap()
    {
        for o in app.db.occurrences(&e, &f, &t).await.unwrap() {
            let status = if o.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            };
            ours.push((
                format!("event-{}@linli", e.id),
                o.starts_at.to_string(),
                status.to_owned(),
            ));
        }
    }
    ours.sort();
    assert_eq!(theirs, ours);
    assert!(theirs.contains(&(
        format!("event-{}@linli", ids[0]),
        "2030-02-25T09:00".into(),
        "CANCELLED".into()
    )));
    assert!(
        theirs.contains(&(
            format!("event-{}@linli", ids[0]),
            "2030-03-26T14:00".into(),
            "CONFIRMED".into()
        )),
        "the moved occurrence"
    );
    assert!(
        !theirs
            .iter()
            .any(|r| r.0 == format!("event-{}@linli", ids[0]) && r.1 == "2030-03-25T09:00"),
        "and not where it was"
    );
    assert!(
        theirs.contains(&(
            format!("event-{}@linli", ids[1]),
            "2030-02-28T19:00".into(),
            "CONFIRMED".into()
        )),
        "month ends"
    );
    assert_eq!(
        theirs
            .iter()
            .filter(|r| r.0 == format!("event-{}@linli", ids[3]))
            .count(),
        6,
        "COUNT"
    );

    // One community's feed and one event's file.
    let community = app.get("/feeds/events.ics?community=320113001002").await;
    assert_eq!(
        python_expand(&community.body, from, to).len(),
        theirs.len(),
        "street events reach every community"
    );
    assert_eq!(
        app.get("/feeds/events.ics?community=abc").await.status,
        StatusCode::BAD_REQUEST
    );
    let one = app.get(&format!("/feeds/events/{}.ics", ids[4])).await;
    assert_eq!(
        python_expand(&one.body, from, to),
        vec![(
            format!("event-{}@linli", ids[4]),
            "2030-02-02T14:00".into(),
            "CONFIRMED".into()
        )]
    );
    assert_eq!(
        app.get("/feeds/events/999999.ics").await.status,
        StatusCode::NOT_FOUND
    );

    // The private feed: only with the current token.
    app.post(
        "event_rsvp",
        &format!("id={}&at=2030-03-15T09:00&going=true&guests=0", ids[0]),
        Some(&jumin),
    )
    .await;
    let token = app.feed_token(&jumin).await;
    assert_eq!(token.len(), 64);
    let mine = app.get(&format!("/feeds/me/{token}.ics")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.headers[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .contains("no-store"));
    let rows = python_expand(&mine.body, from, to);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "2030-03-15T09:00");
    let newer = app
        .post("events_feed_token", "", Some(&jumin))
        .await
        .json()
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&format!("/feeds/me/{token}.ics")).await.status,
        StatusCode::NOT_FOUND,
        "a rotated token is dead"
    );
    assert_eq!(
        app.get(&format!("/feeds/me/{newer}.ics")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/feeds/me/guess.ics").await.status,
        StatusCode::NOT_FOUND
    );
}
