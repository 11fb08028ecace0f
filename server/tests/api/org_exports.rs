//! Organisation lists as 智慧党建 systems export them: a flat parent-pointer JSON in the system's
//! own ids and type words, committees inside committees and branches at every depth, imported
//! through the API with a type mapping, then imported again as an update.

use crate::common::*;
use app::api::orgs::{ImportReport, OrgTreeView};
use domain::org::import::{Field, Mapping};
use serde_json::{json, Value};

/// A district as its system exports it: 区委 → 机关工委 / 街道党工委 → 局党委 → 下属单位党委 →
/// 党支部, 党总支 with branches, branches straight under the district committee, the working
/// committees and the committees, 党小组 under some branches; ids like "D00017", parents by id,
/// the root's parent "0", member counts, election dates as milliseconds, a few types the system
/// calls its own way (联合党支部, 机关党委, 临时党组织).
fn district(rename: &str) -> (Value, usize) {
    let mut items: Vec<Value> = Vec::new();
    let mut n = 0;
    let mut add = |items: &mut Vec<Value>, parent: &str, name: String, kind: &str| -> String {
        n += 1;
        let id = format!("D{n:05}");
        items.push(json!({
            "orgId": id, "orgName": name, "parentOrgId": parent, "orgType": kind,
            "secretaryName": format!("书记{n}"), "contactPhone": format!("1390000{n:04}"),
            "memberCount": 3 + n % 40, "electionDate": 1_625_011_200_000i64 + n as i64 * 86_400_000,
        }));
        id
    };
    let root = add(&mut items, "0", format!("某某区委{rename}"), "区委");
    add(&mut items, &root, "区委办党支部".into(), "党支部");
    for w in 0..3 {
        let (wname, wkind) = if w == 0 {
            ("区级机关工委".to_owned(), "机关工委")
        } else {
            (format!("第{w}街道党工委"), "党工委")
        };
        let wc = add(&mut items, &root, wname, wkind);
        add(&mut items, &wc, format!("工委{w}机关党支部"), "党支部");
        for c in 0..4 {
            let bureau = add(&mut items, &wc, format!("工委{w}局{c}党委"), "机关党委");
            for s in 0..2 {
                let sub = add(&mut items, &bureau, format!("局{w}-{c}下属{s}党委"), "党委");
                for b in 0..3 {
                    let br = add(
                        &mut items,
                        &sub,
                        format!("下属{w}-{c}-{s}第{b}党支部"),
                        "党支部",
                    );
                    if b == 0 {
                        add(&mut items, &br, format!("{w}-{c}-{s}党小组"), "党小组");
                    }
                }
            }
            let gb = add(&mut items, &bureau, format!("局{w}-{c}党总支"), "党总支");
            add(
                &mut items,
                &gb,
                format!("局{w}-{c}总支第一支部"),
                "联合党支部",
            );
            add(
                &mut items,
                &bureau,
                format!("局{w}-{c}临时党支部"),
                "临时党组织",
            );
        }
    }
    let count = items.len();
    // Sorted by name, as exports often are: children come before their parents.
    items.sort_by(|a, b| a["orgName"].as_str().cmp(&b["orgName"].as_str()));
    (
        json!({"code": 0, "msg": "success", "data": {"total": count, "records": items}}),
        count,
    )
}

async fn import(
    app: &TestApp,
    c: &str,
    file: &Value,
    mapping: Option<&Mapping>,
    commit: bool,
) -> ImportReport {
    let m = mapping
        .map(|m| serde_json::to_string(m).unwrap())
        .unwrap_or_default();
    let r = app
        .post(
            "orgs_import",
            &format!(
                "format=json&mapping={}&data={}&commit={commit}",
                enc(&m),
                enc(&file.to_string())
            ),
            Some(c),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        &r.body[..r.body.len().min(400)]
    );
    serde_json::from_str(&r.body).unwrap()
}

async fn tree(app: &TestApp, c: &str) -> OrgTreeView {
    let r = app.post("orgs_tree", "", Some(c)).await;
    serde_json::from_str(&r.body).unwrap()
}

