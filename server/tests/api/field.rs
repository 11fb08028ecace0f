//! Field reports through HTTP (issue 21's server side): the administrator's catalogue and
//! departments; a resident reports from a phone (retried: filed once); the grid's worker, the
//! community and the street pass it up; the street whistles a department, which reports and
//! resolves; the street checks and closes; the resident rates it. Refusals change nothing.

use crate::common::*;

/// The demo's year of `n` field reports up to `now`, loaded into the app's database (the
/// district `spawn` loads).
async fn demo_year(app: &TestApp, now: i64, n: usize) -> Vec<domain::demo_field::DemoReport> {
    let d = domain::demo::generate(domain::demo::Scale::Small, 20_779);
    let reports = domain::demo_field::year(&d, now, n);
    app.db
        .load_demo_field(&reports, &d.departments)
        .await
        .unwrap();
    reports
}

fn act(id: i64, version: i64, action: &str) -> String {
    format!("id={id}&version={version}&action={}", enc(action))
}

#[tokio::test]
async fn a_report_goes_from_the_grid_to_a_department_and_back_to_the_resident() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let jumin = app.login("jumin").await;
    let wangge = app.login("wangge").await;
    let shuji = app.login("shuji").await;
    // The demo's street organiser and the housing department's account.
    let jiedao = app.login("jiedao").await;
    let zhujian = app.login("zhujian").await;

    // The catalogue: limits in hours or working days, nothing else.
    let r = app
        .post(
            "admin_field_category",
            "name=%E5%B8%82%E6%94%BF%E8%AE%BE%E6%96%BD&acknowledge_unit=days&acknowledge_n=1&resolve_unit=hours&resolve_n=1",
            Some(&admin),
        )
        .await;
    assert!(r.body.contains("field.err.limits"), "{}", r.body);
    let r = app
        .post(
            "admin_field_category",
            &format!(
                "name={}&acknowledge_unit=hours&acknowledge_n=24&resolve_unit=working-days&resolve_n=7",
                enc("市政设施")
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let category = r.json().as_i64().unwrap();
    let r = app
        .post(
            "admin_department",
            &format!("name={}&username=zhujian", enc("区住建局")),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let housing = r.json().as_i64().unwrap();
    let cats = app.post("field_categories", "", Some(&jumin)).await.json();
    let cats = cats.as_array().unwrap();
    assert!(cats.iter().any(|c| c["id"] == category));
    // Every deployment starts with the usual catalogue and its limits.
    let utilities = cats.iter().find(|c| c["name"] == "水电气暖").unwrap();
    let limits: domain::field::clock::Limits =
        serde_json::from_value(utilities["limits"].clone()).unwrap();
    assert_eq!(limits, domain::field::clock::Limits::UTILITIES);
    assert_eq!(
        cats.len(),
        6,
        "市政设施 was there already: its limits changed, no second one"
    );

    // The resident reports at a point in wangge's grid; the phone retries; the key is hers.
    let at = app
        .db
        .grid_boundary("32011300100101001")
        .await
        .unwrap()
        .unwrap()
        .label_point();
    let now = store::now();
    let report = |made_at: i64, text: &str| {
        format!(
            "key=7f3a2c9e-4b1d-4e8a-9c0f-2d5e6b7a8c91&category={category}&description={}&lon={}&lat={}&made_at={made_at}",
            enc(text),
            at[0],
            at[1]
        )
    };
    let before = fingerprint(&app.db).await;
    for (form, key) in [
        (report(now + 3600, "井盖松动"), "field.err.time"),
        (report(now - 40 * 86_400, "井盖松动"), "field.err.time"),
        (report(now, "   "), "field.err.description"),
        (
            report(now, "井盖松动").replace("lon=", "lon=1"),
            "field.err.place",
        ),
    ] {
        let r = app.post("field_report_in", &form, Some(&jumin)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{key}: {}", r.body);
        assert!(r.body.contains(key), "{key}: {}", r.body);
    }
    assert_eq!(fingerprint(&app.db).await, before, "refusals keep nothing");
    let made = now - 600;
    let r = app
        .post(
            "field_report_in",
            &report(made, "小区门口井盖松动，有人绊倒"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    let again = app
        .post(
            "field_report_in",
            &report(made, "小区门口井盖松动，有人绊倒"),
            Some(&jumin),
        )
        .await;
    assert_eq!(
        again.json().as_i64(),
        Some(id),
        "a retry files nothing twice"
    );
    let r = app
        .post("field_report_in", &report(made, "别人的"), Some(&wangge))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let detail = app
        .post("field_report_detail", &format!("id={id}"), Some(&jumin))
        .await
        .json();
    assert_eq!(detail["grid_code"], "32011300100101001");
    assert_eq!(detail["made_at"], made, "the clock starts on the device");
    assert_eq!(detail["steps"][0]["started_at"], made);

    // Its way up: the grid's worker sees it in his list, acknowledges it and passes it on.
    let list = app.post("field_reports", "", Some(&wangge)).await.json();
    assert!(list.as_array().unwrap().iter().any(|r| r["id"] == id));
    let v = |app: &TestApp| {
        let db = app.db.clone();
        async move { db.field_report(id).await.unwrap().version }
    };
    let r = app
        .post(
            "field_act",
            &act(id, v(&app).await, r#"{"action":"acknowledge"}"#),
            Some(&jumin),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "not hers to handle: {}",
        r.body
    );
    let r = app
        .post(
            "field_act",
            &act(id, v(&app).await, "{not json"),
            Some(&wangge),
        )
        .await;
    assert!(r.body.contains("field.err.action"), "{}", r.body);
    // From a phone: the acknowledgement carries a key; sent again (the first answer lost), it is
    // answered the same and done once. A malformed key is refused.
    let keyed = act(id, v(&app).await, r#"{"action":"acknowledge"}"#) + "&key=phone-ack-0001";
    for _ in 0..2 {
        let r = app.post("field_act", &keyed, Some(&wangge)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json(), "handling");
    }
    let bad = act(id, v(&app).await, r#"{"action":"pass-up","reason":"x"}"#) + "&key=bad%20key";
    let r = app.post("field_act", &bad, Some(&wangge)).await;
    assert!(r.body.contains("field.err.key"), "{}", r.body);
    for (who, action, state) in [
        (
            &wangge,
            r#"{"action":"pass-up","reason":"需市政维修"}"#,
            "waiting",
        ),
        (
            &shuji,
            r#"{"action":"pass-up","reason":"超出社区职权"}"#,
            "waiting",
        ),
        (
            &jiedao,
            &format!(r#"{{"action":"whistle","lead":{housing},"co":[]}}"#),
            "whistled",
        ),
        (&zhujian, r#"{"action":"acknowledge"}"#, "handling"),
        (
            &zhujian,
            r#"{"action":"resolve","note":"已更换井盖"}"#,
            "resolved",
        ),
        (&jiedao, r#"{"action":"close"}"#, "closed"),
        (
            &jumin,
            r#"{"action":"rate","satisfaction":"satisfied"}"#,
            "closed",
        ),
    ] {
        let r = app
            .post("field_act", &act(id, v(&app).await, action), Some(who))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}: {}", r.body);
        assert_eq!(r.json(), state, "{action}");
    }
    // A stale version is refused.
    let r = app
        .post(
            "field_act",
            &act(id, 1, r#"{"action":"close"}"#),
            Some(&jiedao),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let detail = app
        .post("field_report_detail", &format!("id={id}"), Some(&jumin))
        .await
        .json();
    assert_eq!(detail["satisfaction"], "satisfied");
    let events = detail["events"].as_array().unwrap();
    assert_eq!(events.len(), 9);
    assert_eq!(events[2]["detail"], "需市政维修");
    assert_eq!(events[2]["by"], "网格员小王");
    let levels: Vec<&str> = detail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["grid", "community", "street", "department"]);
    // The department's account sees what was whistled to it.
    let list = app.post("field_reports", "", Some(&zhujian)).await.json();
    assert!(list.as_array().unwrap().iter().any(|r| r["id"] == id));
}

#[tokio::test]
async fn a_report_carries_its_photo_once_seen_only_by_those_who_see_the_report() {
    use base64::Engine;
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let wangge = app.login("wangge").await;
    let dangyuan = app.login("dangyuan").await;
    let at = app
        .db
        .grid_boundary("32011300100101001")
        .await
        .unwrap()
        .unwrap()
        .label_point();
    let photo = base64::engine::general_purpose::STANDARD
        .encode(include_bytes!("../photos/small-photo.jpg"));
    let body = |data: &str| {
        format!(
            "key=phone-outbox-0001&category=1&description={}&lon={}&lat={}&made_at={}&photo={}",
            enc("垃圾桶满溢"),
            at[0],
            at[1],
            store::now() - 600,
            enc(data)
        )
    };
    // Not a photo: nothing kept, not even the report.
    let before = fingerprint(&app.db).await;
    let r = app
        .post("field_report_in", &body("bm90IGEgcGhvdG8="), Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("err.photo_not_photo"), "{}", r.body);
    assert_eq!(fingerprint(&app.db).await, before);
    // The outbox sends it twice (the answer to the first was lost): one report, one photo.
    let id = app
        .post("field_report_in", &body(&photo), Some(&jumin))
        .await
        .json()
        .as_i64()
        .unwrap();
    let again = app
        .post("field_report_in", &body(&photo), Some(&jumin))
        .await;
    assert_eq!(again.json().as_i64(), Some(id), "{}", again.body);
    let detail = app
        .post("field_report_detail", &format!("id={id}"), Some(&jumin))
        .await
        .json();
    let photos = detail["photos"].as_array().unwrap();
    assert_eq!(photos.len(), 1, "{detail}");
    assert_eq!(detail["can"], serde_json::json!([]), "the resident waits");
    let url = format!("/photo/{}", photos[0]["id"]);
    let stored = app.get_with(&url, Some(&jumin)).await;
    assert_eq!(stored.status, StatusCode::OK);
    assert!(!stored.body.contains("HUAWEI"), "no EXIF kept");
    assert_eq!(
        app.get_with(&url, Some(&wangge)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get_with(&url, Some(&dangyuan)).await.status,
        StatusCode::NOT_FOUND,
        "another resident sees nothing"
    );
    // The grid's worker is offered what the rules allow.
    let detail = app
        .post("field_report_detail", &format!("id={id}"), Some(&wangge))
        .await
        .json();
    assert_eq!(
        detail["can"],
        serde_json::json!(["acknowledge", "pass-up", "resolve"])
    );
    let deps = app.post("field_departments", "", Some(&jumin)).await;
    assert_eq!(deps.status, StatusCode::OK, "{}", deps.body);

    // The reporter's name is masked to the worker; revealing it (and her phone) is audited.
    assert_eq!(detail["events"][0]["by"], "居***姨", "{detail}");
    let mine = app
        .post("field_report_detail", &format!("id={id}"), Some(&jumin))
        .await
        .json();
    assert_eq!(
        mine["events"][0]["by"], "居民李阿姨",
        "her own name to herself"
    );
    app.post("set_my_phone", "phone=13912345678", Some(&jumin))
        .await;
    let r = app
        .post(
            "field_reporter_contact",
            &format!("id={id}"),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post("field_reporter_contact", &format!("id={id}"), Some(&wangge))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["name"], "居民李阿姨");
    assert_eq!(r.json()["phone"], "13912345678");
    let audited = app
        .db
        .audit_entries(Some("field_reporter_contact"), 10)
        .await
        .unwrap();
    assert_eq!(
        audited
            .iter()
            .map(|e| e.result.as_str())
            .collect::<Vec<_>>(),
        ["ok", "refused"]
    );
}

#[tokio::test]
async fn the_rates_rank_each_scope_and_refuse_residents() {
    let app = spawn().await;
    let now = store::now();
    let reports = demo_year(&app, now, 400).await;
    // Last month: whole, whatever today's date.
    let (y, m, _) = domain::date::civil_from_days((now + 8 * 3600).div_euclid(86_400));
    let (ly, lm) = app::api::field_rates::add_months(y, m, -1);
    let (start, end) = (
        app::api::field_rates::month_start(ly, lm),
        app::api::field_rates::month_start(y, m),
    );
    let last_month = reports
        .iter()
        .filter(|r| (start..end).contains(&r.made_at))
        .count();
    assert!(last_month > 10, "{last_month}");
    let month = format!("month={ly:04}-{lm:02}");

    let jiedao = app.login("jiedao").await;
    let r = app
        .post("field_rates", &format!("{month}&by=street"), Some(&jiedao))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["rows"].as_array().unwrap().len(), 1);
    assert_eq!(v["rows"][0]["key"], "320113001");
    assert_eq!(v["total"]["reports"], last_month);
    assert_eq!(v["trend"].as_array().unwrap().len(), 12);
    let rates: domain::field::rates::Rates =
        serde_json::from_value(v["total"]["rates"].clone()).unwrap();
    assert!(rates
        .resolution()
        .is_some_and(|x| (0.0..=100.0).contains(&x)));

    // The community's organiser ranks the grids of the community.
    let shuji = app.login("shuji").await;
    let v = app
        .post("field_rates", &format!("{month}&by=grid"), Some(&shuji))
        .await
        .json();
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r["key"].as_str().unwrap().starts_with("320113001001")));
    assert!(rows[0]["name"].as_str().unwrap().contains("网格"));

    // A department's account sees its own department only (and knows it is one).
    let zhujian = app.login("zhujian").await;
    let me = app.post("me", "", Some(&zhujian)).await.json();
    assert_eq!(me["department"], "区住建局", "{me}");
    let v = app
        .post("field_rates", &format!("{month}&by=grid"), Some(&zhujian))
        .await
        .json();
    assert_eq!(v["by"], "department");
    assert!(v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["name"] == "区住建局"));

    // Residents see no rates; a month that is not one is refused.
    let jumin = app.login("jumin").await;
    let r = app
        .post("field_rates", "month=&by=grid", Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post("field_rates", "month=2026-13&by=grid", Some(&jiedao))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("field.err.month"), "{}", r.body);

    // The map's hot spots count every report of the year, per grid and category.
    let spots = app.post("field_hot_spots", "", Some(&jumin)).await.json();
    let total: i64 = spots
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["total"].as_i64().unwrap())
        .sum();
    let in_year = reports
        .iter()
        .filter(|r| r.made_at >= now - 365 * 86_400)
        .count();
    assert_eq!(total as usize, in_year);
}

#[tokio::test]
async fn the_administrator_keeps_the_working_calendar_the_clocks_count_in() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let before = fingerprint(&app.db).await;
    for (form, key) in [
        ("holidays=2027-02-30&workdays=", "field.err.calendar_date"),
        (
            "holidays=2027-02-11&workdays=2027-02-11",
            "field.err.calendar_both",
        ),
        ("holidays=next+friday&workdays=", "field.err.calendar_date"),
    ] {
        let r = app
            .post("admin_set_field_calendar", form, Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{form}: {}", r.body);
        assert!(r.body.contains(key), "{form}: {}", r.body);
    }
    assert_eq!(fingerprint(&app.db).await, before, "refusals keep nothing");
    // The Spring Festival of 2027 as the State Council might arrange it: days off in the week,
    // two weekend days worked.
    let r = app
        .post(
            "admin_set_field_calendar",
            &format!(
                "holidays={}&workdays={}",
                enc("2027-02-08\n2027-02-09，2027-02-10 2027-02-11\r\n2027-02-12"),
                enc("2027-02-06, 2027-02-20")
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let s = app
        .post("admin_field_settings", "", Some(&admin))
        .await
        .json();
    assert_eq!(
        s["holidays"],
        "2027-02-08\n2027-02-09\n2027-02-10\n2027-02-11\n2027-02-12"
    );
    assert_eq!(s["workdays"], "2027-02-06\n2027-02-20");
    assert_eq!(s["categories"].as_array().unwrap().len(), 6);
    let housing = s["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d[0] == "区住建局")
        .unwrap()
        .clone();
    assert_eq!(housing[1], serde_json::json!(["zhujian"]));
    // The clock reads it: after 17:00 on Friday 5 February, one working day is Saturday the 6th
    // (worked), not the holiday week.
    let cal = app::api::field::ssr_field::calendar(&app.db).await;
    let friday = domain::date::days_from_civil(2027, 2, 5);
    assert!(cal.is_working_day(friday + 1), "Saturday the 6th is worked");
    assert!(!cal.is_working_day(friday + 3), "Monday the 8th is off");
}

#[tokio::test]
async fn the_overview_sums_the_scope_and_refuses_residents() {
    let app = spawn().await;
    let now = store::now();
    let reports = demo_year(&app, now, 300).await;
    let admin = app.login("admin").await;
    let all = app.post("staff_overview", "", Some(&admin)).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let all = all.json();
    // The demo: 32 level-3 grids; the reports still open are those whose script stops before a
    // resolution.
    assert_eq!(all["grids"]["grids"], 32);
    let open = reports
        .iter()
        .filter(|r| {
            !matches!(
                r.acts.last().map(|a| a.action.name()),
                Some("close" | "rate" | "resolve")
            ) && !r.fixed
        })
        .count();
    assert_eq!(all["open_reports"], open, "{all}");
    assert!(all["overdue_reports"].as_u64().unwrap() <= open as u64);
    // The community's organiser sees its quarter of the grids; the resident nothing.
    let shuji = app.login("shuji").await;
    let mine = app.post("staff_overview", "", Some(&shuji)).await.json();
    assert_eq!(mine["grids"]["grids"], 8);
    assert!(mine["open_reports"].as_u64().unwrap() <= open as u64);
    let jumin = app.login("jumin").await;
    let r = app.post("staff_overview", "", Some(&jumin)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
