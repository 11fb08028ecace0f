//! One storage suite, run on SQLite and on PostgreSQL.

mod common;

use domain::audit::{AuditAction, AuditObject, AuditResult};
use domain::demo::{generate, Scale, DEMO_PASSWORD};
use domain::{Code, Password, PasswordPolicy, Role, Username};
use store::users::{LoginError, NewUser};
use store::{Db, StoreError};

const TODAY: i64 = 20_779;

fn pw(s: &str) -> Password {
    Password::parse(s, "", PasswordPolicy::Standard).unwrap()
}

async fn add(db: &Db, name: &str, role: Role, scope: Option<&str>) -> store::users::User {
    let scope = scope.map(|s| Code::parse(s).unwrap());
    db.create_user(NewUser {
        username: &Username::parse(name).unwrap(),
        display_name: "测试用户",
        password: &pw("correct horse battery"),
        role,
        scope: scope.as_ref(),
    })
    .await
    .unwrap()
}

both!(
    migrations_are_idempotent,
    users_are_unique_and_scoped,
    login_checks_password_and_account_state,
    login_is_throttled_per_account,
    concurrent_failures_all_count,
    login_is_throttled_per_address,
    registrations_are_counted_per_address,
    sessions_live_expire_and_end,
    password_change_and_role_change_end_sessions,
    audit_log_is_append_only,
    audit_filter_finds_an_action_under_its_old_spelling,
    demo_loads_once_all_or_nothing,
    settings_round_trip,
);

async fn migrations_are_idempotent(db: Db) {
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    assert!(db.is_empty().await.unwrap());
}

async fn users_are_unique_and_scoped(db: Db) {
    let u = add(&db, "Wang.Wei", Role::GridWorker, Some("320113001001")).await;
    assert_eq!(u.username, "wang.wei");
    assert_eq!(u.scope.as_ref().unwrap().as_str(), "320113001001");
    let again = db
        .create_user(NewUser {
            username: &Username::parse("WANG.WEI").unwrap(),
            display_name: "x",
            password: &pw("another password"),
            role: Role::Resident,
            scope: Some(&Code::parse("1").unwrap()),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Duplicate)), "{again:?}");
    let unscoped = db
        .create_user(NewUser {
            username: &Username::parse("noscope").unwrap(),
            display_name: "x",
            password: &pw("another password"),
            role: Role::Organiser,
            scope: None,
        })
        .await;
    assert!(matches!(unscoped, Err(StoreError::Invalid(_))));
    assert_eq!(
        db.count_users().await.unwrap(),
        1,
        "refused accounts leave nothing behind"
    );
    assert_eq!(
        db.user_by_name(" WANG.wei ").await.unwrap().unwrap().id,
        u.id
    );
}

async fn login_checks_password_and_account_state(db: Db) {
    let u = add(&db, "zhang", Role::Resident, Some("320113001001")).await;
    let ok = db
        .authenticate("Zhang", "correct horse battery", "10.0.0.1")
        .await
        .unwrap();
    assert_eq!(ok.unwrap().id, u.id);
    assert_eq!(
        db.authenticate("zhang", "correct horse batter", "10.0.0.1")
            .await
            .unwrap(),
        Err(LoginError::Invalid)
    );
    assert_eq!(
        db.authenticate("zhang", " correct horse battery", "10.0.0.1")
            .await
            .unwrap(),
        Err(LoginError::Invalid),
        "passwords are compared exactly as typed"
    );
    assert_eq!(
        db.authenticate("nobody", "correct horse battery", "10.0.0.1")
            .await
            .unwrap(),
        Err(LoginError::Invalid)
    );
    assert_eq!(
        db.authenticate(&"x".repeat(5000), "p", "10.0.0.1")
            .await
            .unwrap(),
        Err(LoginError::Invalid)
    );
    db.set_disabled(u.id, true).await.unwrap();
    assert_eq!(
        db.authenticate("zhang", "correct horse battery", "10.0.0.2")
            .await
            .unwrap(),
        Err(LoginError::Invalid)
    );
    db.set_disabled(u.id, false).await.unwrap();
    assert!(db
        .authenticate("zhang", "correct horse battery", "10.0.0.2")
        .await
        .unwrap()
        .is_ok());
}

