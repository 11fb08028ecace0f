//! Who may call what, for every registered server function: each is called as anonymous, as each
//! role, and as a user of another scope, with arguments aimed at the demo district's first
//! community (the home of `shuji`, `wangge` and `jumin`). A function missing from the table fails
//! the suite, so nobody adds one without deciding who may call it; a refusal that changes stored
//! data fails it too.

use crate::common::*;
use app::api::grids::GridEdit;
use domain::Role;

/// The callers, in the order they call (least privileged first, so a success cannot make a later
/// refusal look right).
const ACTORS: [&str; 8] = [
    "anonymous",
    "resident of another community",
    "resident",
    "grid worker of another area",
    "grid worker",
    "organiser of another community",
    "organiser",
    "administrator",
];

/// What the demo gives and the test adds, read again before every call (versions move on).
struct Ctx {
    event: i64,
    event_version: i64,
    cancel_event: i64,
    grid: app::api::grids::GridView,
    revision: i64,
    unit_id: i64,
    unit_version: i64,
    org_csv: String,
    service: ServiceObjects,
    listing_version: i64,
    wish_version: i64,
    report_version: i64,
    field_version: i64,
}

const AT: &str = "2031-03-10T09:00";
const ICS: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nBEGIN:VEVENT\r\nUID:a@b\r\n\
SUMMARY:健步走\r\nDTSTART:20310301T003000Z\r\nDTEND:20310301T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
const LAYER: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[118.9,32.1],[118.91,32.11]]}}]}"#;

type ArgsFn = fn(&Ctx) -> String;

fn rename_grid(c: &Ctx) -> String {
    let mut draft = c.grid.draft();
    draft.name = format!("{}·", draft.name);
    let edit = GridEdit::Update {
        id: c.grid.id,
        version: c.grid.version,
        draft,
    };
    format!("edits={}", enc(&serde_json::to_string(&[edit]).unwrap()))
}

fn event_fields(title: &str) -> String {
    format!(
        "title={}&description=&category=lecture&location=x&starts_at={AT}&ends_at=2031-03-10T10:00&rrule=&capacity=5&guests_allowed=0&rsvp_deadline_minutes=0&visibility=public",
        enc(title)
    )
}

