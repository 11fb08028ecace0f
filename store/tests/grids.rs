//! Saving grids: versions, revisions, all-or-nothing, on SQLite and PostgreSQL.

mod common;

use domain::demo::{generate, Scale};
use store::grids::{GridChange, GridState, Reason};
use store::{Db, StoreError};

async fn demo(db: &Db) {
    db.load_demo(&generate(Scale::Small, 20_779)).await.unwrap();
}

fn ok(_: &[store::grids::Grid], _: &[store::grids::Grid]) -> Result<(), String> {
    Ok(())
}

both!(
    a_save_bumps_the_version_and_keeps_a_revision,
    a_stale_version_is_a_conflict_and_changes_nothing,
    a_refused_check_rolls_everything_back,
    create_and_delete_are_recorded_and_history_outlives_the_grid,
    context_layers_replace_by_name_and_delete,
    a_save_sent_twice_from_a_phone_is_done_once,
);

async fn a_save_bumps_the_version_and_keeps_a_revision(db: Db) {
    demo(&db).await;
    let g = db.list_grids(Some(3)).await.unwrap().remove(0);
    let mut state = g.state.clone();
    state.name = "新名字".into();
    state.households = 123;
    state.workers = "王五, 赵六".into();
    // A hole (a school) in the middle and an exclave far away: parts and holes round-trip.
    let [x0, y0, x1, y1] = g.state.boundary.bbox();
    let (cx, cy, d) = (
        (x0 + x1) / 2.0,
        (y0 + y1) / 2.0,
        (x1 - x0).min(y1 - y0) / 10.0,
    );
    let hole = vec![
        [cx, cy],
        [cx, cy + d],
        [cx + d, cy + d],
        [cx + d, cy],
        [cx, cy],
    ];
    let exclave = vec![
        [x1 + 1.0, y0],
        [x1 + 1.01, y0],
        [x1 + 1.01, y0 + 0.01],
        [x1 + 1.0, y0],
    ];
    state.boundary.0[0].push(hole);
    state.boundary.0.push(vec![exclave]);
    state.boundary = state.boundary.normalised();
    assert_eq!(state.boundary.validate(), Ok(()));
    let saved = db
        .save_grids(
            &[GridChange::Update {
                id: g.id,
                version: g.version,
                state: state.clone(),
                reason: Reason::Edit,
            }],
            "wangge",
            1_000,
            ok,
        )
        .await
        .unwrap()
        .unwrap();
    let after = saved.iter().find(|x| x.id == g.id).unwrap();
    assert_eq!(after.version, g.version + 1);
    assert_eq!(after.state, state);
    assert_eq!(after.updated_by, "wangge");
    let again = db.grid(g.id).await.unwrap();
    assert_eq!(again.state, state);
    let hist = db.grid_history(g.id).await.unwrap();
    assert_eq!(hist.len(), 1);
    assert_eq!(hist[0].action, "update");
    assert_eq!(hist[0].version, g.version + 1);
    assert_eq!(hist[0].before.as_ref(), Some(&g.state));
    assert_eq!(hist[0].after.as_ref(), Some(&state));
    assert_eq!(db.grid_revision(hist[0].id).await.unwrap(), hist[0]);
}

async fn a_stale_version_is_a_conflict_and_changes_nothing(db: Db) {
    demo(&db).await;
    let grids = db.list_grids(Some(3)).await.unwrap();
    let (a, b) = (&grids[0], &grids[1]);
    let mut sa = a.state.clone();
    sa.name = "甲".into();
    let mut sb = b.state.clone();
    sb.name = "乙".into();
    let r = db
        .save_grids(
            &[
                GridChange::Update {
                    id: a.id,
                    version: a.version,
                    state: sa,
                    reason: Reason::Edit,
                },
                GridChange::Update {
                    id: b.id,
                    version: b.version + 5,
                    state: sb,
                    reason: Reason::Edit,
                },
            ],
            "x",
            1,
            ok,
        )
        .await;
    assert!(
        matches!(r, Err(StoreError::Conflict(v)) if v == b.version),
        "{r:?}"
    );
    assert_eq!(
        db.grid(a.id).await.unwrap().state,
        a.state,
        "the good half was not written"
    );
    assert!(db.grid_history(a.id).await.unwrap().is_empty());
}