async fn login_is_throttled_per_account(db: Db) {
    add(&db, "liming", Role::Resident, Some("1")).await;
    add(&db, "chen", Role::Resident, Some("1")).await;
    // A stranger's five wrong passwords from one address lock the account from that address only.
    for _ in 0..5 {
        let r = db
            .authenticate("liming", "wrong password", "198.51.100.7")
            .await
            .unwrap();
        assert_eq!(r, Err(LoginError::Invalid));
    }
    match db
        .authenticate("liming", "correct horse battery", "198.51.100.7")
        .await
        .unwrap()
    {
        Err(LoginError::Locked(secs)) => assert!(secs > 0 && secs <= 900),
        other => panic!("expected a lock, got {other:?}"),
    }
    assert!(
        db.authenticate("liming", "correct horse battery", "10.0.2.1")
            .await
            .unwrap()
            .is_ok(),
        "the owner, from their own address, is not locked out"
    );
    assert!(
        db.authenticate("chen", "correct horse battery", "198.51.100.7")
            .await
            .unwrap()
            .is_ok(),
        "other accounts unaffected"
    );
    // Failures from many addresses (a distributed guesser) slow the account, never lock it.
    for i in 0..12 {
        let r = db
            .authenticate("chen", "wrong password", &format!("10.0.3.{i}"))
            .await
            .unwrap();
        assert_eq!(r, Err(LoginError::Invalid));
    }
    let t = std::time::Instant::now();
    assert!(db
        .authenticate("chen", "correct horse battery", "10.0.2.1")
        .await
        .unwrap()
        .is_ok());
    assert!(
        t.elapsed().as_secs() >= domain::throttle::SLOW_DOWN_SECS,
        "the attempt waited"
    );
    db.clear_throttles().await.unwrap();
    assert!(db
        .authenticate("liming", "correct horse battery", "198.51.100.7")
        .await
        .unwrap()
        .is_ok());
}

async fn login_is_throttled_per_address(db: Db) {
    add(&db, "huang", Role::Resident, Some("1")).await;
    // Thirty failures from one address, spread over accounts: the address is slowed, and nobody
    // behind it (a shared NAT address) is locked out.
    for i in 0..30 {
        let r = db
            .authenticate(&format!("guess{}", i % 10), "wrong password", "203.0.113.9")
            .await
            .unwrap();
        assert_eq!(r, Err(LoginError::Invalid));
    }
    let t = std::time::Instant::now();
    assert!(db
        .authenticate("huang", "correct horse battery", "203.0.113.9")
        .await
        .unwrap()
        .is_ok());
    assert!(t.elapsed().as_secs() >= domain::throttle::SLOW_DOWN_SECS);
    let t = std::time::Instant::now();
    assert!(
        db.authenticate("huang", "correct horse battery", "203.0.113.10")
            .await
            .unwrap()
            .is_ok(),
        "other addresses unaffected"
    );
    assert!(t.elapsed().as_secs() < domain::throttle::SLOW_DOWN_SECS);
}

async fn concurrent_failures_all_count(db: Db) {
    add(&db, "zhao", Role::Resident, Some("1")).await;
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.authenticate("zhao", "wrong password", "10.9.0.1")
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        let _ = t.await.unwrap();
    }
    assert!(matches!(
        db.authenticate("zhao", "correct horse battery", "10.9.0.1")
            .await
            .unwrap(),
        Err(LoginError::Locked(_))
    ));
}

async fn registrations_are_counted_per_address(db: Db) {
    for _ in 0..10 {
        assert_eq!(db.registration_locked("192.0.2.1").await.unwrap(), None);
        db.registration_counted("192.0.2.1").await.unwrap();
    }
    let secs = db.registration_locked("192.0.2.1").await.unwrap();
    assert!(secs.is_some_and(|s| s > 0 && s <= 3600), "{secs:?}");
    assert_eq!(db.registration_locked("192.0.2.2").await.unwrap(), None);
}

