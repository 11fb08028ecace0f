//! Events over HTTP: publishing, RSVP, waitlist, check-in, visibility, edits, attendee exports.

use crate::common::*;

#[tokio::test]
async fn events_publish_rsvp_waitlist_and_check_in() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let wangge = app.login("wangge").await;

    // Publishing: organisers inside their subtree only; residents and grid workers never.
    let r = app
        .post(
            "event_create",
            &event_form("320113001001", "义诊", "", "1", "public"),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    assert_eq!(
        app.post(
            "event_create",
            &event_form("320113001", "越权", "", "1", "public"),
            Some(&shuji)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_create",
            &event_form("320113001001", "居民", "", "1", "public"),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_create",
            &event_form("320113001001", "网格员", "", "1", "public"),
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    for (bad, key) in [
        (
            event_form("320113001001", "", "", "1", "public"),
            "err.event_title",
        ),
        (
            event_form("320113001001", "x", "FREQ=MINUTELY", "1", "public"),
            "err.rrule_frequency",
        ),
        (
            event_form("320113001001", "x", "FREQ=DAILY;COUNT=99999", "1", "public"),
            "err.rrule_count",
        ),
        (
            event_form("320113001001", "x", "FREQ=NEVER", "1", "public"),
            "err.rrule_invalid",
        ),
        (
            event_form("320113001001", "x", "", "0", "public"),
            "err.event_capacity",
        ),
        (
            event_form("320113001001", "x", "", "-3", "public"),
            "err.event_capacity",
        ),
        (
            event_form("320113001001", "x", "", "5", "everyone"),
            "err.event_visibility",
        ),
        (event_form("abc", "x", "", "5", "public"), "err.code"),
    ] {
        let r = app.post("event_create", &bad, Some(&shuji)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body.contains(key), "{bad}: {}", r.body);
    }
    let huge = event_input(
        &event_fields_flat("320113001001", "x", "", "5", "public").replace(
            "description=带好身份证",
            &format!("description={}", "a".repeat(6000)),
        ),
    );
    let r = app.post("event_create", &huge, Some(&shuji)).await;
    assert!(r.body.contains("err.event_description"), "{}", r.body);

    // One place: the resident gets it, the admin joins the waitlist, a cancellation promotes.
    let at = "2030-03-10T09:00";
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=clinic&community=",
            Some(&jumin),
        )
        .await
        .json();
    assert!(
        cal.as_array()
            .unwrap()
            .iter()
            .any(|o| o["event_id"] == id && o["starts_at"] == at),
        "{cal}"
    );
    let r = app
        .post(
            "event_rsvp",
            &format!("id={id}&at={at}&going=true&guests=0"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.json()["status"], "going", "{}", r.body);
    let code = r.json()["checkin_code"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "event_rsvp",
            &format!("id={id}&at={at}&going=true&guests=0"),
            Some(&admin),
        )
        .await;
    assert_eq!(
        (r.json()["status"].clone(), r.json()["position"].clone()),
        ("waitlisted".into(), 1.into())
    );
    assert_eq!(
        app.post(
            "event_rsvp",
            &format!("id={id}&at={at}&going=true&guests=5"),
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post(
            "event_rsvp",
            &format!("id={id}&at=2030-03-11T09:00&going=true&guests=0"),
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );

    // Attendees and check-in: the organising side only.
    assert_eq!(
        app.post("event_attendees", &format!("id={id}&at={at}"), Some(&jumin))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_check_in",
            &format!("id={id}&at={at}&code={code}"),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "event_check_in",
            &format!("id={id}&at={at}&code={code}"),
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let list = app
        .post("event_attendees", &format!("id={id}&at={at}"), Some(&shuji))
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(
        !list.to_string().contains("138") && !list.to_string().contains("username"),
        "names only: {list}"
    );
    let r = app
        .post(
            "event_check_in",
            &format!("id={id}&at={at}&code={code}"),
            Some(&shuji),
        )
        .await;
    assert!(r.body.contains("Done"), "{}", r.body);
    let r = app
        .post(
            "event_check_in",
            &format!("id={id}&at={at}&code={code}"),
            Some(&shuji),
        )
        .await;
    assert!(r.body.contains("AlreadyCheckedIn"), "{}", r.body);

    let r = app
        .post(
            "event_rsvp",
            &format!("id={id}&at={at}&going=false&guests=0"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.json()["status"], "not-going");
    let d = app
        .post("event_detail", &format!("id={id}&at={at}"), Some(&admin))
        .await
        .json();
    assert_eq!(
        d["mine"]["status"], "going",
        "the promoted resident sees it: {d}"
    );
    assert_eq!(d["can_manage"], true);
    assert_eq!(d["occurrence"]["taken"], 1);

    // Statistics: the resident checked in for two hours; residents and grid workers see none.
    let stats = app
        .post(
            "events_stats",
            "from=2030-01-01T00:00&to=2030-12-31T00:00",
            Some(&shuji),
        )
        .await
        .json();
    assert_eq!(stats["people"][0]["person"], "居民李阿姨", "{stats}");
    assert_eq!(stats["people"][0]["hours"], 2.0);
    assert_eq!(stats["units"][0]["unit_code"], "320113001001");
    assert_eq!(
        app.post(
            "events_stats",
            "from=2030-01-01T00:00&to=2030-12-31T00:00",
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "events_stats",
            "from=2030-01-01T00:00&to=2030-12-31T00:00",
            Some(&wangge)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "events_stats",
            "from=2030-01-01T00:00&to=2032-12-31T00:00",
            Some(&admin)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn party_member_events_are_hidden_from_residents() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let jumin = app.login("jumin").await;
    let id = app
        .post(
            "event_create",
            &event_form("320113001", "党员大会", "", "30", "party-members"),
            Some(&admin),
        )
        .await
        .json()
        .as_i64()
        .unwrap();
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community=",
            Some(&jumin),
        )
        .await
        .json();
    assert!(!cal.to_string().contains("党员大会"));
    assert_eq!(
        app.post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T09:00"),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(
            "event_rsvp",
            &format!("id={id}&at=2030-03-10T09:00&going=true&guests=0"),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community=",
            Some(&admin),
        )
        .await
        .json();
    assert!(cal.to_string().contains("党员大会"));
    // A resident who is a party member sees it once an administrator says so (and only then).
    let jumin_id = app.db.user_by_name("jumin").await.unwrap().unwrap().id;
    let shuji = app.login("shuji").await;
    let r = app
        .post(
            "admin_set_party_member",
            &format!("id={jumin_id}&party_member=true"),
            Some(&shuji),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "organisers cannot mark party members"
    );
    assert!(!app.db.user(jumin_id).await.unwrap().party_member);
    let r = app
        .post(
            "admin_set_party_member",
            &format!("id={jumin_id}&party_member=true"),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let seen = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community=",
            Some(&jumin),
        )
        .await
        .json();
    assert!(seen.to_string().contains("党员大会"));
    let r = app
        .post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T09:00"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.post(
        "admin_set_party_member",
        &format!("id={jumin_id}&party_member=false"),
        Some(&admin),
    )
    .await;
    let r = app
        .post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T09:00"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-09-01T00:00&category=&community=",
            Some(&admin)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST,
        "windows are capped"
    );
    // One community: the street's events and its own, not a neighbour's.
    let cal = |community: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.post(
                "events_calendar",
                &format!(
                    "from=2030-03-01T00:00&to=2030-04-01T00:00&category=&community={community}"
                ),
                Some(&admin),
            )
            .await
        }
    };
    assert!(
        cal("320113001001").await.body.contains("党员大会")
            && cal("320113001002").await.body.contains("党员大会"),
        "street-level events reach every community"
    );
    let shuji = app.login("shuji").await;
    app.post(
        "event_create",
        &event_form("320113001001", "仙林专场", "", "30", "public"),
        Some(&shuji),
    )
    .await;
    assert!(cal("320113001001").await.body.contains("仙林专场"));
    assert!(!cal("320113001002").await.body.contains("仙林专场"));
    assert_eq!(cal("x1").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn editing_events_is_scoped_versioned_and_clear() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let id = app
        .post(
            "event_create",
            &event_form(
                "320113001001",
                "院坝会",
                "FREQ=WEEKLY;COUNT=4",
                "10",
                "public",
            ),
            Some(&shuji),
        )
        .await
        .json()
        .as_i64()
        .unwrap();
    let edit = |version: &str, mode: &str, at: &str, start: &str, end: &str| {
        let mut f = event_fields_flat(
            "320113001001",
            "院坝会（改时间）",
            "FREQ=WEEKLY;COUNT=4",
            "10",
            "public",
        );
        f = f
            .replace(
                "starts_at=2030-03-10T09%3A00",
                &format!("starts_at={start}"),
            )
            .replace("ends_at=2030-03-10T11%3A00", &format!("ends_at={end}"));
        f = f
            .replace("starts_at=2030-03-10T09:00", &format!("starts_at={start}"))
            .replace("ends_at=2030-03-10T11:00", &format!("ends_at={end}"));
        event_input(&format!(
            "id={id}&version={version}&mode={mode}&at={at}&{f}"
        ))
    };
    assert_eq!(
        app.post(
            "event_update",
            &edit(
                "1",
                "series",
                "2030-03-17T09:00",
                "2030-03-17T10:00",
                "2030-03-17T12:00"
            ),
            Some(&jumin)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Editing the second occurrence's time in "series" mode moves every occurrence by an hour.
    let r = app
        .post(
            "event_update",
            &edit(
                "1",
                "series",
                "2030-03-17T09:00",
                "2030-03-17T10:00",
                "2030-03-17T12:00",
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let d = app
        .post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T10:00"),
            Some(&shuji),
        )
        .await
        .json();
    assert_eq!(d["occurrence"]["title"], "院坝会（改时间）");
    assert_eq!(d["version"], 2);
    // The stale editor gets a clear conflict and changes nothing.
    let r = app
        .post(
            "event_update",
            &edit(
                "1",
                "series",
                "2030-03-17T10:00",
                "2030-03-17T15:00",
                "2030-03-17T16:00",
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("err.event_conflict"));
    assert_eq!(
        app.post(
            "event_detail",
            &format!("id={id}&at=2030-03-10T10:00"),
            Some(&shuji)
        )
        .await
        .status,
        StatusCode::OK
    );
    // This and following: a new series from the third occurrence at 19:00.
    let r = app
        .post(
            "event_update",
            &edit(
                "2",
                "following",
                "2030-03-24T10:00",
                "2030-03-24T19:00",
                "2030-03-24T20:00",
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new_id = r.json().as_i64().unwrap();
    assert_ne!(new_id, id);
    let cal = app
        .post(
            "events_calendar",
            "from=2030-03-01T00:00&to=2030-05-01T00:00&category=clinic&community=",
            Some(&jumin),
        )
        .await
        .json();
    let mine: Vec<String> = cal
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["event_id"] == id || o["event_id"] == new_id)
        .map(|o| o["starts_at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        mine,
        [
            "2030-03-10T10:00",
            "2030-03-17T10:00",
            "2030-03-24T19:00",
            "2030-03-31T19:00"
        ],
        "four in all, as COUNT=4 said"
    );
    assert_eq!(
        app.post(
            "event_update",
            &edit(
                "1",
                "sometimes",
                "2030-03-24T10:00",
                "2030-03-24T19:00",
                "2030-03-24T20:00"
            ),
            Some(&shuji)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn attendee_exports_mask_phones_unless_revealed_and_audited() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    assert_eq!(
        app.post("set_my_phone", "phone=12345", Some(&jumin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let r = app
        .post("set_my_phone", "phone=138-1234-5678", Some(&jumin))
        .await;
    assert_eq!(r.json(), "138****5678");
    // A resident whose name is a spreadsheet formula.
    let evil = app
        .post(
            "register",
            &form(&[
                ("username", "mallory"),
                ("display_name", "=HYPERLINK(\"http://x\")"),
                ("password", "correct-horse-1"),
                ("community", "320113001001"),
            ]),
            None,
        )
        .await
        .cookie()
        .unwrap();
    let id = app
        .post(
            "event_create",
            &event_form("320113001001", "义诊", "", "10", "public"),
            Some(&shuji),
        )
        .await
        .json()
        .as_i64()
        .unwrap();
    let at = "2030-03-10T09:00";
    app.post(
        "event_rsvp",
        &format!("id={id}&at={at}&going=true&guests=0"),
        Some(&jumin),
    )
    .await;
    app.post(
        "event_rsvp",
        &format!("id={id}&at={at}&going=true&guests=0"),
        Some(&evil),
    )
    .await;
    let get = |cookie: Option<String>, reveal: bool| {
        let mut b = Request::get(format!(
            "/export/attendees.csv?event={id}&at={at}{}",
            if reveal { "&reveal=1" } else { "" }
        ));
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        b.body(Body::empty()).unwrap()
    };
    assert_eq!(
        app.send(get(None, false)).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Revealing is a same-site POST with a reason.
    let reveal = |cookie: Option<String>, site: &str, reason: &str| {
        let form = format!("event={id}&at={at}&reason={}", enc(reason));
        let mut b = Request::post("/export/attendees.csv")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:8080")
            .header("sec-fetch-site", site);
        if let Some(c) = cookie {
            b = b.header(header::COOKIE, c);
        }
        b.body(Body::from(form)).unwrap()
    };
    assert_eq!(
        app.send(reveal(Some(jumin.clone()), "same-origin", "看看"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The probe's link: a top-level GET from another site asking for a reveal. Refused, nothing
    // revealed, nothing written in the organiser's name.
    let mut cross = get(Some(shuji.clone()), true);
    cross
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let r = app.send(cross).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{}", r.body);
    assert!(!r.body.contains("13812345678"));
    assert_eq!(
        app.send(get(Some(shuji.clone()), true)).await.status,
        StatusCode::METHOD_NOT_ALLOWED,
        "not even from this site"
    );
    // A cross-site POST (a form on another site) is refused before it is read.
    let r = app
        .send(reveal(Some(shuji.clone()), "cross-site", "核对报名"))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // No reason, no reveal.
    let r = app
        .send(reveal(Some(shuji.clone()), "same-origin", "  "))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(app
        .db
        .audit_entries(Some("reveal_phone"), 10)
        .await
        .unwrap()
        .is_empty());
    let masked = app.send(get(Some(shuji.clone()), false)).await;
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
    let full = app
        .send(reveal(
            Some(shuji.clone()),
            "same-origin",
            "电话通知活动改期",
        ))
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
    assert_eq!(
        app.db
            .audit_entries(Some("export_attendees"), 10)
            .await
            .unwrap()
            .iter()
            .filter(|a| a.result == "refused")
            .count(),
        1
    );
}
