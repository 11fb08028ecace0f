//! Editing the party organisation: commands, versions, change log, import; SQLite and PostgreSQL.

mod common;

use domain::demo::{generate, Scale};
use domain::org::{OrgCommand, OrgError, RoleHolder, UnitDetails};
use store::orgs::OrgRefusal;
use store::Db;

async fn demo(db: &Db) {
    db.load_demo(&generate(Scale::Small, 20_779)).await.unwrap();
}

fn all(_: &str) -> bool {
    true
}

async fn unit(db: &Db, level: &str, n: usize) -> domain::org::OrgUnit {
    db.org_units()
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.level == level)
        .nth(n)
        .unwrap()
}

both!(
    commands_change_the_tree_and_are_logged,
    a_stale_version_refuses_the_whole_batch,
    rules_are_enforced_in_the_store,
    a_move_recodes_the_subtree_and_carries_organisers_scopes,
    details_keep_masked_phones_and_replace_roles,
    import_writes_all_or_nothing,
    level_set_is_a_setting,
);

async fn commands_change_the_tree_and_are_logged(db: Db) {
    demo(&db).await;
    let branch = unit(&db, "branch", 0).await;
    let before = db.org_units().await.unwrap().len();
    let a = db
        .apply_org(
            &[OrgCommand::Add {
                parent: branch.id,
                level: "group".into(),
                name: "新建党小组".into(),
            }],
            "zuzhi",
            100,
            all,
        )
        .await
        .unwrap()
        .unwrap();
    let id = a.created[0];
    let new = a.units.iter().find(|u| u.id == id).unwrap().clone();
    assert!(new.code.starts_with(&branch.code) && new.code.len() > branch.code.len());
    assert_eq!(new.term_years, 3);
    let a = db
        .apply_org(
            &[OrgCommand::Rename {
                id,
                version: 1,
                name: "三号楼党小组".into(),
            }],
            "zuzhi",
            101,
            all,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.units[0].name, "三号楼党小组");
    assert_eq!(a.units[0].version, 2);
    let a = db
        .apply_org(
            &[OrgCommand::Dissolve {
                id,
                version: 2,
                reason: "楼栋拆迁".into(),
                doc_no: "栖委组〔2026〕3号".into(),
            }],
            "zuzhi",
            102,
            all,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.dissolved, vec![id]);
    assert_eq!(db.org_units().await.unwrap().len(), before);
    assert_eq!(db.dissolved_units(None).await.unwrap()[0].id, id);
    db.apply_org(
        &[OrgCommand::Reinstate { id, version: 3 }],
        "zuzhi",
        103,
        all,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(db.org_units().await.unwrap().len(), before + 1);
    let log = db.org_unit_log(id).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, vec!["reinstate", "dissolve", "rename", "create"]);
    assert_eq!(log[1].reason, "楼栋拆迁");
    assert_eq!(log[1].doc_no, "栖委组〔2026〕3号");
    assert_eq!(log[2].before, "新建党小组");
    assert!(log.iter().all(|c| c.actor == "zuzhi"));
}

