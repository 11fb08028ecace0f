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
    draft.ring = ring;
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
        .ring
        .iter()
        .find(|v| !p.ring.iter().any(|q| same(**v, *q)))
        .expect("an inner vertex");
    let mut rings: Vec<Ring> = grids.iter().map(|g| g.ring.clone()).collect();
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
    let r = save(&app, &jumin, &[update(g, g.ring.clone())]).await;
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
            !g.ring.iter().any(|p| same(*p, v)),
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
    let old_ring = hist[0].before.as_ref().unwrap().ring.clone();
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
        assert_eq!((g.version, &g.ring), (3, &old_ring));
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

#[tokio::test]
async fn saves_outside_scope_overlapping_invalid_or_stale_are_refused_and_change_nothing() {
    let app = spawn().await;
    let wangge = app.login("wangge").await;
    let admin = app.login("admin").await;
    let m = map(&app, &admin).await;
    let before = m.grids.clone();

    // Outside the grid worker's scope: 403, named.
    let outside = m
        .grids
        .iter()
        .find(|g| g.level == 3 && !g.code.starts_with("32011300100101"))
        .unwrap();
    let r = save(&app, &wangge, &[update(outside, outside.ring.clone())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert_eq!(r.json()["Refused"]["key"], "err.grid_scope");

    // Moving one copy of a shared vertex into the neighbour: an overlap naming the neighbour.
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
        .ring
        .iter()
        .enumerate()
        .find(|(_, v)| !parent.ring.iter().any(|q| same(**v, *q)))
        .map(|(i, v)| (i, *v))
        .unwrap();
    let centroid = {
        let n = (a.ring.len() - 1) as f64;
        let s = a.ring[..a.ring.len() - 1]
            .iter()
            .fold([0.0, 0.0], |s, p| [s[0] + p[0], s[1] + p[1]]);
        [s[0] / n, s[1] / n]
    };
    // Push the vertex away from the grid's own centre, into whoever is on the other side.
    let mut ring = a.ring.clone();
    let out = [
        v[0] + (v[0] - centroid[0]) * 0.3,
        v[1] + (v[1] - centroid[1]) * 0.3,
    ];
    ring[i] = out;
    if i == 0 {
        let last = ring.len() - 1;
        ring[last] = out;
    }
    let r = save(&app, &admin, &[update(a, ring)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let refused = &r.json()["Refused"];
    assert!(
        refused["key"] == "err.grid_overlap" || refused["key"] == "err.grid_spill",
        "{refused}"
    );
    let args = refused["args"].to_string();
    assert!(args.contains(&a.code), "names the grid: {args}");

    // A bow-tie.
    let mut bow = a.ring.clone();
    bow.swap(1, 2);
    let r = save(&app, &admin, &[update(a, bow)]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.json()["Refused"]["key"], "geo.self_intersection");

    // Someone else saved first: the stale save is a conflict naming who.
    let (edits, _) = nudge_inside(&m.grids, "32011300100101");
    assert_eq!(save(&app, &wangge, &edits).await.status, StatusCode::OK);
    let now = map(&app, &admin).await;
    let r = save(&app, &admin, &edits).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    // It says what the other save changed (translated in the browser).
    assert_eq!(r.json()["Refused"]["key"], "err.grid_conflict_what");
    let args = r.json()["Refused"]["args"].to_string();
    assert!(args.contains("wangge"), "{args}");
    assert!(args.contains("@t:grid.boundary"), "{args}");

    // Hostile payloads.
    let bad = [
        "edits=not+json".to_owned(),
        "edits=%5B%5D".to_owned(),
        format!("edits={}", enc(&"[".repeat(10_000))),
    ];
    for body in &bad {
        let r = app.post("grids_save", body, Some(&admin)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body:.40}: {}", r.body);
    }
    let mut long = a.draft();
    long.name = "长".repeat(10_000);
    let r = save(
        &app,
        &admin,
        &[GridEdit::Update {
            id: a.id,
            version: a.version,
            draft: long,
        }],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["Refused"]["key"], "err.grid_name");
    // 100,000 vertices do not even reach the server function: the body limit refuses them.
    let huge: Ring = (0..100_000)
        .map(|k| {
            let t = k as f64 / 100_000.0 * std::f64::consts::TAU;
            [a.ring[0][0] + t.cos() * 1e-4, a.ring[0][1] + t.sin() * 1e-4]
        })
        .collect();
    let r = save(&app, &admin, &[update(a, huge)]).await;
    assert!(
        r.status == StatusCode::PAYLOAD_TOO_LARGE || r.status == StatusCode::BAD_REQUEST,
        "{}",
        r.status
    );

    let after = map(&app, &admin).await;
    assert_eq!(after.grids, now.grids, "no refused save changed anything");
    assert_eq!(before.len(), after.grids.len());
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
    let n = g.ring.len() - 1;
    let (a, b) = domain::geometry::split_ring(&g.ring, &[g.ring[0], g.ring[n / 2]]).unwrap();
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
    new.ring = b;
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

#[tokio::test]
async fn a_whole_district_imports_at_once_and_a_bad_import_changes_nothing() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let m = map(&app, &admin).await;
    // Every grid, densified: well over the 1 MiB limit of ordinary saves.
    let edits: Vec<GridEdit> = m
        .grids
        .iter()
        .map(|g| update(g, densify(&g.ring, 7)))
        .collect();
    let json = serde_json::to_string(&edits).unwrap();
    // Over both the 1 MiB limit of ordinary saves and axum's 2 MB default for extracted bodies.
    assert!(json.len() > 2 * 1024 * 1024, "{}", json.len());
    let r = app
        .post("grids_save", &format!("edits={}", enc(&json)), Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    let r = app
        .post(
            "grids_import",
            &format!("edits={}", enc(&json)),
            Some(&admin),
        )
        .await;
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
        .all(|g| g.version == 2 && g.ring.len() > 500));
    let r = app
        .post(
            "grid_history",
            &format!("id={}", after.grids[0].id),
            Some(&admin),
        )
        .await;
    let hist: Vec<RevisionView> = serde_json::from_str(&r.body).unwrap();
    assert_eq!(hist[0].action, "import");

    // An import where one grid overlaps its neighbour is refused whole.
    let a = after
        .grids
        .iter()
        .find(|g| g.level == 3 && g.kind == "basic")
        .unwrap();
    let b = after
        .grids
        .iter()
        .find(|g| g.level == 3 && g.id != a.id && g.parent_code == a.parent_code)
        .unwrap();
    let mut good = b.draft();
    good.name = "改名".into();
    let mut bad = a.draft();
    bad.ring = b.ring.clone(); // on top of its neighbour
    let edits = vec![
        GridEdit::Update {
            id: b.id,
            version: b.version,
            draft: good,
        },
        GridEdit::Update {
            id: a.id,
            version: a.version,
            draft: bad,
        },
    ];
    let r = app
        .post(
            "grids_import",
            &format!("edits={}", enc(&serde_json::to_string(&edits).unwrap())),
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        map(&app, &admin).await.grids,
        after.grids,
        "nothing changed"
    );
    // A resident may not import.
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
