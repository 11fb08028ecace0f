//! A new deployment starts on the map: an administrator of an empty database sees the tools, sets
//! the district's code (GB/T 2260) and saves the first grids, numbered under it.

use crate::common::*;
use app::api::admin::AdminSetDistrict;
use app::api::grids::GridMap;
use domain::grid::{new_code, GridDraft, GridEdit};

const PASSWORD: &str = "a long password";

async fn map(app: &TestApp, cookie: &str) -> GridMap {
    let r = app.post("grids_list", "", Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

/// A square grid `size` degrees wide with its south-west corner at (`x`, `y`).
fn square(code: &str, parent: Option<&str>, level: i64, x: f64, y: f64, size: f64) -> GridDraft {
    GridDraft {
        code: code.into(),
        parent_code: parent.map(Into::into),
        level,
        name: format!("网格{code}"),
        kind: "basic".into(),
        households: 0,
        population: 0,
        workers: String::new(),
        valid_from: None,
        valid_to: None,
        boundary: domain::geometry::normalise(&[
            [x, y],
            [x + size, y],
            [x + size, y + size],
            [x, y + size],
        ])
        .into(),
        source_code: String::new(),
    }
}

async fn save(app: &TestApp, cookie: &str, drafts: Vec<GridDraft>) -> Reply {
    let edits: Vec<GridEdit> = drafts
        .into_iter()
        .map(|draft| GridEdit::Create { draft })
        .collect();
    let json = serde_json::to_string(&edits).unwrap();
    app.post("grids_save", &format!("edits={}", enc(&json)), Some(cookie))
        .await
}

#[tokio::test]
async fn an_administrator_of_an_empty_deployment_gets_the_editing_tools() {
    let app = spawn_empty().await;
    let admin = app.login_as("admin", PASSWORD).await;
    let m = map(&app, &admin).await;
    assert!(m.grids.is_empty());
    assert!(m.can_edit, "the first grid can be drawn or imported");
    assert_eq!(m.district_code, None, "not set yet: the map says so");
}

#[tokio::test]
async fn a_grid_worker_with_nothing_in_scope_gets_no_tools() {
    let app = spawn_empty().await;
    user(&app.db, "wangge", domain::Role::GridWorker, "320113001").await;
    let wangge = app.login_as("wangge", PASSWORD).await;
    assert!(!map(&app, &wangge).await.can_edit);
    let r = save(
        &app,
        &wangge,
        vec![square("320113001", None, 1, 118.9, 32.1, 0.01)],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

#[tokio::test]
async fn the_district_code_is_six_digits_of_a_real_district() {
    let app = spawn_empty().await;
    let admin = app.login_as("admin", PASSWORD).await;
    for bad in ["32011", "3201130", "32O113", "990101", "320000", ""] {
        let r = app
            .call(&AdminSetDistrict { code: bad.into() }, Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body.contains("err.district_code"), "{bad}: {}", r.body);
    }
    assert_eq!(
        map(&app, &admin).await.district_code,
        None,
        "nothing stored"
    );
    let r = app
        .call(
            &AdminSetDistrict {
                code: " 320113 ".into(),
            },
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        map(&app, &admin).await.district_code.as_deref(),
        Some("320113")
    );
    let audit = app
        .db
        .audit_entries(Some("admin_set_district"), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].detail, "320113");
}

#[tokio::test]
async fn the_first_grids_are_numbered_under_the_district_and_the_next_level_under_them() {
    let app = spawn_empty().await;
    let admin = app.login_as("admin", PASSWORD).await;
    app.call(
        &AdminSetDistrict {
            code: "320113".into(),
        },
        Some(&admin),
    )
    .await;
    let district = domain::Code::district(&map(&app, &admin).await.district_code.unwrap()).unwrap();
    // As the editor numbers a street drawn on the empty map.
    let code = new_code(&map(&app, &admin).await.grids, None, 1, Some(&district)).unwrap();
    assert_eq!(code, "320113001");
    let r = save(
        &app,
        &admin,
        vec![square(&code, None, 1, 118.9, 32.1, 0.02)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = map(&app, &admin).await;
    let child = new_code(&m.grids, Some(&code), 2, Some(&district)).unwrap();
    assert_eq!(child, "32011300101");
    let r = save(
        &app,
        &admin,
        vec![square(&child, Some(&code), 2, 118.9, 32.1, 0.01)],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = map(&app, &admin).await;
    assert_eq!(m.grids.len(), 2);
    assert_eq!(
        new_code(&m.grids, None, 1, Some(&district)).unwrap(),
        "320113002"
    );
}

#[tokio::test]
async fn a_grid_keeps_its_old_systems_code_in_the_map_and_the_feed() {
    let app = spawn_empty().await;
    let admin = app.login_as("admin", PASSWORD).await;
    let mut street = square("101", None, 1, 118.9, 32.1, 0.02);
    street.source_code = "JD-01（旧系统）".into();
    let r = save(&app, &admin, vec![street.clone()]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = map(&app, &admin).await;
    assert_eq!(m.grids[0].source_code, "JD-01（旧系统）");
    let feed = app
        .get_with("/feeds/grids.geojson", Some(&admin))
        .await
        .json();
    assert_eq!(
        feed["features"][0]["properties"]["source_code"],
        "JD-01（旧系统）"
    );
    // Any text, but not control characters and not a page of it.
    for bad in ["JD\u{7}01".to_owned(), "长".repeat(65)] {
        let mut g = m.grids[0].draft();
        g.source_code = bad;
        let edit = GridEdit::Update {
            id: m.grids[0].id,
            version: m.grids[0].version,
            draft: g,
        };
        let json = serde_json::to_string(&[edit]).unwrap();
        let r = app
            .post("grids_save", &format!("edits={}", enc(&json)), Some(&admin))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("err.grid_source_code"), "{}", r.body);
    }
    assert_eq!(map(&app, &admin).await.grids, m.grids, "nothing changed");
}

/// Two streets as a district's file has them: no codes, the second digitised on its own with its
/// west edge 0.3 m over the line into the first.
fn two_streets_file() -> String {
    let off = 0.3 / (111_320.0 * 32.1f64.to_radians().cos());
    let rect = |x0: f64, x1: f64| {
        serde_json::json!([[[x0, 32.1], [x1, 32.1], [x1, 32.12], [x0, 32.12], [x0, 32.1]]])
    };
    serde_json::json!({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "燕子矶街道"},
             "geometry": {"type": "Polygon", "coordinates": rect(118.9, 118.92)}},
            {"type": "Feature", "properties": {"name": "迈皋桥街道"},
             "geometry": {"type": "Polygon", "coordinates": rect(118.92 - off, 118.94)}},
        ]
    })
    .to_string()
}

/// What the import panel does with a file: read, map, plan (natively, the same code).
fn plan_file(text: &str, tolerance_m: f64) -> domain::grid_import::Plan {
    plan_level(text, 1, &[], tolerance_m, &[])
}

/// The same for a level under grids already stored (`work`, as the map lists them), with the
/// features in `skip` left out (the decision "skip this feature").
fn plan_level(
    text: &str,
    level: i64,
    work: &[app::api::grids::GridView],
    tolerance_m: f64,
    skip: &[usize],
) -> domain::grid_import::Plan {
    use domain::grid_import::{drafts, plan, read, Crs, Mapping, Options};
    let (features, keys) = read(text).unwrap();
    let (d, issues) = drafts(&features, &Mapping::guess(&keys), Crs::Wgs84, level);
    let options = Options {
        district: Some(domain::Code::district("320113").unwrap()),
        tolerance_m,
        skip: skip.iter().copied().collect(),
        ..Options::default()
    };
    plan(d, issues, work, &options)
}

async fn import(app: &TestApp, cookie: &str, p: &domain::grid_import::Plan) -> Reply {
    let json = serde_json::to_string(&p.edits).unwrap();
    app.post(
        "grids_import",
        &format!("edits={}", enc(&json)),
        Some(cookie),
    )
    .await
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> serde_json::Value {
    serde_json::json!([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]])
}

/// Two streets as DataV-style files have them: one with a hole (a university campus run by
/// itself), one MultiPolygon of a main part and an exclave.
fn holed_streets_file() -> String {
    serde_json::json!({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "燕子矶街道"},
             "geometry": {"type": "Polygon", "coordinates": [
                 rect(118.90, 32.10, 118.94, 32.14),
                 // A hole as QGIS writes it: counter-clockwise like its shell.
                 rect(118.91, 32.11, 118.93, 32.13),
             ]}},
            {"type": "Feature", "properties": {"name": "迈皋桥街道"},
             "geometry": {"type": "MultiPolygon", "coordinates": [
                 [rect(118.94, 32.10, 118.96, 32.14)],
                 [rect(118.98, 32.10, 118.99, 32.11)],
             ]}},
        ]
    })
    .to_string()
}

