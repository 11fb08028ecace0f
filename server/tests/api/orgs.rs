//! The party organisation editor over real HTTP: who may see and change what, conflicts, hostile
//! input, import and export.

use crate::common::*;
use app::api::orgs::{AppliedView, ImportReport, OrgTreeView, OrgUnitPanelView};
use domain::org::{OrgCommand, OrgUnit};

async fn tree(app: &TestApp, cookie: &str) -> OrgTreeView {
    let r = app.post("orgs_tree", "", Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

async fn apply(app: &TestApp, cookie: &str, cmds: &[OrgCommand]) -> Reply {
    let json = serde_json::to_string(cmds).unwrap();
    app.post(
        "orgs_apply",
        &format!("commands={}", enc(&json)),
        Some(cookie),
    )
    .await
}

fn by_level<'a>(t: &'a OrgTreeView, level: &str, inside: &str) -> &'a OrgUnit {
    t.units
        .iter()
        .find(|u| u.level == level && u.code.starts_with(inside))
        .unwrap()
}

#[tokio::test]
async fn residents_read_names_and_secretaries_only() {
    let app = spawn().await;
    let c = app.login("jumin").await;
    let t = tree(&app, &c).await;
    assert!(t.units.len() > 100);
    assert_eq!(t.editable_prefix, None);
    assert!(t
        .units
        .iter()
        .all(|u| u.term_start.is_none() && u.members == 0));
    let u = t.units.iter().find(|u| u.level == "committee").unwrap();
    let r = app
        .post("org_unit_panel", &format!("id={}", u.id), Some(&c))
        .await;
    let panel: OrgUnitPanelView = serde_json::from_str(&r.body).unwrap();
    assert!(!panel.full && panel.log.is_empty());
    assert!(panel
        .roles
        .iter()
        .all(|r| r.role == "secretary" && r.phone.is_empty()));
    let r = apply(
        &app,
        &c,
        &[OrgCommand::Rename {
            id: u.id,
            version: u.version,
            name: "x".into(),
        }],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post(
            "orgs_import",
            "format=csv&mapping=&data=x&commit=true",
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get_with("/export/orgs.csv", Some(&c)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let w = app.login("wangge").await;
    let r = apply(
        &app,
        &w,
        &[OrgCommand::Rename {
            id: u.id,
            version: u.version,
            name: "x".into(),
        }],
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a grid worker is not an organiser"
    );
    assert_eq!(
        app.get_with("/export/orgs.csv", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// The organiser's tree, a branch inside their scope and one outside it.
async fn branches(app: &TestApp, cookie: &str) -> (OrgTreeView, OrgUnit, OrgUnit) {
    let t = tree(app, cookie).await;
    let scope = t.editable_prefix.clone().unwrap();
    assert!(!scope.is_empty());
    let mine = by_level(&t, "branch", &scope).clone();
    let other = t
        .units
        .iter()
        .find(|u| u.level == "branch" && !u.code.starts_with(&scope))
        .unwrap()
        .clone();
    (t, mine, other)
}

fn rename(u: &OrgUnit, name: &str) -> OrgCommand {
    OrgCommand::Rename {
        id: u.id,
        version: u.version,
        name: name.into(),
    }
}

fn move_to(u: &OrgUnit, parent: &OrgUnit, reason: &str, doc_no: &str) -> OrgCommand {
    OrgCommand::Move {
        id: u.id,
        version: u.version,
        parent: parent.id,
        reason: reason.into(),
        doc_no: doc_no.into(),
    }
}

#[tokio::test]
async fn an_organiser_renames_a_unit_of_theirs_and_markup_stays_text() {
    let app = spawn().await;
    let c = app.login("shuji").await;
    let (_, mine, _) = branches(&app, &c).await;
    let r = apply(&app, &c, &[rename(&mine, "<i>新</i>支部")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a: AppliedView = serde_json::from_str(&r.body).unwrap();
    assert_eq!(a.units[0].name, "<i>新</i>支部", "markup is stored as text");
}

#[tokio::test]
async fn renaming_a_unit_outside_the_organisers_subtree_is_refused_and_recorded() {
    let app = spawn().await;
    let c = app.login("shuji").await;
    let (_, _, other) = branches(&app, &c).await;
    let r = apply(&app, &c, &[rename(&other, "越权")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(r.body.contains("err.org_scope"));
    let after = tree(&app, &c).await;
    assert_eq!(
        after.units.iter().find(|u| u.id == other.id).unwrap().name,
        other.name
    );
    let audit = app.db.audit_entries(Some("orgs_apply"), 50).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "orgs_apply" && a.result == "refused"));
}

#[tokio::test]
async fn a_group_cannot_be_moved_to_a_branch_outside_the_organisers_subtree() {
    let app = spawn().await;
    let c = app.login("shuji").await;
    let (t, mine, other) = branches(&app, &c).await;
    let group = t.units.iter().find(|u| u.parent == Some(mine.id)).unwrap();
    let r = apply(&app, &c, &[move_to(group, &other, "划转", "")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let after = tree(&app, &c).await;
    assert_eq!(
        after
            .units
            .iter()
            .find(|u| u.id == group.id)
            .unwrap()
            .parent,
        Some(mine.id)
    );
}

#[tokio::test]
async fn a_move_inside_the_subtree_carries_codes_and_logs_its_document_number() {
    let app = spawn().await;
    let c = app.login("shuji").await;
    let (t, mine, _) = branches(&app, &c).await;
    let scope = t.editable_prefix.clone().unwrap();
    let group = t.units.iter().find(|u| u.parent == Some(mine.id)).unwrap();
    let mine2 = t
        .units
        .iter()
        .find(|u| u.level == "branch" && u.code.starts_with(&scope) && u.id != mine.id)
        .unwrap();
    let r = apply(
        &app,
        &c,
        &[move_to(group, mine2, "楼栋调整", "社委〔2026〕1号")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a: AppliedView = serde_json::from_str(&r.body).unwrap();
    assert!(a.units.iter().all(|u| u.code.starts_with(&mine2.code)));
    let r = app
        .post("org_unit_panel", &format!("id={}", group.id), Some(&c))
        .await;
    let panel: OrgUnitPanelView = serde_json::from_str(&r.body).unwrap();
    assert!(panel.full);
    assert_eq!(panel.log[0].action, "move");
    assert_eq!(panel.log[0].doc_no, "社委〔2026〕1号");
    assert!(
        panel
            .roles
            .iter()
            .all(|r| r.phone.is_empty() || r.phone.contains('*')),
        "phones masked"
    );
}

#[tokio::test]
async fn stale_versions_conflict_and_bad_input_is_refused() {
    let app = spawn().await;
    let admin = app.login("admin").await;
    let shuji = app.login("shuji").await;
    let t = tree(&app, &shuji).await;
    let scope = t.editable_prefix.clone().unwrap();
    let u = by_level(&t, "group", &scope).clone();
    let r = apply(
        &app,
        &admin,
        &[OrgCommand::Rename {
            id: u.id,
            version: u.version,
            name: "管理员改名".into(),
        }],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = apply(
        &app,
        &shuji,
        &[OrgCommand::Rename {
            id: u.id,
            version: u.version,
            name: "书记改名".into(),
        }],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("err.org_conflict")
            && r.body.contains("admin")
            && r.body.contains("管理员改名")
    );
    for bad in ["", "not json", "[{\"op\":\"explode\"}]", "[]"] {
        let r = app
            .post(
                "orgs_apply",
                &format!("commands={}", enc(bad)),
                Some(&shuji),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
    }
    let long = "党".repeat(10_000);
    let r = apply(
        &app,
        &shuji,
        &[OrgCommand::Rename {
            id: u.id,
            version: u.version + 1,
            name: long,
        }],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("err.org_name"));
    let r = apply(
        &app,
        &shuji,
        &[OrgCommand::Add {
            parent: u.id,
            level: "committee".into(),
            name: "错层".into(),
        }],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("err.org_level"));
    let after = tree(&app, &shuji).await;
    assert_eq!(after.units.len(), t.units.len());
    assert_eq!(
        after.units.iter().find(|x| x.id == u.id).unwrap().name,
        "管理员改名"
    );
}

#[tokio::test]
async fn export_then_import_round_trips_and_problems_write_nothing() {
    let app = spawn().await;
    let c = app.login("shuji").await;
    let t = tree(&app, &c).await;
    let scope = t.editable_prefix.clone().unwrap();
    let r = app.get_with("/export/orgs.csv", Some(&c)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = r.body.clone();
    assert!(csv.starts_with("\u{feff}组织编码,名称,层级,上级组织编码,书记,任期开始,网格编码\r\n"));
    let lines = csv.lines().count() - 1;
    assert_eq!(
        lines,
        t.units
            .iter()
            .filter(|u| u.code.starts_with(&scope))
            .count()
    );
    let r = app
        .get_with("/export/orgs.csv?root=320113002", Some(&c))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another community");
    let r = app.get_with("/export/orgs.csv?root=abc", Some(&c)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Re-importing the export changes nothing but is clean (every row an update)…
    let r = app
        .post(
            "orgs_import",
            &format!("format=csv&mapping=&data={}&commit=false", enc(&csv)),
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rep: ImportReport = serde_json::from_str(&r.body).unwrap();
    assert!(rep.problems.is_empty(), "{:?}", rep.problems);
    assert_eq!((rep.new, rep.updated, rep.committed), (0, lines, false));
    // …a file with one bad row writes nothing, even when asked to commit…
    let branch = by_level(&t, "branch", &scope);
    let bad = format!(
        "组织编码,名称,层级,上级组织编码\n{b}901,新小组,楼栋党小组,{b}\n{b}902,错,社区党委,{b}\n",
        b = branch.code
    );
    let r = app
        .post(
            "orgs_import",
            &format!("format=csv&mapping=&data={}&commit=true", enc(&bad)),
            Some(&c),
        )
        .await;
    let rep: ImportReport = serde_json::from_str(&r.body).unwrap();
    assert!(!rep.committed);
    assert_eq!(rep.problems.len(), 1);
    assert_eq!(
        (rep.problems[0].line, rep.problems[0].key.as_str()),
        (3, "org_import.level")
    );
    assert_eq!(tree(&app, &c).await.units.len(), t.units.len());
    // …and a clean one writes everything.
    let good = format!(
        "组织编码,名称,层级,上级组织编码\n{b}901,新小组,楼栋党小组,{b}\n",
        b = branch.code
    );
    let r = app
        .post(
            "orgs_import",
            &format!("format=csv&mapping=&data={}&commit=true", enc(&good)),
            Some(&c),
        )
        .await;
    let rep: ImportReport = serde_json::from_str(&r.body).unwrap();
    assert!(rep.committed && rep.new == 1);
    assert_eq!(tree(&app, &c).await.units.len(), t.units.len() + 1);
    // Rows outside the scope are refused.
    let elsewhere = t
        .units
        .iter()
        .find(|u| u.level == "committee" && !u.code.starts_with(&scope))
        .unwrap();
    let other = format!(
        "组织编码,名称,层级,上级组织编码\n{c}99,外面,小区党支部,{c}\n",
        c = elsewhere.code
    );
    let r = app
        .post(
            "orgs_import",
            &format!("format=csv&mapping=&data={}&commit=true", enc(&other)),
            Some(&c),
        )
        .await;
    let rep: ImportReport = serde_json::from_str(&r.body).unwrap();
    assert!(
        !rep.committed && rep.problems.iter().any(|p| p.key == "org_import.scope"),
        "{:?}",
        rep.problems
    );
}

#[tokio::test]
async fn a_hundred_thousand_rows_get_a_clear_refusal() {
    let app = spawn().await;
    let c = app.login("admin").await;
    let mut big = String::from("code,name,level,parent\n");
    for i in 0..100_000 {
        big.push_str(&format!("320113001{i:06},n,branch,320113001\n"));
    }
    assert!(big.len() > 2 * 1024 * 1024);
    let r = app
        .post(
            "orgs_import",
            &format!("format=csv&mapping=&data={}&commit=true", enc(&big)),
            Some(&c),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        &r.body[..r.body.len().min(300)]
    );
    let rep: ImportReport = serde_json::from_str(&r.body).unwrap();
    assert!(!rep.committed);
    assert_eq!(rep.problems[0].key, "org_import.too_many");
}

#[tokio::test]
async fn xlsx_export_imports_back_and_a_broken_workbook_is_refused() {
    use base64::Engine;
    let app = spawn().await;
    let c = app.login("shuji").await;
    let t = tree(&app, &c).await;
    let scope = t.editable_prefix.clone().unwrap();
    let r = app.get_with("/export/orgs.xlsx", Some(&c)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let bytes = {
        // Reply.body is lossy text; fetch the raw bytes again.
        let mut b = Request::get("/export/orgs.xlsx");
        b = b.header(header::COOKIE, &c);
        let mut req = b.body(Body::empty()).unwrap();
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(SocketAddr::from((
                [10, 1, 2, 3],
                40000,
            ))));
        let res = tower::ServiceExt::oneshot(app.router.clone(), req)
            .await
            .unwrap();
        axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap()
    };
    assert_eq!(&bytes[..2], b"PK");
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    let r = app
        .post(
            "orgs_import",
            &format!("format=xlsx&mapping=&data={}&commit=false", enc(&b64)),
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rep: ImportReport = serde_json::from_str(&r.body).unwrap();
    assert!(rep.problems.is_empty(), "{:?}", rep.problems);
    assert_eq!(
        rep.updated,
        t.units
            .iter()
            .filter(|u| u.code.starts_with(&scope))
            .count()
    );
    let junk = base64::engine::general_purpose::STANDARD.encode(b"PK\x03\x04 broken");
    let r = app
        .post(
            "orgs_import",
            &format!("format=xlsx&mapping=&data={}&commit=true", enc(&junk)),
            Some(&c),
        )
        .await;
    let rep: ImportReport = serde_json::from_str(&r.body).unwrap();
    assert!(!rep.committed);
    assert_eq!(rep.problems[0].key, "org_import.xlsx");
    let r = app
        .post(
            "orgs_import",
            "format=xlsx&mapping=&data=%25%25%25&commit=true",
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "not base64");
}