async fn a_refused_check_rolls_everything_back(db: Db) {
    demo(&db).await;
    let g = db.list_grids(Some(3)).await.unwrap().remove(0);
    let mut state = g.state.clone();
    state.name = "不该保存".into();
    let mut seen = 0;
    let r = db
        .save_grids(
            &[GridChange::Update {
                id: g.id,
                version: g.version,
                state,
                reason: Reason::Edit,
            }],
            "x",
            1,
            |before, after| {
                seen = after.len();
                assert_eq!(before.len(), after.len());
                Err("refused")
            },
        )
        .await
        .unwrap();
    assert_eq!(r, Err("refused"));
    assert!(seen > 0, "the check saw the whole map");
    assert_eq!(db.grid(g.id).await.unwrap().version, g.version);
    // Duplicate codes and missing parents are refused by the store itself.
    let mut dup = g.state.clone();
    dup.name = "重复".into();
    let r = db
        .save_grids(
            &[GridChange::Create {
                state: dup,
                reason: Reason::Edit,
            }],
            "x",
            1,
            ok,
        )
        .await;
    assert!(matches!(r, Err(StoreError::Duplicate)), "{r:?}");
    let orphan = GridState {
        code: "99999".into(),
        parent_code: Some("9999".into()),
        ..g.state.clone()
    };
    let r = db
        .save_grids(
            &[GridChange::Create {
                state: orphan,
                reason: Reason::Edit,
            }],
            "x",
            1,
            ok,
        )
        .await;
    assert!(matches!(r, Err(StoreError::Invalid(_))), "{r:?}");
    assert_eq!(db.count_grids().await.unwrap(), 44);
}

async fn create_and_delete_are_recorded_and_history_outlives_the_grid(db: Db) {
    demo(&db).await;
    let g = db.list_grids(Some(3)).await.unwrap().remove(0);
    let new = GridState {
        code: format!("{}9", g.state.code),
        parent_code: Some(g.state.code.clone()),
        level: 4,
        name: "新网格".into(),
        ..g.state.clone()
    };
    let saved = db
        .save_grids(
            &[GridChange::Create {
                state: new.clone(),
                reason: Reason::Edit,
            }],
            "admin",
            5,
            ok,
        )
        .await
        .unwrap()
        .unwrap();
    let created = saved.iter().find(|x| x.state.code == new.code).unwrap();
    assert_eq!(
        created.state.parent_code.as_deref(),
        Some(g.state.code.as_str())
    );
    assert_eq!(created.version, 1);
    db.save_grids(
        &[GridChange::Delete {
            id: created.id,
            version: 1,
        }],
        "admin",
        6,
        ok,
    )
    .await
    .unwrap()
    .unwrap();
    assert!(matches!(
        db.grid(created.id).await,
        Err(StoreError::NotFound)
    ));
    let hist = db.grid_history(created.id).await.unwrap();
    let actions: Vec<&str> = hist.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["delete", "create"]);
    assert_eq!(hist[0].before.as_ref(), Some(&new));
    assert!(hist[0].after.is_none());
    // A grid linked to an organisation unit can be deleted: the link is cleared, the unit stays.
    let linked = db
        .list_grids(Some(3))
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.unit.is_some())
        .unwrap();
    db.save_grids(
        &[GridChange::Delete {
            id: linked.id,
            version: linked.version,
        }],
        "admin",
        7,
        ok,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(db.count_grids().await.unwrap(), 43);
}

async fn context_layers_replace_by_name_and_delete(db: Db) {
    let road = vec![vec![[118.8, 32.1], [118.81, 32.1]]];
    let id = db.put_map_layer("道路", &road, "admin", 1).await.unwrap();
    let two = vec![road[0].clone(), vec![[118.8, 32.2], [118.9, 32.2]]];
    assert_eq!(
        db.put_map_layer("道路", &two, "admin", 2).await.unwrap(),
        id,
        "same name, same layer"
    );
    let layers = db.map_layers().await.unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].paths, two);
    db.delete_map_layer(id).await.unwrap();
    assert!(db.map_layers().await.unwrap().is_empty());
    assert!(matches!(
        db.delete_map_layer(id).await,
        Err(StoreError::NotFound)
    ));
}

/// A save made offline carries its key and the versions it was made on: sent twice (the first
/// answer lost), it is done once; the same edits under a new key are a conflict, not an overwrite.
async fn a_save_sent_twice_from_a_phone_is_done_once(db: Db) {
    demo(&db).await;
    let g = db.list_grids(Some(3)).await.unwrap().remove(0);
    let mut state = g.state.clone();
    state.households += 7;
    let change = [GridChange::Update {
        id: g.id,
        version: g.version,
        state: state.clone(),
        reason: Reason::Edit,
    }];
    let user = 1;
    let save = |key: &'static str| {
        let (db, change) = (db.clone(), change.clone());
        async move {
            db.save_grids_keyed(Some((user, key)), &change, "wangge", 10, ok)
                .await
        }
    };
    save("phone-save-1").await.unwrap().unwrap();
    let again = save("phone-save-1").await.unwrap().unwrap();
    let after = again.iter().find(|x| x.id == g.id).unwrap();
    assert_eq!(after.version, g.version + 1, "done once");
    assert_eq!(after.state.households, state.households);
    assert_eq!(db.grid_history(g.id).await.unwrap().len(), 1);
    assert!(matches!(
        save("phone-save-2").await,
        Err(StoreError::Conflict(v)) if v == g.version + 1
    ));
    // The same key from another account is that account's own save.
    assert!(matches!(
        db.save_grids_keyed(Some((2, "phone-save-1")), &change, "shequ", 11, ok)
            .await,
        Err(StoreError::Conflict(_))
    ));
}