/// The holed street's two communities, each a "C" around half of the hole.
fn communities_around_the_hole() -> String {
    let c_west = serde_json::json!([[
        [118.90, 32.10],
        [118.92, 32.10],
        [118.92, 32.11],
        [118.91, 32.11],
        [118.91, 32.13],
        [118.92, 32.13],
        [118.92, 32.14],
        [118.90, 32.14],
        [118.90, 32.10]
    ]]);
    let c_east = serde_json::json!([[
        [118.92, 32.10],
        [118.94, 32.10],
        [118.94, 32.14],
        [118.92, 32.14],
        [118.92, 32.13],
        [118.93, 32.13],
        [118.93, 32.11],
        [118.92, 32.11],
        [118.92, 32.10]
    ]]);
    serde_json::json!({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "西社区"},
             "geometry": {"type": "Polygon", "coordinates": c_west}},
            {"type": "Feature", "properties": {"name": "东社区"},
             "geometry": {"type": "Polygon", "coordinates": c_east}},
            {"type": "Feature", "properties": {"name": "校园里的社区"},
             "geometry": {"type": "Polygon", "coordinates": [rect(118.915, 32.115, 118.925, 32.125)]}},
        ]
    })
    .to_string()
}

#[tokio::test]
async fn holes_and_parts_import_store_cover_and_feed_as_they_are() {
    let app = spawn_empty().await;
    let admin = app.login_as("admin", PASSWORD).await;
    let streets = plan_file(&holed_streets_file(), 0.5);
    assert!(streets.issues.is_empty(), "{:?}", streets.issues);
    let r = import(&app, &admin, &streets).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m = map(&app, &admin).await;
    let by_name = |name: &str| m.grids.iter().find(|g| g.name == name).unwrap().clone();
    let (holed, split) = (by_name("燕子矶街道"), by_name("迈皋桥街道"));
    assert_eq!(holed.boundary.hole_count(), 1);
    assert_eq!(split.boundary.parts().len(), 2);

    // The communities around the hole are placed in the holed street; one drawn inside the hole
    // lies in no street and is listed for a decision.
    let level2 = plan_level(&communities_around_the_hole(), 2, &m.grids, 0.5, &[]);
    let keys: Vec<(usize, &str)> = level2
        .issues
        .iter()
        .map(|i| (i.feature, i.key.as_str()))
        .collect();
    assert_eq!(keys, [(2, "map.no_parent")]);
    let level2 = plan_level(&communities_around_the_hole(), 2, &m.grids, 0.5, &[2]);
    assert!(level2.issues.is_empty(), "{:?}", level2.issues);
    let r = import(&app, &admin, &level2).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The holed street is fully covered by its two communities (the hole counts for nothing).
    let m = map(&app, &admin).await;
    let shapes: Vec<domain::geometry::Shape> = m
        .grids
        .iter()
        .map(|g| domain::geometry::Shape {
            code: g.code.clone(),
            parent: g.parent_code.clone(),
            dedicated: false,
            boundary: g.boundary.clone(),
        })
        .collect();
    let report = domain::geometry::Index::new(&shapes).check_all();
    let holed_code = by_name("燕子矶街道").code;
    let cover = report
        .coverage
        .iter()
        .find(|c| c.parent == holed_code)
        .unwrap();
    assert!(cover.covered_pct > 99.999, "{cover:?}");
    assert!(
        report.problems.iter().all(|p| !p.blocks_save()),
        "{:?}",
        report.problems
    );

    // The feed writes a Polygon with its hole and a MultiPolygon, as RFC 7946 winds them.
    let feed = app.get_with("/feeds/grids.geojson", Some(&admin)).await;
    let fc: serde_json::Value = serde_json::from_str(&feed.body).unwrap();
    let geometry = |name: &str| {
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["name"] == name)
            .unwrap()["geometry"]
            .clone()
    };
    let g = geometry("燕子矶街道");
    assert_eq!(
        (
            g["type"].as_str(),
            g["coordinates"].as_array().unwrap().len()
        ),
        (Some("Polygon"), 2)
    );
    assert_eq!(geometry("迈皋桥街道")["type"], "MultiPolygon");
    let (ok, report) = shapely_check(&feed.body);
    assert!(ok, "{report}");
    assert_eq!(report["features"], 4);
}