#[tokio::test]
async fn a_district_json_export_imports_after_a_type_mapping_and_again_as_an_update() {
    let app = spawn().await;
    app.db.set_org_levels("district").await.unwrap();
    let c = app.login("admin").await;
    let before = tree(&app, &c).await.units.len();
    let (file, count) = district("");
    // First look: the columns and most types are guessed; 临时党组织 is not, so nothing is
    // written even when asked to.
    let rep = import(&app, &c, &file, None, true).await;
    assert!(!rep.committed);
    let m = rep.mapping.clone();
    let col = |f: Field| m.column(f).map(|i| rep.headers[i].as_str());
    assert_eq!(col(Field::Id), Some("orgId"));
    assert_eq!(col(Field::Parent), Some("parentOrgId"));
    assert_eq!(col(Field::Kind), Some("orgType"));
    assert_eq!(col(Field::Phone), Some("contactPhone"));
    assert_eq!(col(Field::Members), Some("memberCount"));
    assert_eq!(col(Field::TermStart), Some("electionDate"));
    assert_eq!(m.level_for("机关工委"), Some("working-committee"));
    assert_eq!(m.level_for("机关党委"), Some("committee"));
    assert_eq!(m.level_for("联合党支部"), Some("branch"));
    assert!(rep.kinds.iter().any(|(v, n)| v == "临时党组织" && *n == 12));
    assert_eq!(rep.problems.len(), 12, "{:?}", rep.problems);
    assert!(rep
        .problems
        .iter()
        .all(|p| p.key == "org_import.unknown_level"));
    // The user maps it: the whole tree in one pass.
    let mut m = rep.mapping.clone();
    m.set_kind("临时党组织", "branch");
    let rep = import(&app, &c, &file, Some(&m), true).await;
    assert!(rep.problems.is_empty(), "{:?}", rep.problems);
    assert!(rep.committed);
    assert_eq!((rep.new, rep.updated), (count, 0));
    let t = tree(&app, &c).await;
    assert_eq!(t.units.len(), before + count);
    let by_name = |name: &str| t.units.iter().find(|u| u.name == name).unwrap();
    let root = by_name("某某区委");
    assert_eq!(
        (root.level.as_str(), root.parent),
        ("district-committee", None)
    );
    assert!(
        root.code.starts_with('9') && root.code.len() == 6,
        "{}",
        root.code
    );
    let sub = by_name("局0-1下属1党委");
    let bureau = t.units.iter().find(|u| Some(u.id) == sub.parent).unwrap();
    assert_eq!(
        (sub.level.as_str(), bureau.level.as_str()),
        ("committee", "committee")
    );
    assert!(sub.code.starts_with(&bureau.code));
    assert_eq!(
        sub.secretary.as_deref().map(|s| s.starts_with("书记")),
        Some(true)
    );
    assert!(sub.members >= 3 && sub.term_start.is_some());
    let direct = by_name("区委办党支部");
    assert_eq!(direct.parent, Some(root.id), "a branch at depth 1");
    // The same file again, one unit renamed and every member count the system's: an update.
    let (again, _) = district("（更名）");
    let rep = import(&app, &c, &again, Some(&m), true).await;
    assert!(rep.problems.is_empty(), "{:?}", rep.problems);
    assert_eq!((rep.new, rep.updated, rep.committed), (0, count, true));
    let t2 = tree(&app, &c).await;
    assert_eq!(t2.units.len(), before + count);
    let root2 = t2.units.iter().find(|u| u.id == root.id).unwrap();
    assert_eq!(root2.name, "某某区委（更名）");
    assert_eq!(root2.code, root.code);
}

#[tokio::test]
async fn every_problem_of_a_broken_export_is_shown_and_nothing_is_written() {
    let app = spawn().await;
    app.db.set_org_levels("district").await.unwrap();
    let c = app.login("admin").await;
    let row = |id: &str, name: &str, parent: &str, kind: &str| json!({"组织ID": id, "组织名称": name, "上级组织ID": parent, "组织类别": kind});
    let file = json!([
        row("1", "区委", "", "区委"),
        row("2", "甲党委", "1", "党委"),
        row("2", "重复", "1", "党委"),
        row("3", "孤儿支部", "99", "党支部"),
        row("4", "环一", "5", "党委"),
        row("5", "环二", "4", "党委"),
        row("6", "越级小组", "1", "党小组"),
        row("7", "乙党支部", "2", "党支部"),
    ]);
    let before = fingerprint(&app.db).await;
    let rep = import(&app, &c, &file, None, true).await;
    assert!(!rep.committed);
    let keys: Vec<(usize, &str)> = rep
        .problems
        .iter()
        .map(|p| (p.line, p.key.as_str()))
        .collect();
    assert_eq!(
        keys,
        vec![
            (3, "org_import.duplicate"),
            (4, "org_import.unknown_parent"),
            (5, "org_import.cycle"),
            (6, "org_import.cycle"),
            (7, "org_import.level"),
        ]
    );
    assert_eq!(fingerprint(&app.db).await, before);
    // An Excel 97–2003 file: save it as .xlsx or CSV.
    let r = app
        .post(
            "orgs_import",
            "format=xls&mapping=&data=&commit=true",
            Some(&c),
        )
        .await;
    let rep: ImportReport = serde_json::from_str(&r.body).unwrap();
    assert_eq!(rep.problems[0].key, "org_import.xls");
    // A mapping that is not JSON, and one naming a column the file does not have.
    let r = app
        .post(
            "orgs_import",
            "format=json&mapping=%7B&data=%5B%5D&commit=false",
            Some(&c),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut m = rep.mapping.clone();
    m.set_column(Field::Name, Some(40));
    let rep = import(&app, &c, &file, Some(&m), false).await;
    assert_eq!(rep.problems[0].key, "org_import.header");
    // An organiser may not add a top-level unit from a file.
    let shuji = app.login("shuji").await;
    let rep = import(
        &app,
        &shuji,
        &json!([row("1", "区委", "", "区委")]),
        None,
        true,
    )
    .await;
    assert!(!rep.committed);
    assert_eq!(rep.problems[0].key, "org_import.scope");
    assert_eq!(fingerprint(&app.db).await, before);
}

#[tokio::test]
async fn an_administrator_switches_the_level_set_when_every_unit_fits_it() {
    let app = spawn().await;
    let c = app.login("admin").await;
    let set = |s: &'static str| format!("set={s}");
    let r = app
        .post("orgs_set_levels", &set("district"), Some(&c))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        tree(&app, &c).await.levels,
        domain::org::LevelSet::district_wide()
    );
    // The demo's street working committee has no place in the four-level set.
    let r = app.post("orgs_set_levels", &set("four"), Some(&c)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("err.org_levels_used"), "{}", r.body);
    let r = app.post("orgs_set_levels", "set=%7B%7D", Some(&c)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(
        tree(&app, &c).await.levels,
        domain::org::LevelSet::district_wide()
    );
    let shuji = app.login("shuji").await;
    let r = app
        .post("orgs_set_levels", &set("five"), Some(&shuji))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
