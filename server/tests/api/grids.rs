//! Grid editing over real HTTP requests: who may save what, the coverage rules on save,
//! conflicts, history and restore, hostile input, and the GeoJSON feed.

use crate::common::*;
use app::api::grids::{GridEdit, GridMap, GridView, RevisionView};
use domain::geometry::{move_vertex, same, Ring};

async fn map(app: &TestApp, cookie: &str) -> GridMap {
    let r = app.post("grids_list", "", Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

async fn save(app: &TestApp, cookie: &str, edits: &[GridEdit]) -> Reply {
    let json = serde_json::to_string(edits).unwrap();
    app.post("grids_save", &format!("edits={}", enc(&json)), Some(cookie))
        .await
}

fn update(g: &GridView, ring: Ring) -> GridEdit {
    let mut draft = g.draft();
    draft.boundary = (ring).into();
    GridEdit::Update {
        id: g.id,
        version: g.version,
        draft,
    }
}

/// Moves a vertex inside `parent` (not on its boundary) by a few centimetres in every grid that has
/// it, as the editor does, and returns the edits.
fn nudge_inside(grids: &[GridView], parent: &str) -> (Vec<GridEdit>, [f64; 2]) {
    let p = grids.iter().find(|g| g.code == parent).unwrap();
    let kid = grids
        .iter()
        .find(|g| g.parent_code.as_deref() == Some(parent))
        .unwrap();
    let v = *kid
        .boundary
        .outer()
        .iter()
        .find(|v| !p.boundary.outer().iter().any(|q| same(**v, *q)))
        .expect("an inner vertex");
    let mut rings: Vec<Ring> = grids.iter().map(|g| g.boundary.outer().to_vec()).collect();
    let to = [v[0] + 0.000_003, v[1] + 0.000_002];
    let changed = move_vertex(&mut rings, v, to);
    assert!(changed.len() >= 2, "an inner vertex is shared");
    (
        changed
            .into_iter()
            .map(|i| update(&grids[i], rings[i].clone()))
            .collect(),
        v,
    )
}

#[tokio::test]
async fn residents_see_the_map_without_personal_data_and_cannot_save() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let m = map(&app, &jumin).await;
    assert_eq!(m.grids.len(), 44);
    assert!(
        !m.can_edit
            && m.grids
                .iter()
                .all(|g| !g.editable && g.workers.is_empty() && g.updated_by.is_empty())
    );
    assert_eq!(m.target_households, 300);
    let g = &m.grids[40];
    let r = save(&app, &jumin, &[update(g, g.boundary.outer().to_vec())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = app
        .post("grid_history", &format!("id={}", g.id), Some(&jumin))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let audit = app.db.audit_entries(Some("grids_save"), 100).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "grids_save" && a.result == "refused"));
}

#[tokio::test]
async fn a_grid_worker_moves_a_shared_vertex_in_scope_and_history_can_restore_it() {
    let app = spawn().await;
    let wangge = app.login("wangge").await;
    let m = map(&app, &wangge).await;
    assert!(m.can_edit);
    let scope = "32011300100101";
    assert!(m
        .grids
        .iter()
        .filter(|g| g.editable)
        .all(|g| g.code.starts_with(scope)));
    let (edits, v) = nudge_inside(&m.grids, scope);
    let r = save(&app, &wangge, &edits).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after: GridMap = serde_json::from_str(&r.body).unwrap();
    let ids: Vec<i64> = edits
        .iter()
        .map(|e| match e {
            GridEdit::Update { id, .. } => *id,
            _ => unreachable!(),
        })
        .collect();
    for id in &ids {
        let g = after.grids.iter().find(|g| g.id == *id).unwrap();
        assert_eq!(g.version, 2);
        assert_eq!(g.updated_by, "wangge");
        assert!(
            !g.boundary.outer().iter().any(|p| same(*p, v)),
            "the old vertex is gone everywhere"
        );
    }
    // History of the first grid: one update; undoing it brings the old ring back as version 3.
    let r = app
        .post("grid_history", &format!("id={}", ids[0]), Some(&wangge))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let hist: Vec<RevisionView> = serde_json::from_str(&r.body).unwrap();
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].actor, "wangge");
    let old_ring = hist[0].before.as_ref().unwrap().boundary.outer().to_vec();
    // Restoring only this grid would tear the shared boundary apart: its neighbours still have the
    // moved vertex, so the restored grid overlaps or leaves a gap; an overlap is refused.
    let r = app
        .post(
            "grid_restore",
            &format!("revision={}&version=2", hist[0].id),
            Some(&wangge),
        )
        .await;
    if r.status == StatusCode::OK {
        let m: GridMap = serde_json::from_str(&r.body).unwrap();
        let g = m.grids.iter().find(|g| g.id == ids[0]).unwrap();
        assert_eq!((g.version, g.boundary.outer()), (3, old_ring.as_slice()));
        let hist: Vec<RevisionView> = serde_json::from_str(
            &app.post("grid_history", &format!("id={}", ids[0]), Some(&wangge))
                .await
                .body,
        )
        .unwrap();
        assert_eq!(hist[0].action, "restore");
    } else {
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert_eq!(r.json()["Refused"]["key"], "err.grid_overlap");
    }
}