/// (endpoint, arguments, expected status per actor in `ACTORS` order).
fn table() -> Vec<(&'static str, ArgsFn, [u16; 8])> {
    vec![
        // Accounts: anyone may try to log in or register; the rest needs a session.
        // The sixth wrong password in a row for one account finds it locked (429), whoever asks.
        (
            "login",
            |_| "username=nobody&password=wrong-password".into(),
            [400, 400, 400, 400, 400, 429, 429, 429],
        ),
        ("logout", |_| String::new(), [200; 8]),
        ("me", |_| String::new(), [200; 8]),
        ("registration_info", |_| String::new(), [200; 8]),
        (
            "register",
            |_| {
                "username=newcomer&display_name=&password=long+enough+pw&community=320113001001"
                    .into()
            },
            [400; 8],
        ),
        (
            "change_password",
            |_| "current=wrong&new=another+long+password".into(),
            [401, 400, 400, 400, 400, 400, 400, 400],
        ),
        (
            "set_my_phone",
            |_| "phone=13800000000".into(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // Residents erase their own account (here with a wrong password); staff accounts cannot.
        (
            "delete_my_account",
            |_| "password=wrong".into(),
            [401, 400, 400, 403, 403, 403, 403, 403],
        ),
        // Administration: administrators only.
        (
            "admin_users",
            |_| String::new(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_create_user",
            |_| "username=x&display_name=x&password=x&role=resident&scope=320113001001".into(),
            [401, 403, 403, 403, 403, 403, 403, 400],
        ),
        (
            "admin_set_role",
            |_| "id=4&role=resident&scope=320113001001".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_set_disabled",
            |_| "id=4&disabled=false".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_set_party_member",
            |_| "id=4&party_member=false".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_set_registration",
            |_| "open=true".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_set_grid_target",
            |_| "target=300".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_set_district",
            |_| "code=320113".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "orgs_set_levels",
            |_| "set=five".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_audit",
            |_| "action=".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        // Grids: everyone signed in reads; grid workers edit inside their area, administrators anywhere.
        (
            "grids_list",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "grids_save",
            rename_grid,
            [401, 403, 403, 403, 200, 403, 403, 200],
        ),
        (
            "grids_import",
            rename_grid,
            [401, 403, 403, 403, 200, 403, 403, 200],
        ),
        // Staff read any grid's history (who changed it); residents do not.
        (
            "grid_history",
            |c| format!("id={}", c.grid.id),
            [401, 403, 403, 200, 200, 200, 200, 200],
        ),
        (
            "grid_restore",
            |c| format!("revision={}&version={}", c.revision, c.grid.version),
            [401, 403, 403, 403, 200, 403, 403, 200],
        ),
        (
            "map_layers",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "map_layer_upload",
            |_| format!("name=%E5%B1%82&crs=wgs84&geojson={}", enc(LAYER)),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "map_layer_delete",
            |_| "id=999".into(),
            [401, 403, 403, 403, 403, 403, 403, 404],
        ),
        // Party organisation: everyone signed in reads the tree; organisers edit their subtree.
        (
            "orgs_tree",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // Everyone sees a unit's name and secretary; its people, phones and log only those covering it
        // (checked below through the answer's `full`).
        (
            "org_unit_panel",
            |c| format!("id={}", c.unit_id),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "orgs_apply",
            |c| {
                format!(
                    "commands={}",
                    enc(&format!(
                        r#"[{{"op":"rename","id":{},"version":{},"name":"第一党支部"}}]"#,
                        c.unit_id, c.unit_version
                    ))
                )
            },
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        // An organiser of another community gets the preview of their own file with every row refused
        // as outside their scope (checked below); nothing can be committed.
        (
            "orgs_import",
            |c| format!("format=csv&mapping=&data={}&commit=false", enc(&c.org_csv)),
            [401, 403, 403, 403, 403, 200, 200, 200],
        ),
        // Events: everyone signed in reads public events and answers; organisers run their units' events.
        (
            "events_upcoming",
            |_| "from=2031-03-01T00:00".into(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "events_calendar",
            |_| "from=2031-03-01T00:00&to=2031-04-01T00:00&category=&community=".into(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "events_communities",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "event_detail",
            |c| format!("id={}&at={AT}", c.event),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "event_rsvp",
            |c| format!("id={}&at={AT}&going=true&guests=0", c.event),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "events_feed_token",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "event_create",
            |_| {
                event_input(&format!(
                    "unit_code=320113001001&{}",
                    event_fields("新的活动")
                ))
            },
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "event_update",
            |c| {
                event_input(&format!(
                    "id={}&version={}&mode=series&at={AT}&{}",
                    c.event,
                    c.event_version,
                    event_fields("改过的活动")
                ))
            },
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "event_attendees",
            |c| format!("id={}&at={AT}", c.event),
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "event_check_in",
            |c| format!("id={}&at={AT}&code=no-such-code", c.event),
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "event_cancel_occurrence",
            |c| format!("id={}&at={AT}", c.cancel_event),
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "events_stats",
            |_| "from=2031-03-01T00:00&to=2031-04-01T00:00".into(),
            [401, 403, 403, 403, 403, 200, 200, 200],
        ),
        (
            "events_import_ics",
            |_| {
                format!("unit_code=320113001001&ics={}&category=other&capacity=10&visibility=public&commit=false", enc(ICS))
            },
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        // Service matching: the lists and the wall are public to the district; organisers act
        // within scope; only party members claim (none of these callers is one).
        (
            "service_lists",
            |_| "kind=&status=&category=&community=".into(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "service_create_listing",
            |_| {
                "unit_code=320113001001&kind=need&title=%E9%99%AA%E8%AF%8A&description=&category=elderly&amount=3&measure=people&deadline=&grid_code=".into()
            },
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "service_set_listing_status",
            |c| {
                format!(
                    "id={}&version={}&open=true",
                    c.service.listing, c.listing_version
                )
            },
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "service_listing_claims",
            |c| format!("id={}", c.service.listing),
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "service_claim",
            |c| format!("id={}&amount=1", c.service.listing),
            [401, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "service_dispatch",
            |c| format!("id={}&username=member1&amount=1", c.service.listing),
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        // Confirming a claim that is not done yet: the organiser gets past the door, the rule refuses.
        (
            "service_claim_action",
            |c| format!("id={}&action=confirm&reason=&minutes=60", c.service.claim),
            [401, 403, 403, 403, 403, 403, 409, 409],
        ),
        (
            "service_wishes",
            |_| "community=".into(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // Anyone with a community posts a wish of their own; an administrator has no community.
        (
            "service_post_wish",
            |_| {
                "unit_code=&title=%E4%B8%80%E6%9D%A1%E5%9B%B4%E5%B7%BE&description=&category=elderly&beneficiary=".into()
            },
            [401, 200, 200, 200, 200, 200, 200, 400],
        ),
        // The organiser verifies the wish; after that the administrator finds it verified already.
        (
            "service_wish_action",
            |c| {
                format!(
                    "id={}&version={}&action=verify&reason=&note=&minutes=0",
                    c.service.wish, c.wish_version
                )
            },
            [401, 403, 403, 403, 403, 403, 200, 409],
        ),
        (
            "service_mine",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // The desk and the statistics are of the caller's own scope: another community's organiser
        // gets theirs (cross_community checks it holds nothing of this community).
        (
            "service_desk",
            |_| String::new(),
            [401, 403, 403, 403, 403, 200, 200, 200],
        ),
        (
            "service_map_marks",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // Field reports: anyone logged in reports (a new key each call); the grid's worker
        // acknowledges the member's report; the community's organiser and the administrator find
        // it already acknowledged; others may not touch it.
        (
            "field_categories",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "field_reports",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "field_departments",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "field_hot_spots",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        // The staff overview: staff of any scope; residents nothing.
        (
            "staff_overview",
            |_| String::new(),
            [401, 403, 403, 200, 200, 200, 200, 200],
        ),
        // The rates: staff of any scope (their scope's rows); residents nothing.
        (
            "field_rates",
            |_| "month=&by=grid".into(),
            [401, 403, 403, 200, 200, 200, 200, 200],
        ),
        (
            "field_report_in",
            |_| {
                let key = format!(
                    "access-{}",
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_nanos()
                );
                format!(
                    "key={key}&category=1&description={}&lon=118.9&lat=32.1&made_at={}",
                    enc("路灯不亮"),
                    store::now()
                )
            },
            [401, 200, 200, 200, 200, 200, 200, 200],
        ),
        (
            "field_act",
            |c| {
                format!(
                    "id={}&version={}&action={}",
                    c.service.field,
                    c.field_version,
                    enc(r#"{"action":"acknowledge"}"#)
                )
            },
            [401, 403, 403, 403, 200, 403, 409, 409],
        ),
        (
            "field_report_detail",
            |c| format!("id={}", c.service.field),
            [401, 403, 403, 403, 200, 403, 200, 200],
        ),
        // The reporter's contact: those who handle it (each reveal audited).
        (
            "field_reporter_contact",
            |c| format!("id={}", c.service.field),
            [401, 403, 403, 403, 200, 403, 200, 200],
        ),
        (
            "admin_field_category",
            |_| {
                "name=%E5%B8%82%E6%94%BF%E8%AE%BE%E6%96%BD&acknowledge_unit=hours&acknowledge_n=24&resolve_unit=working-days&resolve_n=7".into()
            },
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_field_settings",
            |_| String::new(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_set_field_calendar",
            |_| "holidays=2027-01-01&workdays=".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        (
            "admin_department",
            |_| "name=%E5%8C%BA%E4%BD%8F%E5%BB%BA%E5%B1%80&username=".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        // A wish's photo: its maker or the organiser (the member's wish; nobody else's business).
        (
            "service_wish_photo",
            |c| {
                format!(
                    "wish={}&purpose=wish&data={}",
                    c.service.wish,
                    enc(&small_photo_b64())
                )
            },
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        // Removing the member's photo: the organiser may; then it is gone for the administrator.
        (
            "service_photo_delete",
            |c| format!("id={}", c.service.photo),
            [401, 403, 403, 403, 403, 403, 200, 404],
        ),
        (
            "service_wish_reveal",
            |c| format!("id={}", c.service.wish),
            [401, 403, 403, 403, 403, 403, 200, 200],
        ),
        (
            "service_stats",
            |_| "year=2026".into(),
            [401, 403, 403, 403, 403, 200, 200, 200],
        ),
        // 双报到: anyone with a community reports to it (an administrator has none); organisers
        // decide within scope and see their own roster.
        (
            "service_report_options",
            |_| String::new(),
            [401, 200, 200, 200, 200, 200, 200, 400],
        ),
        (
            "service_report_in",
            |_| {
                "kind=unit&org_name=%E5%8C%BA%E7%A8%8E%E5%8A%A1%E5%B1%80%E5%85%9A%E6%94%AF%E9%83%A8&unit_name=%E5%8C%BA%E7%A8%8E%E5%8A%A1%E5%B1%80&contact=%E7%8E%8B%E4%B8%BB%E4%BB%BB&phone=13812345678&offers=&grid_code=".into()
            },
            [401, 200, 200, 200, 200, 200, 200, 400],
        ),
        (
            "service_report_action",
            |c| {
                format!(
                    "id={}&version={}&action=accept&reason=",
                    c.service.report, c.report_version
                )
            },
            [401, 403, 403, 403, 403, 403, 200, 409],
        ),
        (
            "service_roster",
            |_| String::new(),
            [401, 403, 403, 403, 403, 200, 200, 200],
        ),
        (
            "admin_set_service_target",
            |_| "hours=50&unit_percent=95".into(),
            [401, 403, 403, 403, 403, 403, 403, 200],
        ),
        // Milestones belong to projects: on a need, the organiser gets past the door and is told so.
        (
            "service_set_milestones",
            |c| {
                format!(
                    "id={}&version={}&milestones=%5B%5D",
                    c.service.listing, c.listing_version
                )
            },
            [401, 403, 403, 403, 403, 403, 400, 400],
        ),
    ]
}

async fn event(db: &store::Db, title: &str) -> i64 {
    event_of(db, "320113001001", title, "public").await
}

async fn context(
    app: &TestApp,
    admin: &str,
    event: i64,
    cancel_event: i64,
    service: ServiceObjects,
) -> Ctx {
    let grid = app
        .grid_map(admin)
        .await
        .grids
        .into_iter()
        .find(|g| g.code == "32011300100101001")
        .unwrap();
    // The oldest revision (the demo writes none: then a save made below, or 1, which is refused for
    // those who may not restore before it is looked up).
    let revision = app
        .revisions(admin, grid.id)
        .await
        .last()
        .copied()
        .unwrap_or(1);
    let tree = app.org_tree(admin).await;
    let unit = tree
        .units
        .iter()
        .find(|u| u.code == "32011300100101")
        .unwrap();
    let detail = app
        .post("event_detail", &format!("id={event}&at={AT}"), Some(admin))
        .await
        .json();
    let csv = app
        .get_with("/export/orgs.csv?root=32011300100101", Some(admin))
        .await
        .body;
    Ctx {
        event,
        event_version: detail["version"].as_i64().unwrap(),
        cancel_event,
        revision,
        unit_id: unit.id,
        unit_version: unit.version,
        grid,
        org_csv: csv,
        listing_version: app.db.listing(service.listing).await.unwrap().version,
        wish_version: app.db.wish(service.wish).await.unwrap().version,
        report_version: app.db.report(service.report).await.unwrap().version,
        field_version: app.db.field_report(service.field).await.unwrap().version,
        service,
    }
}

#[tokio::test]
async fn every_server_function_refuses_whoever_does_not_belong() {
    let app = spawn().await;
    let db = &app.db;
    // The demo's four accounts plus one of each role in the second community.
    let ids = [
        0,
        user(db, "jumin2", Role::Resident, "320113001002").await,
        4,
        user(db, "wangge2", Role::GridWorker, "32011300100201").await,
        3,
        user(db, "shuji2", Role::Organiser, "320113001002").await,
        2,
        1,
    ];
    let event_id = event(db, "社区讲座").await;
    let cancel_id = event(db, "将被取消的讲座").await;
    let admin_cookie = format!("linli_session={}", db.create_session(1).await.unwrap());
    let service = service_objects(db, "320113001001", "member1").await;

    let table = table();
    let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, method)| {
            assert_eq!(method.as_str(), "POST", "{p} must not be callable over GET");
            p.trim_start_matches("/api/").to_owned()
        })
        .collect();
    registered.sort();
    let mut listed: Vec<String> = table.iter().map(|(e, _, _)| e.to_string()).collect();
    listed.sort();
    assert_eq!(
        registered, listed,
        "every registered server function needs a row in table(), and every row a function"
    );

    let mut wrong = Vec::new();
    for (endpoint, args, expect) in &table {
        let mut got = [0u16; 8];
        for (i, name) in ACTORS.iter().enumerate() {
            // A fresh session per call: a logout or a role change must not leak into the next row.
            let cookie = if i == 0 {
                None
            } else {
                Some(format!(
                    "linli_session={}",
                    db.create_session(ids[i]).await.unwrap()
                ))
            };
            let ctx = context(&app, &admin_cookie, event_id, cancel_id, service.clone()).await;
            let before = fingerprint(db).await;
            let r = app.post(endpoint, &args(&ctx), cookie.as_deref()).await;
            got[i] = r.status.as_u16();
            if got[i] >= 400 {
                let after = fingerprint(db).await;
                if before != after {
                    wrong.push(format!(
                        "{endpoint} as {name}: refused ({}) but stored data changed",
                        got[i]
                    ));
                }
            }
            // Answers that are 200 for everyone but must differ by who asks.
            if got[i] == 200 && *endpoint == "org_unit_panel" && r.json()["full"] != (i >= 6) {
                wrong.push(format!(
                    "{endpoint} as {name}: full view is {}",
                    r.json()["full"]
                ));
            }
            if got[i] == 200 && *endpoint == "orgs_import" {
                let out_of_scope = r.body.contains("org_import.scope");
                if out_of_scope != (i == 5) {
                    wrong.push(format!(
                        "{endpoint} as {name}: rows refused as out of scope: {out_of_scope}"
                    ));
                }
            }
            if got[i] != expect[i] {
                wrong.push(format!(
                    "{endpoint} as {name}: {} (expected {}): {}",
                    got[i],
                    expect[i],
                    r.body
                        .chars()
                        .take(if endpoint.contains("import") {
                            2000
                        } else {
                            160
                        })
                        .collect::<String>()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// Every argument name any server function takes, with a value that parses.
const PLAUSIBLE: &[(&str, &str)] = &[
    ("username", "nobody"),
    ("password", "wrong-password"),
    ("display_name", "王"),
    ("community", "320113001001"),
    ("current", "x"),
    ("new", "y"),
    ("from", "2031-03-01T00:00"),
    ("to", "2031-04-01T00:00"),
    ("category", ""),
    ("id", "1"),
    ("at", AT),
    ("going", "true"),
    ("guests", "0"),
    ("code", "x"),
    ("unit_code", "320113001001"),
    ("title", "t"),
    ("description", ""),
    ("location", ""),
    ("starts_at", AT),
    ("ends_at", "2031-03-10T10:00"),
    ("rrule", ""),
    ("capacity", "5"),
    ("guests_allowed", "0"),
    ("rsvp_deadline_minutes", "0"),
    ("visibility", "public"),
    ("version", "1"),
    ("mode", "series"),
    ("phone", "13800000000"),
    ("role", "resident"),
    ("scope", "320113001001"),
    ("disabled", "false"),
    ("open", "true"),
    ("action", ""),
    ("actor", ""),
    ("result", ""),
    ("edits", "[]"),
    ("revision", "1"),
    ("target", "300"),
    ("crs", "wgs84"),
    ("geojson", "{}"),
    ("name", "x"),
    ("commands", "[]"),
    ("csv", "x"),
    ("commit", "false"),
    ("data", "AAAA"),
    ("ics", "x"),
    ("party_member", "false"),
    ("grid_code", ""),
    ("point", ""),
    ("kind", "need"),
    ("status", ""),
    ("amount", "1"),
    ("measure", "people"),
    ("deadline", ""),
    ("reason", "x"),
    ("note", ""),
    ("minutes", "60"),
    ("beneficiary", ""),
    ("year", "2026"),
    ("org_name", "区税务局党支部"),
    ("unit_name", "区税务局"),
    ("contact", "王主任"),
    ("member_of", "1"),
    ("event", "1"),
    ("event_id", "1"),
    ("hours", "50"),
    ("milestones", "[]"),
];

/// Values people and attackers send: wrong types, extremes, markup, broken encodings, deep JSON.
fn hostile(rng: &mut impl rand::Rng) -> String {
    let long = "长".repeat(rng.gen_range(1..12_000));
    let deep = "[".repeat(rng.gen_range(1..5_000));
    let choices: Vec<String> = vec![
        String::new(),
        "-1".into(),
        "0".into(),
        i64::MAX.to_string(),
        i64::MIN.to_string(),
        "18446744073709551616".into(),
        "1e309".into(),
        "NaN".into(),
        "true".into(),
        "yes".into(),
        "%ZZ".into(),
        "%FF%FE%00".into(),
        "%00".into(),
        enc("<script>alert(1)</script>"),
        enc("'; DROP TABLE app_user; --"),
        enc(&long),
        enc(&deep),
        enc(r#"[{"op":"rename","id":1,"version":1,"name":"x"}]"#),
        enc(r#"[{"Update":{"id":1,"version":1,"draft":null}}]"#),
        enc("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VCALENDAR"),
        enc("2031-02-30T25:61"),
        enc("FREQ=SECONDLY;COUNT=999999999"),
        enc("编码,名称\n=cmd|' /C calc'!A0,x"),
    ];
    choices[rng.gen_range(0..choices.len())].clone()
}

#[tokio::test]
async fn hostile_arguments_never_crash_or_half_write() {
    use rand::{Rng, SeedableRng};
    let app = spawn().await;
    let db = &app.db;
    event(db, "社区讲座").await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261123);
    let mut endpoints: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.trim_start_matches("/api/").to_owned())
        .collect();
    endpoints.sort();
    let mut wrong = Vec::new();
    for endpoint in &endpoints {
        for round in 0..24 {
            let body = if round == 0 {
                // Not a form at all.
                (0..rng.gen_range(0..300))
                    .map(|_| rng.gen_range(0u8..=255) as char)
                    .collect::<String>()
            } else {
                let mut pairs = Vec::new();
                for (k, v) in PLAUSIBLE {
                    if rng.gen_bool(0.05) {
                        continue;
                    }
                    let v = if rng.gen_bool(0.3) {
                        hostile(&mut rng)
                    } else {
                        enc(v)
                    };
                    pairs.push(format!("{k}={v}"));
                }
                pairs.join("&")
            };
            // An administrator reaches the deepest code; a fresh session, as `logout` ends it.
            let cookie = format!("linli_session={}", db.create_session(1).await.unwrap());
            let before = fingerprint(db).await;
            let r = app.post(endpoint, &body, Some(&cookie)).await;
            let status = r.status.as_u16();
            if status >= 500 {
                wrong.push(format!(
                    "{endpoint}: {status} for {}: {}",
                    body.chars().take(120).collect::<String>(),
                    r.body
                ));
            } else if status >= 400 && fingerprint(db).await != before {
                wrong.push(format!(
                    "{endpoint}: refused ({status}) but stored data changed"
                ));
            } else if status >= 400 && r.body.contains("<script>") {
                wrong.push(format!("{endpoint}: the error echoes markup: {}", r.body));
            } else if status >= 400
                && [
                    "missing field",
                    "deserializ",
                    "server function",
                    "invalid type",
                ]
                .iter()
                .any(|w| r.body.contains(w))
            {
                wrong.push(format!("{endpoint}: the error shows internals: {}", r.body));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn unknown_functions_and_bad_arguments_answer_without_internals() {
    let app = spawn().await;
    let r = app.post("no_such_function", "", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body, "\"NotFound\"");
    let r = app.get("/api/login").await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "server functions are POST only"
    );
    let r = app.post("login", "password=x", None).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(!r.body.contains("username"), "{}", r.body);
    assert!(!r.body.contains("deserializ"), "{}", r.body);
}