async fn sessions_live_expire_and_end(db: Db) {
    let u = add(&db, "sun", Role::Resident, Some("1")).await;
    let policy = domain::session::SessionPolicy::default();
    let t = db.create_session(u.id).await.unwrap();
    assert_eq!(t.len(), 64);
    assert_eq!(
        db.session_user(&t, &policy).await.unwrap().unwrap().id,
        u.id
    );
    assert!(db
        .session_user("f".repeat(64).as_str(), &policy)
        .await
        .unwrap()
        .is_none());
    assert!(db.session_user("short", &policy).await.unwrap().is_none());
    db.age_session(&t, policy.idle_secs + 1).await.unwrap();
    assert!(
        db.session_user(&t, &policy).await.unwrap().is_none(),
        "idle timeout"
    );
    assert_eq!(
        db.count_sessions(u.id).await.unwrap(),
        0,
        "expired sessions are deleted"
    );
    let t2 = db.create_session(u.id).await.unwrap();
    assert_ne!(t, t2);
    db.delete_session(&t2).await.unwrap();
    assert!(
        db.session_user(&t2, &policy).await.unwrap().is_none(),
        "logout"
    );
    let t3 = db.create_session(u.id).await.unwrap();
    db.set_disabled(u.id, true).await.unwrap();
    assert!(
        db.session_user(&t3, &policy).await.unwrap().is_none(),
        "disabled accounts lose their sessions"
    );
}

async fn password_change_and_role_change_end_sessions(db: Db) {
    let u = add(&db, "zhou", Role::Resident, Some("1")).await;
    let policy = domain::session::SessionPolicy::default();
    let a = db.create_session(u.id).await.unwrap();
    let _b = db.create_session(u.id).await.unwrap();
    assert_eq!(db.count_sessions(u.id).await.unwrap(), 2);
    db.set_password(u.id, &pw("a brand new secret"))
        .await
        .unwrap();
    assert_eq!(db.count_sessions(u.id).await.unwrap(), 0);
    assert!(db.session_user(&a, &policy).await.unwrap().is_none());
    assert!(db
        .authenticate("zhou", "a brand new secret", "1.1.1.1")
        .await
        .unwrap()
        .is_ok());
    assert!(db
        .verify_password(u.id, "a brand new secret")
        .await
        .unwrap());
    assert!(!db
        .verify_password(u.id, "correct horse battery")
        .await
        .unwrap());

    db.create_session(u.id).await.unwrap();
    let changed = db
        .set_role(
            u.id,
            Role::Organiser,
            Some(&Code::parse("320113001").unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(changed.role, Role::Organiser);
    assert_eq!(db.count_sessions(u.id).await.unwrap(), 0);
    assert!(matches!(
        db.set_role(u.id, Role::Admin, Some(&Code::parse("1").unwrap()))
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        db.set_role(99_999, Role::Admin, None).await,
        Err(StoreError::NotFound)
    ));
}

async fn audit_log_is_append_only(db: Db) {
    db.audit(store::audit::Audit {
        actor_user_id: None,
        actor: "anonymous",
        ip: "127.0.0.1",
        action: AuditAction::Login,
        object: AuditObject::User("li"),
        result: AuditResult::Refused,
        detail: "wrong password",
    })
    .await
    .unwrap();
    let rows = db.audit_entries(Some("login"), 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].result, "refused");
    assert_eq!(rows[0].object, "user:li");
    assert!(sqlx::query("UPDATE audit_log SET result = 'ok'")
        .execute(db.pool())
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM audit_log")
        .execute(db.pool())
        .await
        .is_err());
    assert_eq!(
        db.audit_entries(None, 10).await.unwrap()[0].result,
        "refused"
    );
}

async fn audit_filter_finds_an_action_under_its_old_spelling(db: Db) {
    // A row written before the spellings were unified, and one written now.
    sqlx::query(
        "INSERT INTO audit_log (ts, actor_user_id, actor, ip, action, object, result, detail) \
         VALUES (1, NULL, 'wang', '127.0.0.1', 'grids.save', '320113', 'ok', '')",
    )
    .execute(db.pool())
    .await
    .unwrap();
    db.audit(store::audit::Audit {
        actor_user_id: None,
        actor: "wang",
        ip: "127.0.0.1",
        action: AuditAction::GridsSave,
        object: AuditObject::Grids("320113"),
        result: AuditResult::Ok,
        detail: "",
    })
    .await
    .unwrap();
    for spelling in ["grids_save", "grids.save"] {
        let rows = db.audit_entries(Some(spelling), 10).await.unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["grids_save", "grids.save"], "{spelling}");
    }
    assert!(db
        .audit_entries(Some("grids_import"), 10)
        .await
        .unwrap()
        .is_empty());
}