/// Saves `edits` as `cookie`, expects `status`, checks that nothing changed and returns the
/// refusal (`{"key": …, "args": …}`).
async fn refused(app: &TestApp, cookie: &str, edits: &[GridEdit], status: StatusCode) -> Value {
    let before = map(app, cookie).await.grids;
    let r = save(app, cookie, edits).await;
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(
        map(app, cookie).await.grids,
        before,
        "a refused save changes nothing"
    );
    r.json()["Refused"].clone()
}

/// A basic grid of the lowest level, and one of its vertices (with its index) that is not on its
/// parent's boundary.
fn basic_grid_and_inner_vertex(m: &GridMap) -> (&GridView, usize, [f64; 2]) {
    let a = m
        .grids
        .iter()
        .find(|g| g.level == 3 && g.kind == "basic")
        .unwrap();
    let parent = m
        .grids
        .iter()
        .find(|g| Some(&g.code) == a.parent_code.as_ref())
        .unwrap();
    let (i, v) = a
        .boundary
        .outer()
        .iter()
        .enumerate()
        .find(|(_, v)| !parent.boundary.outer().iter().any(|q| same(**v, *q)))
        .map(|(i, v)| (i, *v))
        .unwrap();
    (a, i, v)
}

#[tokio::test]
async fn a_save_outside_the_workers_scope_is_refused_by_name() {
    let app = spawn().await;
    let wangge = app.login("wangge").await;
    let m = map(&app, &wangge).await;
    let outside = m
        .grids
        .iter()
        .find(|g| g.level == 3 && !g.code.starts_with("32011300100101"))
        .unwrap();
    let edit = update(outside, outside.boundary.outer().to_vec());
    let why = refused(&app, &wangge, &[edit], StatusCode::FORBIDDEN).await;
    assert_eq!(why["key"], "err.grid_scope");
}

#[tokio::test]
async fn a_vertex_pushed_into_the_neighbour_is_refused_naming_the_grid() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let m = map(&app, &admin).await;
    let (a, i, v) = basic_grid_and_inner_vertex(&m);
    let n = (a.boundary.outer().len() - 1) as f64;
    let sum = a.boundary.outer()[..a.boundary.outer().len() - 1]
        .iter()
        .fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
    let centre = [sum[0] / n, sum[1] / n];
    // Away from the grid's own centre, into whoever is on the other side.
    let out = [
        v[0] + (v[0] - centre[0]) * 0.3,
        v[1] + (v[1] - centre[1]) * 0.3,
    ];
    let mut ring = a.boundary.outer().to_vec();
    ring[i] = out;
    if i == 0 {
        let last = ring.len() - 1;
        ring[last] = out;
    }
    let why = refused(&app, &admin, &[update(a, ring)], StatusCode::BAD_REQUEST).await;
    assert!(
        why["key"] == "err.grid_overlap" || why["key"] == "err.grid_spill",
        "{why}"
    );
    assert!(
        why["args"].to_string().contains(&a.code),
        "names the grid: {why}"
    );
}

#[tokio::test]
async fn a_self_intersecting_boundary_is_refused() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let m = map(&app, &admin).await;
    let (a, _, _) = basic_grid_and_inner_vertex(&m);
    let mut bow = a.boundary.outer().to_vec();
    bow.swap(1, 2);
    let why = refused(&app, &admin, &[update(a, bow)], StatusCode::BAD_REQUEST).await;
    assert_eq!(why["key"], "geo.self_intersection");
}