#[tokio::test]
async fn a_file_with_a_sliver_imports_in_one_pass_and_its_feed_passes_shapely() {
    let strict = plan_file(&two_streets_file(), 0.0);
    assert!(
        strict.issues.iter().any(|i| i.key == "import.overlap"),
        "without a tolerance the 0.3 m overlap blocks: {:?}",
        strict.issues
    );
    let p = plan_file(&two_streets_file(), 0.5);
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);

    let app = spawn_empty().await;
    let admin = app.login_as("admin", PASSWORD).await;
    let r = import(&app, &admin, &p).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let feed = app.get_with("/feeds/grids.geojson", Some(&admin)).await;
    let (ok, report) = shapely_check(&feed.body);
    assert!(ok, "{report}");
    assert_eq!(report["features"], 2);
}

#[test]
fn the_independent_checker_finds_overlaps_and_wrong_winding() {
    let clockwise = serde_json::json!([[
        [118.9, 32.1],
        [118.9, 32.12],
        [118.92, 32.12],
        [118.92, 32.1],
        [118.9, 32.1]
    ]]);
    let over = serde_json::json!([[
        [118.91, 32.1],
        [118.93, 32.1],
        [118.93, 32.12],
        [118.91, 32.12],
        [118.91, 32.1]
    ]]);
    let fc = serde_json::json!({
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": "1"}, "geometry": {"type": "Polygon", "coordinates": clockwise}},
            {"type": "Feature", "properties": {"code": "2"}, "geometry": {"type": "Polygon", "coordinates": over}},
        ]
    });
    let (ok, report) = shapely_check(&fc.to_string());
    assert!(!ok);
    let text = report["problems"].to_string();
    assert!(
        text.contains("clockwise") && text.contains("overlaps 2"),
        "{text}"
    );
}