async fn demo_loads_once_all_or_nothing(db: Db) {
    let d = generate(Scale::Small, TODAY);
    db.load_demo(&d).await.unwrap();
    assert_eq!(db.count_grids().await.unwrap(), d.grids.len() as i64);
    assert_eq!(db.count_units().await.unwrap(), d.units.len() as i64);
    // The events, and the community service day of the service history.
    assert_eq!(db.count_events().await.unwrap(), d.events.len() as i64 + 1);
    assert!(matches!(
        db.load_demo(&d).await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(
        db.count_grids().await.unwrap(),
        d.grids.len() as i64,
        "a refused load changes nothing"
    );

    let l3 = db.list_grids(Some(3)).await.unwrap();
    assert_eq!(l3.len(), 32);
    assert_eq!(
        l3[0].state.boundary.outer(),
        d.grids
            .iter()
            .find(|g| g.code.as_str() == l3[0].state.code)
            .unwrap()
            .ring
            .as_slice(),
        "geometry survives exactly"
    );
    let tree = domain::org::Tree::new(db.org_units().await.unwrap());
    assert_eq!(tree.roots().len(), 1);
    assert_eq!(tree.children(tree.roots()[0]).len(), 4);
    assert!(tree.get(tree.roots()[0]).unwrap().secretary.is_some());
    assert!(db
        .upcoming_events("2026-11-01T00:00", 50)
        .await
        .unwrap()
        .iter()
        .any(|e| e.rrule.is_some()));
    let admin = db
        .authenticate("admin", DEMO_PASSWORD, "127.0.0.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, Role::Admin);
}

async fn settings_round_trip(db: Db) {
    assert!(db.registration_open().await.unwrap());
    db.set_setting(store::settings::REGISTRATION_OPEN, "false")
        .await
        .unwrap();
    assert!(!db.registration_open().await.unwrap());
    db.set_setting(store::settings::REGISTRATION_OPEN, "true")
        .await
        .unwrap();
    assert!(db.registration_open().await.unwrap());
}

#[tokio::test]
async fn sqlite_backup_is_consistent_and_checked() {
    let db = common::sqlite().await;
    db.load_demo(&generate(Scale::Small, TODAY)).await.unwrap();
    let dir = std::env::temp_dir().join(format!("linli_backup_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dest = dir.join("b.db");
    let _ = std::fs::remove_file(&dest);
    db.backup_to(&dest).await.unwrap();
    assert!(
        matches!(db.backup_to(&dest).await, Err(StoreError::Invalid(_))),
        "never overwrites"
    );
    let copy = Db::connect(&format!("sqlite://{}", dest.display()))
        .await
        .unwrap();
    assert_eq!(
        copy.count_grids().await.unwrap(),
        db.count_grids().await.unwrap()
    );
    // The four demo accounts, the street's sixteen staff and department accounts, and the
    // service history's sixteen party members.
    assert_eq!(copy.count_users().await.unwrap(), 36);
    assert!(copy
        .authenticate("admin", DEMO_PASSWORD, "127.0.0.1")
        .await
        .unwrap()
        .is_ok());
}