#[tokio::test]
async fn a_stale_save_is_a_conflict_saying_who_changed_what() {
    let app = spawn().await;
    let wangge = app.login("wangge").await;
    let admin = app.login("admin").await;
    let m = map(&app, &admin).await;
    let (edits, _) = nudge_inside(&m.grids, "32011300100101");
    assert_eq!(save(&app, &wangge, &edits).await.status, StatusCode::OK);
    let why = refused(&app, &admin, &edits, StatusCode::CONFLICT).await;
    // Translated in the browser.
    assert_eq!(why["key"], "err.grid_conflict_what");
    let args = why["args"].to_string();
    assert!(args.contains("wangge"), "{args}");
    assert!(args.contains("@t:grid.boundary"), "{args}");
}

/// A save made offline on a phone carries its key: sent twice (the first answer lost), it is
/// done once; a second offline save made on the same versions is a conflict, and a malformed key
/// is refused.
#[tokio::test]
async fn a_save_sent_twice_from_a_phone_is_done_once() {
    let app = spawn().await;
    let wangge = app.login("wangge").await;
    let m = map(&app, &wangge).await;
    let (edits, _) = nudge_inside(&m.grids, "32011300100101");
    let json = serde_json::to_string(&edits).unwrap();
    let body = |key: &str| format!("edits={}&key={key}", enc(&json));
    let first = app
        .post("grids_save", &body("phone-save-0001"), Some(&wangge))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let again = app
        .post("grids_save", &body("phone-save-0001"), Some(&wangge))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let after: GridMap = serde_json::from_str(&again.body).unwrap();
    let id = edits_id(&edits[0]);
    let g = after.grids.iter().find(|g| g.id == id).unwrap();
    let before = m.grids.iter().find(|g| g.id == id).unwrap();
    assert_eq!(g.version, before.version + 1, "saved once");
    let history = app
        .post("grid_history", &format!("id={id}"), Some(&wangge))
        .await;
    let revisions: Vec<RevisionView> = serde_json::from_str(&history.body).unwrap();
    assert_eq!(revisions.len(), 1);
    let r = app
        .post("grids_save", &body("phone-save-0002"), Some(&wangge))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = app
        .post("grids_save", &body("no%20spaces"), Some(&wangge))
        .await;
    assert!(r.body.contains("field.err.key"), "{}", r.body);
}

fn edits_id(e: &GridEdit) -> i64 {
    match e {
        GridEdit::Update { id, .. } | GridEdit::Delete { id, .. } => *id,
        GridEdit::Create { .. } => panic!("an update"),
    }
}

#[tokio::test]
async fn hostile_saves_are_refused_and_change_nothing() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let m = map(&app, &admin).await;
    for body in [
        "edits=not+json".to_owned(),
        "edits=%5B%5D".to_owned(),
        format!("edits={}", enc(&"[".repeat(10_000))),
    ] {
        let r = app.post("grids_save", &body, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body:.40}: {}", r.body);
    }
    let (a, _, _) = basic_grid_and_inner_vertex(&m);
    let mut long = a.draft();
    long.name = "长".repeat(10_000);
    let edit = GridEdit::Update {
        id: a.id,
        version: a.version,
        draft: long,
    };
    let why = refused(&app, &admin, &[edit], StatusCode::BAD_REQUEST).await;
    assert_eq!(why["key"], "err.grid_name");
    // 100,000 vertices do not even reach the server function: the body limit refuses them.
    let huge: Ring = (0..100_000)
        .map(|k| {
            let t = k as f64 / 100_000.0 * std::f64::consts::TAU;
            [
                a.boundary.outer()[0][0] + t.cos() * 1e-4,
                a.boundary.outer()[0][1] + t.sin() * 1e-4,
            ]
        })
        .collect();
    let r = save(&app, &admin, &[update(a, huge)]).await;
    assert!(
        r.status == StatusCode::PAYLOAD_TOO_LARGE || r.status == StatusCode::BAD_REQUEST,
        "{}",
        r.status
    );
    assert_eq!(map(&app, &admin).await.grids, m.grids);
}

