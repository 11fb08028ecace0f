//! Service matching over HTTP, as the demo's people use it: the organiser `shuji` publishes and
//! confirms, the party members `dangyuan`, `dy02`, `dy03` claim, the resident `jumin` posts a wish.

use crate::common::*;

fn today() -> String {
    domain::event::LocalDateTime::from_unix(store::now())
        .date()
        .to_owned()
}

async fn need(app: &TestApp, shuji: &str, amount: i64, grid: &str) -> Reply {
    let deadline = domain::date::civil_from_days(
        domain::event::LocalDateTime::from_unix(store::now()).minutes() / 1440 + 10,
    );
    let deadline = format!("{:04}-{:02}-{:02}", deadline.0, deadline.1, deadline.2);
    app.post(
        "service_create_listing",
        &format!(
            "unit_code=320113001001&kind=need&title={}&description={}&category=elderly&amount={amount}&measure=people&deadline={deadline}&grid_code={grid}",
            enc("周末助老陪诊"),
            enc("陪同老人去社区医院")
        ),
        Some(shuji),
    )
    .await
}

#[tokio::test]
async fn members_claim_what_is_left_and_the_organiser_confirms_their_hours() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let r = need(&app, &shuji, 2, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    // A grid of another community is not the organiser's to name.
    assert_eq!(
        need(&app, &shuji, 2, "320113001002").await.status,
        StatusCode::FORBIDDEN
    );
    // Bad drafts are named, nothing stored.
    let r = app
        .post(
            "service_create_listing",
            "unit_code=320113001001&kind=need&title=x&description=&category=elderly&amount=3&measure=people&deadline=2020-01-01&grid_code=",
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("service.err.deadline_date"), "{}", r.body);

    let dangyuan = app.login("dangyuan").await;
    let dy02 = app.login("dy02").await;
    let dy03 = app.login("dy03").await;
    let jumin = app.login("jumin").await;
    let lists = app
        .post(
            "service_lists",
            "kind=need&status=open&category=&community=",
            Some(&dangyuan),
        )
        .await
        .json();
    let mine = lists
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap();
    assert_eq!(
        (mine["left"].as_i64(), mine["can_claim"].as_bool()),
        (Some(2), Some(true))
    );
    let r = app
        .post(
            "service_claim",
            &format!("id={id}&amount=1"),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let claim = r.json().as_i64().unwrap();
    let r = app
        .post("service_claim", &format!("id={id}&amount=2"), Some(&dy02))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.body.contains("service.err.over_filled") && r.body.contains(r#"["left","1"]"#),
        "{}",
        r.body
    );
    let r = app
        .post("service_claim", &format!("id={id}&amount=1"), Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("service.err.members_only"), "{}", r.body);

    // The last place dispatched to dy03, who declines (a reason is needed), freeing it.
    let r = app
        .post(
            "service_dispatch",
            &format!("id={id}&username=dy03&amount=1"),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let offered = r.json().as_i64().unwrap();
    let act = |claim: i64, action: &str, reason: &str, minutes: i64| {
        format!(
            "id={claim}&action={action}&reason={}&minutes={minutes}",
            enc(reason)
        )
    };
    let r = app
        .post(
            "service_claim_action",
            &act(offered, "decline", "", 0),
            Some(&dy03),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("service.err.reason"), "{}", r.body);
    let r = app
        .post(
            "service_claim_action",
            &act(offered, "decline", "那天值班", 0),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "only dy03 answers dy03's dispatch"
    );
    let r = app
        .post(
            "service_claim_action",
            &act(offered, "decline", "那天值班", 0),
            Some(&dy03),
        )
        .await;
    assert_eq!(r.body, "\"declined\"");

    // dangyuan serves; the organiser sends it back once, then confirms two and a half hours.
    for a in ["start", "finish"] {
        let r = app
            .post(
                "service_claim_action",
                &act(claim, a, "", 0),
                Some(&dangyuan),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{a}: {}", r.body);
    }
    let r = app
        .post(
            "service_claim_action",
            &act(claim, "confirm", "", 150),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "nobody confirms their own claim"
    );
    let desk = app.post("service_desk", "", Some(&shuji)).await.json();
    assert!(desk["to_confirm_claims"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == claim));
    let r = app
        .post(
            "service_claim_action",
            &act(claim, "send-back", "请补充照片", 0),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.body, "\"in-progress\"");
    app.post(
        "service_claim_action",
        &act(claim, "finish", "", 0),
        Some(&dangyuan),
    )
    .await;
    let r = app
        .post(
            "service_claim_action",
            &act(claim, "confirm", "", 5000),
            Some(&shuji),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "more than a day: {}",
        r.body
    );
    let r = app
        .post(
            "service_claim_action",
            &act(claim, "confirm", "", 150),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.body, "\"confirmed\"");
    let me = app.post("service_mine", "", Some(&dangyuan)).await.json();
    let hours = me["hours"].as_array().unwrap();
    let h = hours.iter().find(|h| h["what"] == "周末助老陪诊").unwrap();
    assert_eq!(
        (h["minutes"].as_i64(), h["confirmed_by"].as_str()),
        (Some(150), Some("shuji"))
    );
    assert_eq!(h["served_on"], today());
    // The demo's year is there too: service days checked in and wishes fulfilled.
    assert!(hours.iter().any(|h| h["source"] == "check-in"));
    // Closing at a stale version is a conflict.
    let l = app.db.listing(id).await.unwrap();
    let r = app
        .post(
            "service_set_listing_status",
            &format!("id={id}&version={}&open=false", l.version),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .post(
            "service_set_listing_status",
            &format!("id={id}&version={}&open=true", l.version),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .post("service_claim", &format!("id={id}&amount=1"), Some(&dy02))
        .await;
    assert!(r.body.contains("service.err.closed"), "{}", r.body);
    // My data carries the claims and hours.
    let data = app
        .get_with("/export/me.json", Some(&dangyuan))
        .await
        .json();
    assert!(data["claims"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == claim));
    assert!(data["hours"].as_array().unwrap().len() > 1);
}

async fn wall(app: &TestApp, who: &str) -> serde_json::Value {
    app.post("service_wishes", "community=320113001001", Some(who))
        .await
        .json()
}

#[tokio::test]
async fn a_wish_goes_from_the_resident_to_the_wall_and_is_confirmed_by_her() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let shuji = app.login("shuji").await;
    let dangyuan = app.login("dangyuan").await;
    let post = |title: &str, text: &str| {
        format!(
            "unit_code=&title={}&description={}&category=elderly&beneficiary=",
            enc(title),
            enc(text)
        )
    };
    let r = app
        .post(
            "service_post_wish",
            &post("想要一个助听器", "联系我 138 1234 5678"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("service.err.personal_data"), "{}", r.body);
    let r = app
        .post(
            "service_post_wish",
            &post(&"长".repeat(61), ""),
            Some(&jumin),
        )
        .await;
    assert!(r.body.contains("service.err.text"), "{}", r.body);
    let r = app
        .post(
            "service_post_wish",
            &post("想要一个助听器", "左耳听力下降"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    let on_wall = |v: &serde_json::Value| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == id)
            .cloned()
    };
    assert!(
        on_wall(&wall(&app, &dangyuan).await).is_none(),
        "not before it is verified"
    );
    let desk = app.post("service_desk", "", Some(&shuji)).await.json();
    let waiting = desk["to_verify"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(waiting["who"], "居***姨", "masked at the desk too");
    let version = |app: &TestApp| {
        let db = app.db.clone();
        async move { db.wish(id).await.unwrap().version }
    };
    let act = |v: i64, action: &str, note: &str, minutes: i64| {
        format!(
            "id={id}&version={v}&action={action}&reason=&note={}&minutes={minutes}",
            enc(note)
        )
    };
    let v = version(&app).await;
    let r = app
        .post(
            "service_wish_action",
            &act(v, "verify", "", 0),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.body, "\"verified\"");
    let r = app
        .post(
            "service_wish_action",
            &act(v, "claim", "", 0),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a stale version: {}",
        r.body
    );
    let seen = on_wall(&wall(&app, &dangyuan).await).unwrap();
    assert_eq!(seen["who"], "居***姨");
    assert!(!serde_json::to_string(&seen).unwrap().contains("居民李阿姨"));
    let v = version(&app).await;
    let r = app
        .post("service_wish_action", &act(v, "claim", "", 0), Some(&jumin))
        .await;
    assert!(r.body.contains("service.err.members_only"), "{}", r.body);
    let r = app
        .post(
            "service_wish_action",
            &act(v, "claim", "", 0),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(r.body, "\"claimed\"");
    let v = version(&app).await;
    let r = app
        .post(
            "service_wish_action",
            &act(v, "fulfil", "电话 13812345678", 60),
            Some(&dangyuan),
        )
        .await;
    assert!(r.body.contains("service.err.personal_data"), "{}", r.body);
    let r = app
        .post(
            "service_wish_action",
            &act(v, "fulfil", "已送到家中", 60),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(r.body, "\"fulfilled\"");
    let v = version(&app).await;
    let r = app
        .post(
            "service_wish_action",
            &act(v, "confirm", "", 0),
            Some(&shuji),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "jumin has an account: she confirms herself"
    );
    let r = app
        .post(
            "service_wish_action",
            &act(v, "confirm", "", 0),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.body, "\"confirmed\"");
    let me = app.post("service_mine", "", Some(&dangyuan)).await.json();
    assert!(me["hours"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["what"] == "微心愿：想要一个助听器"
            && h["minutes"] == 60
            && h["confirmed_by"] == "jumin"));
    // The organiser reaches the wish-maker; the reveal is in the audit log.
    let r = app
        .post("service_wish_reveal", &format!("id={id}"), Some(&shuji))
        .await;
    assert_eq!(r.json()["name"], "居民李阿姨");
    let audit = app
        .db
        .audit_entries(Some("service_wish_reveal"), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "shuji");
    assert_eq!(audit[0].object, format!("wish:{id}"));
}

#[tokio::test]
async fn statistics_show_the_demo_year() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let year = &today()[..4];
    let s = app
        .post("service_stats", &format!("year={year}"), Some(&shuji))
        .await
        .json();
    let (done, published) = (
        s["wishes_done"].as_i64().unwrap(),
        s["wishes_published"].as_i64().unwrap(),
    );
    assert!(
        published >= 80 && done * 100 / published >= 85,
        "{done}/{published}"
    );
    assert!(
        s["minutes_by_month"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m.as_i64() > Some(0))
            .count()
            >= 6
    );
    assert_eq!(s["members"], 16);
    assert_eq!(s["target_minutes"], 3000);
    assert!(s["claims"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c[0] == "confirmed"));
    let r = app.post("service_stats", "year=1800", Some(&shuji)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn hours_export_for_the_member_and_for_the_organiser_of_the_unit_only() {
    let app = spawn().await;
    let year = today()[..4].to_owned();
    let dangyuan = app.login("dangyuan").await;
    let r = app
        .get_with(&format!("/export/hours.csv?year={year}"), Some(&dangyuan))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r
        .body
        .starts_with("\u{feff}姓名,服务日期,服务内容,组织单位,服务时长（小时）,确认人,来源"));
    assert!(r.body.contains("\"党员张老师\"") && r.body.contains("\"活动签到\""));
    assert!(
        !r.body
            .lines()
            .skip(1)
            .any(|l| !l.starts_with("\"党员张老师\"")),
        "only her own"
    );
    let jumin = app.login("jumin").await;
    let r = app
        .get_with("/export/hours.csv?unit=320113001001", Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let shuji = app.login("shuji").await;
    let r = app
        .get_with("/export/hours.csv?unit=320113001002", Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .get_with(
            &format!("/export/hours.xlsx?unit=320113001001&year={year}"),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("hours-320113001001"));
    let audit = app
        .db
        .audit_entries(Some("export_hours"), 10)
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|a| a.actor == "shuji" && a.result == "refused"));
    assert!(app.get_with("/export/hours.csv", None).await.status == StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_unit_and_a_member_report_in_the_organiser_decides_and_the_unit_sees_its_member() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let jumin = app.login("jumin").await;
    let dy10 = app.login("dy10").await;
    let dy10_name = app
        .db
        .user_by_name("dy10")
        .await
        .unwrap()
        .unwrap()
        .display_name;
    // jumin is the contact of a resident unit: the hospital reports with what it offers.
    let unit = |phone: &str| {
        format!(
            "kind=unit&org_name={}&unit_name={}&contact={}&phone={phone}&offers={}&grid_code=32011300100101",
            enc("区人民医院党总支"),
            enc("区人民医院"),
            enc("王主任"),
            enc("每季度义诊一次")
        )
    };
    let r = app
        .post("service_report_in", &unit("12345"), Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("err.phone"), "{}", r.body);
    let r = app
        .post("service_report_in", &unit("13812345678"), Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let hospital = r.json().as_i64().unwrap();
    let r = app
        .post("service_report_in", &unit("13812345678"), Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("service.err.reported"));
    // A resident who is not a party member cannot report as one.
    let r = app
        .post(
            "service_report_in",
            &format!(
                "kind=member&org_name={}&unit_name=&contact=&phone=&offers=&grid_code=",
                enc("某党支部")
            ),
            Some(&app.login("wangge").await),
        )
        .await;
    assert!(r.body.contains("service.err.report_member"), "{}", r.body);

    let roster = app.post("service_roster", "", Some(&shuji)).await.json();
    let pending = roster["pending"].as_array().unwrap();
    let h = pending.iter().find(|p| p["id"] == hospital).unwrap();
    assert_eq!(
        h["phone"], "13812345678",
        "the organiser reaches the contact"
    );
    let r = app
        .post(
            "service_report_action",
            &format!(
                "id={hospital}&version={}&action=accept&reason=",
                h["version"]
            ),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.body, "\"accepted\"");
    // Its offer is now a resource of the community.
    let lists = app
        .post(
            "service_lists",
            "kind=resource&status=open&category=&community=320113001001",
            Some(&dy10),
        )
        .await;
    assert!(
        lists.body.contains("区人民医院：每季度义诊一次"),
        "{}",
        lists.body
    );

    // dy10 (a member who has not reported yet) names the hospital as her workplace; the organiser accepts her.
    let options = app
        .post("service_report_options", "", Some(&dy10))
        .await
        .json();
    assert!(options["party_member"].as_bool().unwrap());
    assert!(options["units"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u[0] == hospital));
    let r = app
        .post("service_report_in", &format!("kind=member&org_name=&unit_name=&contact=&phone=&offers={}&grid_code=32011300100101&member_of={hospital}", enc("会修电脑")), Some(&dy10))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mine = r.json().as_i64().unwrap();
    let version = app.db.report(mine).await.unwrap().version;
    let r = app
        .post(
            "service_report_action",
            &format!("id={mine}&version={version}&action=decline&reason="),
            Some(&shuji),
        )
        .await;
    assert!(r.body.contains("service.err.reason"), "{}", r.body);
    let r = app
        .post(
            "service_report_action",
            &format!("id={mine}&version={version}&action=accept&reason="),
            Some(&dy10),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "nobody accepts themselves");
    let r = app
        .post(
            "service_report_action",
            &format!("id={mine}&version={version}&action=accept&reason="),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.body, "\"accepted\"");
    let roster = app.post("service_roster", "", Some(&shuji)).await.json();
    let her = roster["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == mine)
        .unwrap()
        .clone();
    assert_eq!(her["member_of_name"], "区人民医院党总支");
    assert_eq!(her["org_name"], "区人民医院党总支");
    assert!(her["grid_name"].as_str().is_some());
    // The hospital's contact sees her and the hours she served in the community this year.
    let options = app
        .post("service_report_options", "", Some(&jumin))
        .await
        .json();
    let members = options["my_unit_members"].as_array().unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0][0], dy10_name);
    assert!(members[0][1].as_i64().unwrap() >= 0);
    // Her report is in her data.
    let data = app.get_with("/export/me.json", Some(&dy10)).await.json();
    assert_eq!(data["reports"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_need_names_the_service_day_it_serves_and_the_target_is_a_setting() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let day = app
        .db
        .events_with_visibility(domain::event::Visibility::Public)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.title == "社区志愿服务日")
        .unwrap()
        .id;
    let form = |event: i64| {
        format!(
            "unit_code=320113001001&kind=need&title={}&description=&category=environment&amount=6&measure=people&deadline=&grid_code=&event_id={event}",
            enc("服务日清理小广告")
        )
    };
    let r = app
        .post("service_create_listing", &form(day), Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .post("service_create_listing", &form(999_999), Some(&shuji))
        .await;
    assert!(r.body.contains("service.err.event"), "{}", r.body);
    let jumin = app.login("jumin").await;
    let served = app
        .post(
            "service_lists",
            &format!("kind=&status=&category=&community=&event={day}"),
            Some(&jumin),
        )
        .await
        .json();
    let titles: Vec<&str> = served
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"服务日清理小广告"), "{titles:?}");
    assert!(served
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["event_id"] == day));
    assert!(
        titles.len() >= 3,
        "the demo's open needs serve it too: {titles:?}"
    );

    // The yearly target is the administrator's to set.
    let admin = app.login("admin").await;
    assert_eq!(
        app.post(
            "admin_set_service_target",
            "hours=0&unit_percent=95",
            Some(&admin)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post(
            "admin_set_service_target",
            "hours=40&unit_percent=90",
            Some(&shuji)
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(
            "admin_set_service_target",
            "hours=40&unit_percent=101",
            Some(&admin)
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post(
            "admin_set_service_target",
            "hours=40&unit_percent=90",
            Some(&admin)
        )
        .await
        .status,
        StatusCode::OK
    );
    let year = &today()[..4];
    let s = app
        .post("service_stats", &format!("year={year}"), Some(&shuji))
        .await
        .json();
    assert_eq!(s["target_minutes"], 2400);
    assert_eq!(s["unit_percent"], 90);
    // The demo's reported members are grouped by the unit they work in; every unit is counted.
    let units = s["units"].as_array().unwrap();
    assert!(!units.is_empty(), "{s}");
    let members: u64 = units.iter().map(|u| u["members"].as_u64().unwrap()).sum();
    assert!(members >= 9, "{units:?}");
    assert!(units
        .iter()
        .all(|u| u["reached"].as_u64() <= u["members"].as_u64()));
}

#[tokio::test]
async fn a_projects_milestones_are_ticked_by_its_organiser_and_a_stale_edit_is_refused() {
    let app = spawn().await;
    let shuji = app.login("shuji").await;
    let projects = app
        .post(
            "service_lists",
            "kind=project&status=&category=&community=",
            Some(&shuji),
        )
        .await
        .json();
    let p = projects.as_array().unwrap()[0].clone();
    let (id, version) = (p["id"].as_i64().unwrap(), p["version"].as_i64().unwrap());
    let steps = p["milestones"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    assert_eq!(steps.iter().filter(|m| m["done"] == true).count(), 2);
    let next = r#"[{"title":"意见征集","done":true},{"title":"方案公示","done":true},{"title":"施工","done":true},{"title":"验收","done":false}]"#;
    let form = |v: i64, json: &str| format!("id={id}&version={v}&milestones={}", enc(json));
    let jumin = app.login("jumin").await;
    assert_eq!(
        app.post("service_set_milestones", &form(version, next), Some(&jumin))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(
            "service_set_milestones",
            &form(version, r#"[{"title":"","done":true}]"#),
            Some(&shuji),
        )
        .await;
    assert!(r.body.contains("service.err.milestones"), "{}", r.body);
    let r = app
        .post("service_set_milestones", &form(version, next), Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .post("service_set_milestones", &form(version, next), Some(&shuji))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a stale version: {}",
        r.body
    );
    let l = app.db.listing(id).await.unwrap();
    assert!(
        l.milestones.contains(r#""title":"施工","done":true"#),
        "{}",
        l.milestones
    );
}

#[tokio::test]
async fn needs_and_wishes_with_a_grid_show_on_the_maps_service_layer_and_filter_the_lists() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let shuji = app.login("shuji").await;
    let layer = app.post("service_map_marks", "", Some(&jumin)).await.json();
    let layer = layer.as_array().unwrap().clone();
    assert!(!layer.is_empty(), "the demo's open needs sit on grids");
    let count = |v: &[serde_json::Value], grid: &str, key: &str| {
        v.iter()
            .find(|m| m["grid_code"] == grid)
            .map_or(0, |m| m[key].as_i64().unwrap())
    };
    // A resident's wish names a grid of her community; another community's grid is refused.
    let grids = app
        .post("service_report_options", "", Some(&jumin))
        .await
        .json()["grids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[0].as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    let grid = grids.last().unwrap().clone();
    let post = |grid: &str| {
        format!(
            "unit_code=&title={}&description=&category=elderly&beneficiary=&grid_code={grid}",
            enc("想请人帮忙换灯泡")
        )
    };
    let before = fingerprint(&app.db).await;
    let r = app
        .post(
            "service_post_wish",
            &post("32011300200101001"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("service.err.grid"), "{}", r.body);
    assert_eq!(fingerprint(&app.db).await, before);
    let r = app
        .post("service_post_wish", &post(&grid), Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let wish = r.json().as_i64().unwrap();
    let waiting = count(&layer, &grid, "wishes");
    let v = app.db.wish(wish).await.unwrap().version;
    let r = app
        .post(
            "service_wish_action",
            &format!("id={wish}&version={v}&action=verify&reason=&note=&minutes=0"),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = app.post("service_map_marks", "", Some(&jumin)).await.json();
    assert_eq!(
        count(after.as_array().unwrap(), &grid, "wishes"),
        waiting + 1,
        "verified, it waits on the map"
    );
    // The wall and the lists filter by grid (a grid and the grids inside it).
    let wall = app
        .post(
            "service_wishes",
            &format!("community=&grid={grid}"),
            Some(&jumin),
        )
        .await
        .json();
    let wall = wall.as_array().unwrap();
    assert!(wall.iter().any(|w| w["id"] == wish));
    assert!(wall.iter().all(|w| w["grid_code"] == grid.as_str()));
    let (needs_grid, needs) = layer
        .iter()
        .find(|m| m["needs"].as_i64().unwrap() > 0)
        .map(|m| {
            (
                m["grid_code"].as_str().unwrap().to_owned(),
                m["needs"].as_i64().unwrap(),
            )
        })
        .unwrap();
    let lists = app
        .post(
            "service_lists",
            &format!("kind=need&status=open&category=&community=&grid={needs_grid}"),
            Some(&jumin),
        )
        .await
        .json();
    let lists = lists.as_array().unwrap();
    assert!(lists.len() as i64 >= needs, "{lists:?}");
    assert!(lists.iter().all(|l| l["grid_code"] == needs_grid.as_str()));
    let r = app
        .post(
            "service_lists",
            "kind=&status=&category=&community=&grid=x%27--",
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_resident_unit_claims_a_need_and_a_wish_through_its_contact_and_only_where_it_reported() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let shuji = app.login("shuji").await;
    // jumin (a resident, not a party member) reports the hospital in; before it is accepted she
    // cannot act for it.
    let r = app
        .post(
            "service_report_in",
            &format!(
                "kind=unit&org_name={}&unit_name={}&contact={}&phone=13812345678&offers=&grid_code=",
                enc("区人民医院党总支"),
                enc("区人民医院"),
                enc("王主任"),
            ),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let hospital = r.json().as_i64().unwrap();
    let needs = app
        .post(
            "service_lists",
            "kind=need&status=open&category=&community=",
            Some(&jumin),
        )
        .await
        .json();
    let need = needs
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["left"].as_i64().unwrap() >= 2)
        .unwrap()
        .clone();
    let id = need["id"].as_i64().unwrap();
    assert_eq!(need["can_claim"], false, "not a party member");
    assert!(need["claim_as_unit"].is_null(), "not accepted yet");
    let before = fingerprint(&app.db).await;
    let r = app
        .post(
            "service_claim",
            &format!("id={id}&amount=1&for_unit={hospital}"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .post("service_claim", &format!("id={id}&amount=1"), Some(&jumin))
        .await;
    assert!(r.body.contains("service.err.members_only"), "{}", r.body);
    assert_eq!(fingerprint(&app.db).await, before);
    let v = app.db.report(hospital).await.unwrap().version;
    let r = app
        .post(
            "service_report_action",
            &format!("id={hospital}&version={v}&action=accept&reason="),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Accepted: the lists offer the claim as the unit, and it is named by the unit.
    let needs = app
        .post(
            "service_lists",
            "kind=need&status=open&category=&community=",
            Some(&jumin),
        )
        .await
        .json();
    let need = needs
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(need["claim_as_unit"][0], hospital);
    assert_eq!(need["claim_as_unit"][1], "区人民医院党总支");
    // Someone else cannot use the unit's report.
    let dangyuan = app.login("dangyuan").await;
    let r = app
        .post(
            "service_claim",
            &format!("id={id}&amount=1&for_unit={hospital}"),
            Some(&dangyuan),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .post(
            "service_claim",
            &format!("id={id}&amount=2&for_unit={hospital}"),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let claims = app
        .post("service_listing_claims", &format!("id={id}"), Some(&shuji))
        .await
        .json();
    let named = claims.as_array().unwrap().iter().any(|c| {
        c["claimant_name"]
            .as_str()
            .unwrap()
            .starts_with("区人民医院党总支（")
    });
    assert!(named, "{claims}");

    // A wish on the wall, taken on by the unit.
    let wall = app
        .post("service_wishes", "community=", Some(&jumin))
        .await
        .json();
    let wish = wall
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["state"] == "verified")
        .unwrap()
        .clone();
    assert_eq!(wish["claim_as_unit"][0], hospital);
    let (wid, wv) = (
        wish["id"].as_i64().unwrap(),
        wish["version"].as_i64().unwrap(),
    );
    let r = app
        .post(
            "service_wish_action",
            &format!(
                "id={wid}&version={wv}&action=claim&reason=&note=&minutes=0&for_unit={hospital}"
            ),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let w = app.db.wish(wid).await.unwrap();
    assert!(
        w.claimant_name.unwrap().starts_with("区人民医院党总支（"),
        "the wall names the unit"
    );
    // Released, the unit's name goes with it.
    let r = app
        .post(
            "service_wish_action",
            &format!(
                "id={wid}&version={}&action=release&reason=&note=&minutes=0",
                w.version
            ),
            Some(&jumin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(app.db.wish(wid).await.unwrap().claimant_name, None);
}
