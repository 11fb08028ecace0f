//! One community's staff and residents against another community's objects. For every registered
//! server function, the table below says what it is called with: objects (a unit, a grid, an
//! event, an occurrence, a user, a layer, a revision) of the demo district's *second* community
//! 320113001002 — also when they are only named inside an uploaded file (an organisation list, a
//! workbook, a calendar) — and what the organiser (`shuji`), the grid worker (`wangge`) and the
//! resident (`jumin`) of the *first* community must get. A refusal must leave stored data as it
//! was. A function missing from the table fails the test (the registry is server_fn's), so a new
//! one cannot skip this question; functions that take no object say why.

use crate::common::*;
use app::api::grids::{GridEdit, GridView};

const OTHER: &str = "320113001002";
const AT: &str = "2031-03-10T09:00";

/// What the three callers (organiser, grid worker, resident of the first community) must get.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Want {
    /// Refused (4xx), nothing stored changed.
    No,
    /// Answered (200): the object is public to the district (the shared map, public events).
    Yes,
    /// For uploads: answered with the file refused (nothing committed), or refused outright.
    NotCommitted,
}
use Want::*;

/// The other community's objects, read before every call.
struct Other {
    grid: GridView,
    /// A grid of the first community (the callers' own), for files that mix both.
    own_grid: GridView,
    revision: i64,
    unit_id: i64,
    unit_version: i64,
    unit_code: String,
    own_unit_id: i64,
    own_unit_version: i64,
    event: i64,
    event_version: i64,
    party_event: i64,
    user: i64,
    layer: i64,
    service: ServiceObjects,
    listing_version: i64,
    wish_version: i64,
    report_version: i64,
}

type Args = fn(&Other) -> String;

fn edits(edits: &[GridEdit]) -> String {
    format!("edits={}", enc(&serde_json::to_string(edits).unwrap()))
}

fn rename_other_grid(o: &Other) -> String {
    let mut draft = o.grid.draft();
    draft.name = format!("{}·", draft.name);
    edits(&[GridEdit::Update {
        id: o.grid.id,
        version: o.grid.version,
        draft,
    }])
}

/// The probe's bypass: a new grid whose code lies in the caller's area, hung under the other
/// community.
fn new_grid_under_other(o: &Other) -> String {
    let mut draft = o.grid.draft();
    draft.code = format!("{}99", o.own_grid.code);
    draft.parent_code = Some(OTHER.into());
    draft.level = 2;
    draft.name = "越界网格".into();
    edits(&[GridEdit::Create { draft }])
}

fn event_fields(title: &str) -> String {
    format!(
        "title={}&description=&category=lecture&location=x&starts_at={AT}&ends_at=2031-03-10T10:00&rrule=&capacity=5&guests_allowed=0&rsvp_deadline_minutes=0&visibility=public",
        enc(title)
    )
}

fn org_csv(rows: &str) -> String {
    format!("组织编码,名称,层级,上级组织编码,网格编码\n{rows}")
}