#[tokio::test]
async fn create_split_and_delete_keep_codes_nested() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let m = map(&app, &admin).await;
    let g = m
        .grids
        .iter()
        .find(|g| g.level == 3 && g.kind == "basic")
        .unwrap();
    // Split along a chord between two vertices: the original keeps one piece, a new sibling the other.
    let n = g.boundary.outer().len() - 1;
    let (a, b) = domain::geometry::split_ring(
        &g.boundary.outer(),
        &[g.boundary.outer()[0], g.boundary.outer()[n / 2]],
    )
    .unwrap();
    let parent = g.parent_code.clone().unwrap();
    let siblings: Vec<&str> = m
        .grids
        .iter()
        .filter(|s| s.parent_code.as_deref() == Some(parent.as_str()))
        .map(|s| s.code.as_str())
        .collect();
    let code = domain::Code::parse(&parent)
        .unwrap()
        .next_child(siblings, None);
    let mut new = g.draft();
    new.code = code.as_str().to_owned();
    new.name = "拆分出的网格".into();
    new.boundary = (b).into();
    let r = save(
        &app,
        &admin,
        &[update(g, a), GridEdit::Create { draft: new.clone() }],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let m2: GridMap = serde_json::from_str(&r.body).unwrap();
    let created = m2.grids.iter().find(|x| x.code == new.code).unwrap();
    assert_eq!(created.parent_code.as_deref(), Some(parent.as_str()));

    // A code outside the parent, or a taken code, is refused.
    let mut bad = new.clone();
    bad.code = "999".into();
    let r = save(&app, &admin, &[GridEdit::Create { draft: bad }]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["Refused"]["key"], "err.grid_code_parent");

    // A parent with children cannot be deleted; the new grid can.
    let p = m2.grids.iter().find(|x| x.code == parent).unwrap();
    let r = save(
        &app,
        &admin,
        &[GridEdit::Delete {
            id: p.id,
            version: p.version,
        }],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["Refused"]["key"], "err.grid_has_children");
    let r = save(
        &app,
        &admin,
        &[GridEdit::Delete {
            id: created.id,
            version: created.version,
        }],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn the_geojson_feed_follows_rfc_7946_and_needs_a_session_or_token() {
    let app = spawn().await;
    assert_eq!(
        app.get("/feeds/grids.geojson?level=3").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/feeds/grids.geojson?level=3&token=nope")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let jumin = app.login("jumin").await;
    let r = app
        .send(
            Request::get("/feeds/grids.geojson?level=3")
                .header(header::COOKIE, &jumin)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/geo+json"));
    let fc = r.json();
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 32);
    for f in features {
        assert_eq!(f["geometry"]["type"], "Polygon");
        assert_eq!(f["properties"]["level"], 3);
        assert!(f["properties"].get("workers").is_none(), "no personal data");
        let ring: Ring = serde_json::from_value(f["geometry"]["coordinates"][0].clone()).unwrap();
        let signed: f64 = ring
            .windows(2)
            .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
            .sum();
        assert!(signed > 0.0, "exterior rings are counter-clockwise");
        assert!(same(ring[0], ring[ring.len() - 1]));
    }
    // A subtree only, through the personal feed token.
    let r = app.post("events_feed_token", "", Some(&jumin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let token = r.json().as_str().unwrap().to_owned();
    let r = app
        .get(&format!(
            "/feeds/grids.geojson?root=32011300100101&token={token}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let codes: Vec<String> = r.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        !codes.is_empty() && codes.iter().all(|c| c.starts_with("32011300100101")),
        "{codes:?}"
    );
    assert_eq!(
        app.get("/feeds/grids.geojson?level=x&token=nope")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

/// Inserts the midpoint of every edge, `times` times over; shared edges get identical midpoints in
/// both neighbours, so the coverage stays exact.
fn densify(ring: &Ring, times: usize) -> Ring {
    let mut r = ring.clone();
    for _ in 0..times {
        let mut out = Vec::with_capacity(r.len() * 2);
        for w in r.windows(2) {
            out.push(w[0]);
            out.push([(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0]);
        }
        out.push(r[r.len() - 1]);
        r = out;
    }
    r
}

async fn import(app: &TestApp, cookie: &str, edits: &[GridEdit]) -> Reply {
    let json = serde_json::to_string(edits).unwrap();
    app.post(
        "grids_import",
        &format!("edits={}", enc(&json)),
        Some(cookie),
    )
    .await
}

/// Every grid of the demo district, densified: over both the 1 MiB limit of ordinary saves and
/// axum's 2 MB default for extracted bodies.
fn whole_district(m: &GridMap) -> Vec<GridEdit> {
    let edits: Vec<GridEdit> = m
        .grids
        .iter()
        .map(|g| update(g, densify(&g.boundary.outer().to_vec(), 7)))
        .collect();
    let len = serde_json::to_string(&edits).unwrap().len();
    assert!(len > 2 * 1024 * 1024, "{len}");
    edits
}

#[tokio::test]
async fn a_whole_district_is_too_large_for_a_save_and_imports_at_once() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let edits = whole_district(&map(&app, &admin).await);
    assert_eq!(
        save(&app, &admin, &edits).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let r = import(&app, &admin, &edits).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        &r.body[..r.body.len().min(300)]
    );
    let after: GridMap = serde_json::from_str(&r.body).unwrap();
    assert!(after
        .grids
        .iter()
        .all(|g| g.version == 2 && g.boundary.outer().len() > 500));
    let r = app
        .post(
            "grid_history",
            &format!("id={}", after.grids[0].id),
            Some(&admin),
        )
        .await;
    let hist: Vec<RevisionView> = serde_json::from_str(&r.body).unwrap();
    assert_eq!(hist[0].action, "import");
}

#[tokio::test]
async fn an_import_with_one_overlapping_grid_is_refused_whole() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let m = map(&app, &admin).await;
    let a = m
        .grids
        .iter()
        .find(|g| g.level == 3 && g.kind == "basic")
        .unwrap();
    let b = m
        .grids
        .iter()
        .find(|g| g.level == 3 && g.id != a.id && g.parent_code == a.parent_code)
        .unwrap();
    let mut renamed = b.draft();
    renamed.name = "改名".into();
    let mut on_top = a.draft();
    on_top.boundary = (b.boundary.outer().to_vec()).into();
    let edits = [
        GridEdit::Update {
            id: b.id,
            version: b.version,
            draft: renamed,
        },
        GridEdit::Update {
            id: a.id,
            version: a.version,
            draft: on_top,
        },
    ];
    let r = import(&app, &admin, &edits).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(map(&app, &admin).await.grids, m.grids, "nothing changed");
}

#[tokio::test]
async fn a_resident_may_not_import_and_the_refusal_is_recorded() {
    let app = spawn().await;
    let jumin = app.login("jumin").await;
    let r = app.post("grids_import", "edits=%5B%5D", Some(&jumin)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let audit = app
        .db
        .audit_entries(Some("grids_import"), 10)
        .await
        .unwrap();
    assert!(audit.iter().any(|a| a.result == "refused"));
}

#[tokio::test]
async fn only_administrators_set_the_household_target() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let wangge = app.login("wangge").await;
    assert_eq!(
        app.post("admin_set_grid_target", "target=250", Some(&wangge))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("admin_set_grid_target", "target=0", Some(&admin))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        app.post("admin_set_grid_target", "target=250", Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(map(&app, &wangge).await.target_households, 250);
}

#[tokio::test]
async fn administrators_upload_context_layers_that_everyone_sees() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let wangge = app.login("wangge").await;
    let fc = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[118.86,32.1],[118.87,32.11]]}}]}"#;
    let body = format!("name={}&crs=wgs84&geojson={}", enc("道路"), enc(fc));
    assert_eq!(
        app.post("map_layer_upload", &body, Some(&wangge))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    for bad in [
        format!("name=&crs=wgs84&geojson={}", enc(fc)),
        format!("name=x&crs=mars&geojson={}", enc(fc)),
        "name=x&crs=wgs84&geojson=%7Boops".to_owned(),
    ] {
        let r = app.post("map_layer_upload", &bad, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    let r = app.post("map_layers", "", Some(&wangge)).await;
    assert_eq!(
        r.json().as_array().unwrap().len(),
        0,
        "refused uploads stored nothing"
    );
    let r = app.post("map_layer_upload", &body, Some(&admin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app.post("map_layers", "", Some(&wangge)).await;
    let layers = r.json();
    assert_eq!(layers[0]["name"], "道路");
    assert_eq!(layers[0]["paths"][0].as_array().unwrap().len(), 2);
    let id = layers[0]["id"].as_i64().unwrap();
    assert_eq!(
        app.post("map_layer_delete", &format!("id={id}"), Some(&wangge))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("map_layer_delete", &format!("id={id}"), Some(&admin))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_demo_districts_feed_passes_an_independent_geometry_check() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let feed = app.get_with("/feeds/grids.geojson", Some(&admin)).await;
    assert_eq!(feed.status, StatusCode::OK);
    let (ok, report) = shapely_check(&feed.body);
    assert!(ok, "{report}");
    assert_eq!(report["features"], 44);
}