async fn a_stale_version_refuses_the_whole_batch(db: Db) {
    demo(&db).await;
    let a = unit(&db, "group", 0).await;
    let b = unit(&db, "group", 1).await;
    db.apply_org(
        &[OrgCommand::Rename {
            id: b.id,
            version: b.version,
            name: "别人改的".into(),
        }],
        "other",
        50,
        all,
    )
    .await
    .unwrap()
    .unwrap();
    let r = db
        .apply_org(
            &[
                OrgCommand::Rename {
                    id: a.id,
                    version: a.version,
                    name: "我改的".into(),
                },
                OrgCommand::Rename {
                    id: b.id,
                    version: b.version,
                    name: "我也改".into(),
                },
            ],
            "me",
            60,
            all,
        )
        .await
        .unwrap();
    match r {
        Err(OrgRefusal::Conflict { unit, by, at }) => {
            assert_eq!((unit.as_str(), by.as_str(), at), ("别人改的", "other", 50));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let now = db.org_units().await.unwrap();
    assert_eq!(
        now.iter().find(|u| u.id == a.id).unwrap().name,
        a.name,
        "first command rolled back"
    );
    assert!(db.org_unit_log(a.id).await.unwrap().is_empty());
}

async fn rules_are_enforced_in_the_store(db: Db) {
    demo(&db).await;
    let street = unit(&db, "working-committee", 0).await;
    let branch = unit(&db, "branch", 0).await;
    let group = unit(&db, "group", 0).await;
    let r = db
        .apply_org(
            &[OrgCommand::Add {
                parent: street.id,
                level: "group".into(),
                name: "x".into(),
            }],
            "a",
            1,
            all,
        )
        .await
        .unwrap();
    assert!(matches!(
        r,
        Err(OrgRefusal::Rule(OrgError::LevelNotAllowed { .. }))
    ));
    let r = db
        .apply_org(
            &[OrgCommand::Dissolve {
                id: branch.id,
                version: branch.version,
                reason: "r".into(),
                doc_no: "".into(),
            }],
            "a",
            1,
            all,
        )
        .await
        .unwrap();
    assert!(matches!(
        r,
        Err(OrgRefusal::Rule(OrgError::HasChildren { .. }))
    ));
    let r = db
        .apply_org(
            &[OrgCommand::Move {
                id: branch.id,
                version: branch.version,
                parent: group.id,
                reason: "r".into(),
                doc_no: "".into(),
            }],
            "a",
            1,
            all,
        )
        .await
        .unwrap();
    assert!(
        matches!(r, Err(OrgRefusal::Rule(OrgError::Cycle { .. }))),
        "the group lies beneath the branch"
    );
    let r = db
        .apply_org(
            &[OrgCommand::Move {
                id: branch.id,
                version: branch.version,
                parent: street.id,
                reason: "r".into(),
                doc_no: "".into(),
            }],
            "a",
            1,
            all,
        )
        .await
        .unwrap();
    assert!(matches!(
        r,
        Err(OrgRefusal::Rule(OrgError::LevelNotAllowed { .. }))
    ));
    let scope = group.code.clone();
    let r = db
        .apply_org(
            &[OrgCommand::Rename {
                id: branch.id,
                version: branch.version,
                name: "越权".into(),
            }],
            "a",
            1,
            |c: &str| c.starts_with(&scope),
        )
        .await
        .unwrap();
    assert!(matches!(
        r,
        Err(OrgRefusal::Rule(OrgError::OutOfScope { .. }))
    ));
    let r = db
        .apply_org(
            &[OrgCommand::Rename {
                id: branch.id,
                version: branch.version,
                name: " ".into(),
            }],
            "a",
            1,
            all,
        )
        .await
        .unwrap();
    assert_eq!(r, Err(OrgRefusal::Rule(OrgError::Name)));
}

async fn a_move_recodes_the_subtree_and_carries_organisers_scopes(db: Db) {
    demo(&db).await;
    let units = db.org_units().await.unwrap();
    let group = units.iter().find(|u| u.level == "group").unwrap().clone();
    let old_branch = group.parent.unwrap();
    let target = units
        .iter()
        .find(|u| u.level == "branch" && u.id != old_branch)
        .unwrap()
        .clone();
    let kids = units.iter().filter(|u| u.parent == Some(group.id)).count();
    assert!(kids > 0);
    let user = db
        .create_user(store::users::NewUser {
            username: &domain::Username::parse("zuxiao").unwrap(),
            display_name: "组长",
            password: &domain::Password::parse(
                "correct horse battery",
                "",
                domain::PasswordPolicy::Standard,
            )
            .unwrap(),
            role: domain::Role::Organiser,
            scope: Some(&domain::Code::parse(&group.code).unwrap()),
        })
        .await
        .unwrap();
    let a = db
        .apply_org(
            &[OrgCommand::Move {
                id: group.id,
                version: group.version,
                parent: target.id,
                reason: "楼栋划转".into(),
                doc_no: "".into(),
            }],
            "admin",
            5,
            all,
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        a.units.len(),
        kids + 1,
        "the unit and everything beneath it"
    );
    let moved = a.units.iter().find(|u| u.id == group.id).unwrap();
    assert!(moved.code.starts_with(&target.code));
    assert_eq!(moved.parent, Some(target.id));
    assert!(a.units.iter().all(|u| u.code.starts_with(&moved.code)));
    let scope = db.user(user.id).await.unwrap().scope.unwrap();
    assert_eq!(
        scope.as_str(),
        moved.code,
        "the organiser's scope follows the unit"
    );
    let log = db.org_unit_log(group.id).await.unwrap();
    assert_eq!(log[0].action, "move");
    assert!(log[0].after.contains(&moved.code));
}

async fn details_keep_masked_phones_and_replace_roles(db: Db) {
    demo(&db).await;
    let u = unit(&db, "committee", 0).await;
    let roles = db.unit_roles(u.id).await.unwrap();
    let sec = roles[0].clone();
    let details = UnitDetails {
        term_start: Some("2024-03-01".into()),
        term_years: 5,
        grid: Some(u.code.clone()),
        roles: vec![
            RoleHolder {
                id: Some(sec.id),
                role: "secretary".into(),
                person_name: sec.person_name.clone(),
                phone: domain::mask::phone(&sec.phone),
                resident_unit: String::new(),
            },
            RoleHolder {
                id: None,
                role: "part-time".into(),
                person_name: "赵兼职".into(),
                phone: "13900001111".into(),
                resident_unit: "区医院".into(),
            },
        ],
    };
    db.apply_org(
        &[OrgCommand::Details {
            id: u.id,
            version: u.version,
            details: details.clone(),
        }],
        "a",
        9,
        all,
    )
    .await
    .unwrap()
    .unwrap();
    let roles = db.unit_roles(u.id).await.unwrap();
    assert_eq!(roles.len(), 2);
    assert_eq!(
        roles[0].phone, sec.phone,
        "the masked phone kept the stored number"
    );
    assert_eq!(roles[1].resident_unit.as_deref(), Some("区医院"));
    let log = db.org_unit_log(u.id).await.unwrap();
    assert!(
        !log[0].after.contains("13900001111"),
        "the log keeps phones masked"
    );
    assert!(log[0].after.contains("139****1111"));
    // Taking the part-time member off and undoing it (same id) brings the phone back.
    let added = roles[1].clone();
    let v = unit(&db, "committee", 0).await.version;
    let mut without = details.clone();
    without.roles.truncate(1);
    db.apply_org(
        &[OrgCommand::Details {
            id: u.id,
            version: v,
            details: without,
        }],
        "a",
        10,
        all,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(db.unit_roles(u.id).await.unwrap().len(), 1);
    let mut undo = details.clone();
    undo.roles[1].id = Some(added.id);
    undo.roles[1].phone = domain::mask::phone(&added.phone);
    db.apply_org(
        &[OrgCommand::Details {
            id: u.id,
            version: v + 1,
            details: undo,
        }],
        "a",
        11,
        all,
    )
    .await
    .unwrap()
    .unwrap();
    let back = db.unit_roles(u.id).await.unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(
        back[1].phone, "13900001111",
        "the phone survived the round trip"
    );
    let mut bad = details.clone();
    bad.grid = Some("999999".into());
    let now = unit(&db, "committee", 0).await;
    let r = db
        .apply_org(
            &[OrgCommand::Details {
                id: u.id,
                version: now.version,
                details: bad,
            }],
            "a",
            9,
            all,
        )
        .await
        .unwrap();
    assert_eq!(r, Err(OrgRefusal::UnknownGrid("999999".into())));
    let mut foreign = details;
    foreign.roles[0].id = Some(-5);
    let r = db
        .apply_org(
            &[OrgCommand::Details {
                id: u.id,
                version: now.version,
                details: foreign,
            }],
            "a",
            9,
            all,
        )
        .await
        .unwrap();
    assert_eq!(r, Err(OrgRefusal::Rule(OrgError::Role)));
}

async fn import_writes_all_or_nothing(db: Db) {
    demo(&db).await;
    let levels = db.org_levels().await.unwrap();
    let branch = unit(&db, "branch", 0).await;
    let before = db.org_units().await.unwrap().len();
    let bad = format!(
        "组织编码,名称,层级,上级组织编码\n{b}901,好的,楼栋党小组,{b}\n{b}902,坏的,社区党委,{b}\n",
        b = branch.code
    );
    let p = db
        .import_org("imp", 7, |tree, grids| {
            domain::org::import::plan(
                domain::org::import::read_csv(&bad, &levels),
                tree,
                &levels,
                all,
                |g| {
                    if grids.contains(g) {
                        Ok(())
                    } else {
                        Err("org_import.grid")
                    }
                },
            )
        })
        .await
        .unwrap();
    assert_eq!(p.problems.len(), 1);
    assert_eq!(
        db.org_units().await.unwrap().len(),
        before,
        "nothing written"
    );
    let good = format!(
        "组织编码,名称,层级,上级组织编码,书记\n{b}901,九号楼党小组,楼栋党小组,{b},钱九\n{b}90101,党员中心户（钱家）,党员中心户,{b}901,\n{b},改名支部,小区党支部,{p},\n",
        b = branch.code,
        p = db.org_units().await.unwrap().iter().find(|u| Some(u.id) == branch.parent).unwrap().code
    );
    let p = db
        .import_org("imp", 8, |tree, grids| {
            domain::org::import::plan(
                domain::org::import::read_csv(&good, &levels),
                tree,
                &levels,
                all,
                |g| {
                    if grids.contains(g) {
                        Ok(())
                    } else {
                        Err("org_import.grid")
                    }
                },
            )
        })
        .await
        .unwrap();
    assert!(p.is_clean(), "{:?}", p.problems);
    let units = db.org_units().await.unwrap();
    assert_eq!(units.len(), before + 2);
    let nine = units
        .iter()
        .find(|u| u.code == format!("{}901", branch.code))
        .unwrap();
    assert_eq!(nine.secretary.as_deref(), Some("钱九"));
    assert_eq!(
        units.iter().find(|u| u.id == branch.id).unwrap().name,
        "改名支部"
    );
    assert_eq!(db.org_unit_log(nine.id).await.unwrap()[0].action, "import");
}

async fn level_set_is_a_setting(db: Db) {
    assert_eq!(
        db.org_levels().await.unwrap(),
        domain::org::LevelSet::five_level()
    );
    db.set_org_levels("four").await.unwrap();
    assert_eq!(
        db.org_levels().await.unwrap(),
        domain::org::LevelSet::four_level()
    );
    demo(&db).await;
    let e = db.set_org_levels("four").await;
    assert!(
        e.is_err(),
        "the demo has working-committee units the four-level set lacks"
    );
    assert!(db.set_org_levels("nonsense").await.is_err());
}