fn xlsx(rows: &[[&str; 5]]) -> String {
    use base64::Engine;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["组织编码", "名称", "层级", "上级组织编码", "网格编码"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    let bytes = book.save_to_buffer().unwrap();
    format!(
        "format=xlsx&mapping=&data={}&commit=true",
        enc(&base64::engine::general_purpose::STANDARD.encode(bytes))
    )
}

fn ics(uid: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Outlook//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:邻里议事\r\n\
         DTSTART:20310301T003000Z\r\nDTEND:20310301T020000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// (endpoint, what it is called with, what the organiser, grid worker and resident get).
/// `None` arguments: the function takes no object of anyone else (the reason is in the row).
fn table() -> Vec<(&'static str, &'static str, Option<Args>, [Want; 3])> {
    vec![
        // The caller's own account and session: no object of anyone else.
        ("login", "acts on the named account only", None, [Yes; 3]),
        ("logout", "the caller's session", None, [Yes; 3]),
        ("me", "the caller", None, [Yes; 3]),
        ("registration_info", "public", None, [Yes; 3]),
        ("register", "creates the caller", None, [Yes; 3]),
        ("change_password", "the caller", None, [Yes; 3]),
        ("set_my_phone", "the caller", None, [Yes; 3]),
        ("delete_my_account", "the caller", None, [Yes; 3]),
        ("events_feed_token", "the caller's feed", None, [Yes; 3]),
        (
            "events_stats",
            "limited to the caller's own scope on the server",
            None,
            [Yes; 3],
        ),
        // Another community's user.
        (
            "admin_users",
            "every user",
            Some(|_| String::new()),
            [No; 3],
        ),
        (
            "admin_create_user",
            "a user in the other community",
            Some(|_| {
                format!("username=planted&display_name=x&password=a+long+password&role=organiser&scope={OTHER}")
            }),
            [No; 3],
        ),
        (
            "admin_set_role",
            "the other community's resident",
            Some(|o| format!("id={}&role=organiser&scope={OTHER}", o.user)),
            [No; 3],
        ),
        (
            "admin_set_disabled",
            "the other community's resident",
            Some(|o| format!("id={}&disabled=true", o.user)),
            [No; 3],
        ),
        (
            "admin_set_party_member",
            "the other community's resident",
            Some(|o| format!("id={}&party_member=true", o.user)),
            [No; 3],
        ),
        (
            "admin_set_registration",
            "the district's setting",
            Some(|_| "open=false".into()),
            [No; 3],
        ),
        (
            "admin_set_grid_target",
            "the district's setting",
            Some(|_| "target=10".into()),
            [No; 3],
        ),
        (
            "admin_set_district",
            "the district's setting",
            Some(|_| "code=320114".into()),
            [No; 3],
        ),
        (
            "orgs_set_levels",
            "the district's level set",
            Some(|_| "set=district".into()),
            [No; 3],
        ),
        (
            "admin_audit",
            "the other community's audit entries",
            Some(|_| format!("actor={OTHER}")),
            [No; 3],
        ),
        // Grids: the map is shared; the other community's grids are not the callers' to change.
        (
            "grids_list",
            "the district's map",
            Some(|_| String::new()),
            [Yes; 3],
        ),
        (
            "grids_save",
            "rename the other community's grid",
            Some(rename_other_grid),
            [No; 3],
        ),
        (
            "grids_save",
            "a new grid of the caller's code under the other community",
            Some(new_grid_under_other),
            [No; 3],
        ),
        (
            "grids_import",
            "the other community's grid, inside an import",
            Some(rename_other_grid),
            [No; 3],
        ),
        (
            "grids_import",
            "a new grid under the other community, inside an import",
            Some(new_grid_under_other),
            [No; 3],
        ),
        // Staff read any grid's history (who changed it); residents do not.
        (
            "grid_history",
            "the other community's grid",
            Some(|o| format!("id={}", o.grid.id)),
            [Yes, Yes, No],
        ),
        (
            "grid_restore",
            "a revision of the other community's grid",
            Some(|o| format!("revision={}&version={}", o.revision, o.grid.version)),
            [No; 3],
        ),
        (
            "map_layers",
            "the district's context layers",
            Some(|_| String::new()),
            [Yes; 3],
        ),
        (
            "map_layer_upload",
            "a layer over the district",
            Some(|_| {
                format!(
                    "name=x&crs=wgs84&geojson={}",
                    enc(r#"{"type":"FeatureCollection","features":[]}"#)
                )
            }),
            [No; 3],
        ),
        (
            "map_layer_delete",
            "the administrator's layer",
            Some(|o| format!("id={}", o.layer)),
            [No; 3],
        ),
        // Party organisation.
        (
            "orgs_tree",
            "the district's tree (names only)",
            Some(|_| String::new()),
            [Yes; 3],
        ),
        (
            "org_unit_panel",
            "the other community's unit (limited view: checked below)",
            Some(|o| format!("id={}", o.unit_id)),
            [Yes; 3],
        ),
        (
            "orgs_apply",
            "rename the other community's unit",
            Some(|o| {
                format!(
                    "commands={}",
                    enc(&format!(
                        r#"[{{"op":"rename","id":{},"version":{},"name":"改名"}}]"#,
                        o.unit_id, o.unit_version
                    ))
                )
            }),
            [No; 3],
        ),
        (
            "orgs_apply",
            "link the caller's own unit to the other community's grid",
            Some(|o| {
                format!(
                    "commands={}",
                    enc(&format!(
                        r#"[{{"op":"details","id":{},"version":{},"details":{{"term_start":null,"term_years":5,"grid":"{}","roles":[]}}}}]"#,
                        o.own_unit_id, o.own_unit_version, o.grid.code
                    ))
                )
            }),
            [No; 3],
        ),
        (
            "orgs_import",
            "a file renaming the other community's unit",
            Some(|o| {
                format!(
                    "format=csv&mapping=&data={}&commit=true",
                    enc(&org_csv(&format!(
                        "{},改名,小区党支部,{OTHER},\n",
                        o.unit_code
                    )))
                )
            }),
            [NotCommitted; 3],
        ),
        (
            "orgs_import",
            "a JSON export adding a unit under the other community",
            Some(|_| {
                format!(
                    "format=json&mapping=&data={}&commit=true",
                    enc(&format!(
                        r#"[{{"组织编码":"{OTHER}99","名称":"越界支部","层级":"小区党支部","上级组织编码":"{OTHER}"}}]"#
                    ))
                )
            }),
            [NotCommitted; 3],
        ),
        (
            "orgs_import",
            "a file adding a unit of the caller's code under the street committee",
            Some(|_| {
                format!(
                    "format=csv&mapping=&data={}&commit=true",
                    enc(&org_csv("3201130010019,越级新建,社区党委,320113001,\n"))
                )
            }),
            [NotCommitted; 3],
        ),
        (
            "orgs_import",
            "a file linking a new unit of the caller's to the other community's grid",
            Some(|o| {
                format!(
                    "format=csv&mapping=&data={}&commit=true",
                    enc(&org_csv(&format!(
                        "32011300100109,新支部,小区党支部,320113001001,{}\n",
                        o.grid.code
                    )))
                )
            }),
            [NotCommitted; 3],
        ),
        (
            "orgs_import",
            "a workbook adding a unit under the other community",
            Some(|_| xlsx(&[["3201130010029", "越界支部", "小区党支部", OTHER, ""]])),
            [NotCommitted; 3],
        ),
        (
            "orgs_import",
            "a workbook adding a unit of the caller's code under the street committee",
            Some(|_| xlsx(&[["3201130010019", "越级新建", "社区党委", "320113001", ""]])),
            [NotCommitted; 3],
        ),
        // Events: public events of any community are open to all; running them is their unit's.
        (
            "events_upcoming",
            "public events of the district (party events checked below)",
            Some(|_| "from=2031-03-01T00:00".into()),
            [Yes; 3],
        ),
        (
            "events_calendar",
            "public events of the district",
            Some(|_| {
                format!("from=2031-03-01T00:00&to=2031-04-01T00:00&category=&community={OTHER}")
            }),
            [Yes; 3],
        ),
        (
            "events_communities",
            "the district's communities",
            Some(|_| String::new()),
            [Yes; 3],
        ),
        (
            "event_detail",
            "the other community's public event",
            Some(|o| format!("id={}&at={AT}", o.event)),
            [Yes; 3],
        ),
        (
            "event_detail",
            "the other community's party-member event",
            Some(|o| format!("id={}&at={AT}", o.party_event)),
            [Yes, Yes, No],
        ),
        (
            "event_rsvp",
            "the other community's public event",
            Some(|o| format!("id={}&at={AT}&going=true&guests=0", o.event)),
            [Yes; 3],
        ),
        (
            "event_rsvp",
            "the other community's party-member event",
            Some(|o| format!("id={}&at={AT}&going=true&guests=0", o.party_event)),
            [Yes, Yes, No],
        ),
        (
            "event_create",
            "an event of the other community's unit",
            Some(|_| event_input(&format!("unit_code={OTHER}&{}", event_fields("越界活动")))),
            [No; 3],
        ),
        (
            "event_create",
            "an event of the caller's unit placed in the other community's grid",
            Some(|o| {
                event_input(&format!(
                    "unit_code=320113001001&{}&grid_code={}&point=",
                    event_fields("越界地点"),
                    o.grid.code
                ))
            }),
            [No; 3],
        ),
        (
            "event_create",
            "an event of the caller's unit at a point anywhere on Earth",
            Some(|_| {
                event_input(&format!(
                    "unit_code=320113001001&{}&grid_code=&point=0,0",
                    event_fields("天涯海角")
                ))
            }),
            [No; 3],
        ),
        (
            "event_update",
            "the other community's event",
            Some(|o| {
                event_input(&format!(
                    "id={}&version={}&mode=series&at={AT}&{}",
                    o.event,
                    o.event_version,
                    event_fields("改过的活动")
                ))
            }),
            [No; 3],
        ),
        (
            "event_attendees",
            "the other community's occurrence",
            Some(|o| format!("id={}&at={AT}", o.event)),
            [No; 3],
        ),
        (
            "event_check_in",
            "the other community's occurrence",
            Some(|o| format!("id={}&at={AT}&code=no-such-code", o.event)),
            [No; 3],
        ),
        (
            "event_cancel_occurrence",
            "the other community's occurrence",
            Some(|o| format!("id={}&at={AT}", o.event)),
            [No; 3],
        ),
        (
            "events_import_ics",
            "a calendar file imported into the other community's unit",
            Some(|_| {
                format!("unit_code={OTHER}&ics={}&category=other&capacity=10&visibility=public&commit=true", enc(&ics("planted@x")))
            }),
            [No; 3],
        ),
        // Service matching: the lists and the wish wall are public to the district; everything
        // else of the other community is its organiser's.
        (
            "service_lists",
            "the other community's public lists",
            Some(|_| format!("kind=&status=&category=&community={OTHER}")),
            [Yes; 3],
        ),
        (
            "service_wishes",
            "the other community's wish wall (names masked)",
            Some(|_| format!("community={OTHER}")),
            [Yes; 3],
        ),
        (
            "service_create_listing",
            "a need of the other community's committee",
            Some(|_| {
                format!("unit_code={OTHER}&kind=need&title=x&description=&category=elderly&amount=3&measure=people&deadline=&grid_code=")
            }),
            [No; 3],
        ),
        (
            "service_set_listing_status",
            "the other community's need",
            Some(|o| {
                format!(
                    "id={}&version={}&open=false",
                    o.service.listing, o.listing_version
                )
            }),
            [No; 3],
        ),
        (
            "service_listing_claims",
            "the claimants of the other community's need",
            Some(|o| format!("id={}", o.service.listing)),
            [No; 3],
        ),
        (
            "service_claim",
            "the other community's need (none of the callers is a party member)",
            Some(|o| format!("id={}&amount=1", o.service.listing)),
            [No; 3],
        ),
        (
            "service_dispatch",
            "the other community's need, to its member",
            Some(|o| {
                format!(
                    "id={}&username={}&amount=1",
                    o.service.listing, o.service.member
                )
            }),
            [No; 3],
        ),
        (
            "service_claim_action",
            "a claim on the other community's need",
            Some(|o| format!("id={}&action=withdraw&reason=&minutes=0", o.service.claim)),
            [No; 3],
        ),
        (
            "service_post_wish",
            "a wish recorded for the other community",
            Some(|_| {
                format!("unit_code={OTHER}&title=x&description=&category=elderly&beneficiary=%E7%8E%8B%E5%A5%B6%E5%A5%B6")
            }),
            [No; 3],
        ),
        (
            "service_wish_action",
            "verifying the other community's wish",
            Some(|o| {
                format!(
                    "id={}&version={}&action=verify&reason=&note=&minutes=0",
                    o.service.wish, o.wish_version
                )
            }),
            [No; 3],
        ),
        (
            "field_act",
            "acknowledging the other community's field report",
            Some(|o| {
                format!(
                    "id={}&version=1&action={}",
                    o.service.field,
                    enc(r#"{"action":"acknowledge"}"#)
                )
            }),
            [No; 3],
        ),
        (
            "field_report_detail",
            "the other community's field report",
            Some(|o| format!("id={}", o.service.field)),
            [No; 3],
        ),
        (
            "field_reporter_contact",
            "the reporter of the other community's field report",
            Some(|o| format!("id={}", o.service.field)),
            [No; 3],
        ),
        ("field_categories", "the catalogue (public)", None, [Yes; 3]),
        ("field_reports", "the caller's own lists", None, [Yes; 3]),
        (
            "field_departments",
            "the department catalogue (public)",
            None,
            [Yes; 3],
        ),
        (
            "field_hot_spots",
            "counts per grid (public)",
            None,
            [Yes; 3],
        ),
        (
            "staff_overview",
            "the figures of the caller's own scope (residents none)",
            None,
            [Yes, Yes, No],
        ),
        (
            "field_rates",
            "the rates of the caller's own scope (residents none)",
            Some(|_| "month=&by=grid".into()),
            [Yes, Yes, No],
        ),
        (
            "field_report_in",
            "reporting at a point (anyone may, anywhere)",
            None,
            [Yes; 3],
        ),
        (
            "admin_field_settings",
            "a deployment setting (administrators only)",
            None,
            [No; 3],
        ),
        (
            "admin_set_field_calendar",
            "a deployment setting (administrators only)",
            Some(|_| "holidays=2027-01-01&workdays=".into()),
            [No; 3],
        ),
        (
            "admin_field_category",
            "a deployment setting (administrators only)",
            Some(|_| {
                "name=x&acknowledge_unit=hours&acknowledge_n=1&resolve_unit=hours&resolve_n=1"
                    .into()
            }),
            [No; 3],
        ),
        (
            "admin_department",
            "a deployment setting (administrators only)",
            Some(|_| "name=x&username=".into()),
            [No; 3],
        ),
        (
            "service_map_marks",
            "the district's service layer (public, like the lists)",
            None,
            [Yes; 3],
        ),
        (
            "service_wish_photo",
            "a photo on the other community's wish",
            Some(|o| {
                format!(
                    "wish={}&purpose=wish&data={}",
                    o.service.wish,
                    enc(&small_photo_b64())
                )
            }),
            [No; 3],
        ),
        (
            "service_photo_delete",
            "removing the other community's wish photo",
            Some(|o| format!("id={}", o.service.photo)),
            [No; 3],
        ),
        (
            "service_wish_reveal",
            "the other community's wish-maker's phone",
            Some(|o| format!("id={}", o.service.wish)),
            [No; 3],
        ),
        (
            "service_mine",
            "the caller's own claims, wishes and hours",
            None,
            [Yes; 3],
        ),
        (
            "admin_set_service_target",
            "a deployment setting (administrators only)",
            Some(|_| "hours=50&unit_percent=95".into()),
            [No; 3],
        ),
        (
            "service_set_milestones",
            "the other community's listing",
            Some(|o| {
                format!(
                    "id={}&version={}&milestones=%5B%5D",
                    o.service.listing, o.listing_version
                )
            }),
            [No; 3],
        ),
        (
            "service_lists",
            "the needs the other community's party-member event serves",
            Some(|o| format!("kind=&status=&category=&community=&event={}", o.party_event)),
            [Yes, Yes, No],
        ),
        (
            "service_desk",
            "the caller's own scope only (checked below)",
            Some(|_| String::new()),
            [Yes, No, No],
        ),
        (
            "service_stats",
            "the caller's own scope only (checked below)",
            Some(|_| "year=2026".into()),
            [Yes, No, No],
        ),
        (
            "service_report_options",
            "the caller's own community",
            Some(|_| String::new()),
            [Yes; 3],
        ),
        (
            "service_report_in",
            "a report placing the caller in a grid of the other community",
            Some(|o| {
                format!("kind=unit&org_name=x%E5%85%9A%E6%94%AF%E9%83%A8&unit_name=%E5%8C%BB%E9%99%A2&contact=%E7%8E%8B%E4%B8%BB%E4%BB%BB&phone=13812345678&offers=&grid_code={}", o.grid.code)
            }),
            [No; 3],
        ),
        (
            "service_report_action",
            "accepting the other community's report",
            Some(|o| {
                format!(
                    "id={}&version={}&action=accept&reason=",
                    o.service.report, o.report_version
                )
            }),
            [No; 3],
        ),
        (
            "service_roster",
            "the caller's own scope only (checked below)",
            Some(|_| String::new()),
            [Yes, No, No],
        ),
    ]
}

async fn other(
    app: &TestApp,
    admin: &str,
    event: i64,
    party_event: i64,
    user: i64,
    layer: i64,
    service: &ServiceObjects,
) -> Other {
    let map = app.grid_map(admin).await;
    let level3 = |prefix: &str| {
        map.grids
            .iter()
            .find(|g| g.level == 3 && g.code.starts_with(prefix))
            .cloned()
            .unwrap()
    };
    let grid = level3(OTHER);
    let own_grid = map
        .grids
        .iter()
        .find(|g| g.code == "32011300100101")
        .cloned()
        .unwrap();
    // The newest revision; the first read is before the administrator's rename makes one.
    let revision = app
        .revisions(admin, grid.id)
        .await
        .first()
        .copied()
        .unwrap_or(0);
    let tree = app.org_tree(admin).await;
    let unit = tree
        .units
        .iter()
        .find(|u| u.code.starts_with(OTHER) && u.code.len() == OTHER.len() + 2)
        .unwrap();
    let own = tree
        .units
        .iter()
        .find(|u| u.code == "320113001001")
        .unwrap();
    let detail = app
        .post("event_detail", &format!("id={event}&at={AT}"), Some(admin))
        .await
        .json();
    Other {
        grid,
        own_grid,
        revision,
        unit_id: unit.id,
        unit_version: unit.version,
        unit_code: unit.code.clone(),
        own_unit_id: own.id,
        own_unit_version: own.version,
        event,
        event_version: detail["version"].as_i64().unwrap(),
        party_event,
        user,
        layer,
        listing_version: app.db.listing(service.listing).await.unwrap().version,
        wish_version: app.db.wish(service.wish).await.unwrap().version,
        report_version: app.db.report(service.report).await.unwrap().version,
        service: service.clone(),
    }
}

#[tokio::test]
async fn nobody_reaches_into_another_community() {
    let app = spawn().await;
    let db = &app.db;
    let admin = app.login("admin").await;
    // The other community's objects: a public and a party-member event, a resident, a revision of
    // one of its grids (the administrator renames it once), and a context layer.
    let event = event_of(db, OTHER, "别的社区的讲座", "public").await;
    let party_event = event_of(db, OTHER, "别的社区的党员活动", "party-members").await;
    let resident = user(db, "jumin2", domain::Role::Resident, OTHER).await;
    let service = service_objects(db, OTHER, "dangyuan2").await;
    let first = other(&app, &admin, event, party_event, resident, 0, &service).await;
    let r = app
        .post("grids_save", &rename_other_grid(&first), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .post(
            "map_layer_upload",
            &format!(
                "name=%E9%81%93%E8%B7%AF&crs=wgs84&geojson={}",
                enc(r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[118.9,32.1],[118.91,32.11]]}}]}"#)
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let layer = r.json().as_i64().unwrap_or(1);

    let table = table();
    let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.trim_start_matches("/api/").to_owned())
        .collect();
    registered.sort();
    registered.dedup();
    let mut listed: Vec<String> = table.iter().map(|(e, ..)| e.to_string()).collect();
    listed.sort();
    listed.dedup();
    assert_eq!(
        listed, registered,
        "every server function needs a row here: which objects of another community may it touch?"
    );

    let callers = ["shuji", "wangge", "jumin"];
    let mut wrong = Vec::new();
    for (endpoint, what, args, want) in &table {
        let Some(args) = args else { continue };
        for (i, name) in callers.iter().enumerate() {
            let cookie = app.login(name).await;
            let o = other(&app, &admin, event, party_event, resident, layer, &service).await;
            let before = fingerprint(db).await;
            let r = app.post(endpoint, &args(&o), Some(&cookie)).await;
            let status = r.status.as_u16();
            let unchanged = fingerprint(db).await == before;
            let ok = match want[i] {
                Yes => status == 200,
                No => (400..500).contains(&status) && unchanged,
                NotCommitted => {
                    unchanged
                        && ((400..500).contains(&status)
                            || (status == 200 && r.json()["committed"] == false))
                }
            };
            if !ok {
                wrong.push(format!(
                    "{endpoint} ({what}) as {name}: {status}, data {}: {}",
                    if unchanged { "unchanged" } else { "CHANGED" },
                    r.body.chars().take(300).collect::<String>()
                ));
            }
            // Answered, but not with what is not theirs.
            if status == 200 && *endpoint == "org_unit_panel" && r.json()["full"] != false {
                wrong.push(format!(
                    "{endpoint} as {name}: the full view of another community's unit"
                ));
            }
            if status == 200
                && ["service_desk", "service_stats", "service_roster"].contains(endpoint)
                && (r.body.contains(OTHER) || r.body.contains("dangyuan2"))
            {
                wrong.push(format!(
                    "{endpoint} as {name}: the other community's service data"
                ));
            }
            if status == 200
                && *endpoint == "events_upcoming"
                && i == 2
                && r.body.contains("党员活动")
            {
                wrong.push(format!("{endpoint} as {name}: a party-member event"));
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn downloads_of_another_community_are_refused() {
    let app = spawn().await;
    let event = event_of(&app.db, OTHER, "别的社区的讲座", "public").await;
    let shuji = app.login("shuji").await;
    let r = app
        .get_with(
            &format!("/export/attendees.csv?event={event}&at={AT}"),
            Some(&shuji),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .get_with(&format!("/export/orgs.csv?root={OTHER}"), Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}
