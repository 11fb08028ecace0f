//! Field reports on both engines: a retried upload files once; a report goes up from the grid to
//! the street, is whistled to two departments, resolved by the lead, closed by someone else and
//! rated, with every step's clock and every transition recorded; a stale or refused action
//! changes nothing; the clock passes up what nobody acknowledged in time.

mod common;

use domain::field::clock::{Limits, WorkCalendar};
use domain::field::{FieldAction, FieldError, FieldState, Level, Satisfaction, Standing};
use domain::{Role, Username};
use store::field::NewReport;
use store::{Db, StoreError};

/// 2026-12-04 09:00 in Shanghai (a Friday).
const T0: i64 = 1_796_346_000;
const H: i64 = 3600;

async fn account(db: &Db, name: &str) -> i64 {
    let hash = store::password::hash(
        &domain::Password::parse("field password", "", domain::PasswordPolicy::Standard).unwrap(),
    )
    .await
    .unwrap();
    let scope = domain::Code::parse("320113001001").unwrap();
    db.insert_user(
        &Username::parse(name).unwrap(),
        name,
        &hash,
        Role::Resident,
        Some(&scope),
    )
    .await
    .unwrap()
    .id
}

fn standing(user_id: i64, handles: &[Level], department: Option<i64>) -> Standing {
    Standing {
        user_id,
        handles: handles.to_vec(),
        department,
    }
}

fn report(key: &str, category: i64, reporter: i64) -> NewReport {
    NewReport {
        key: key.into(),
        category_id: category,
        description: "楼道堆放杂物，堵住消防通道".into(),
        lon: 118.91,
        lat: 32.11,
        grid_id: None,
        reporter_id: reporter,
        made_at: T0,
        fixed_on_spot: false,
    }
}

async fn a_retry_files_nothing_twice_and_a_report_goes_all_the_way_up_and_back(db: Db) {
    let cal = WorkCalendar::default();
    let cat = db
        .put_field_category("治安隐患", Limits::ORDINARY, 1)
        .await
        .unwrap();
    let (resident, worker, community, street, lead_user, co_user) = (
        account(&db, "resident1").await,
        account(&db, "worker1").await,
        account(&db, "community1").await,
        account(&db, "street1").await,
        account(&db, "housing1").await,
        account(&db, "sanitation1").await,
    );
    let housing = db.add_department("区住建局").await.unwrap();
    let sanitation = db.add_department("区环卫所").await.unwrap();
    db.add_department_member(housing, lead_user).await.unwrap();
    db.add_department_member(sanitation, co_user).await.unwrap();
    assert_eq!(db.department_of(lead_user).await.unwrap(), Some(housing));

    // The phone sends it, loses the answer, sends it again: one report.
    let r = report("0b6f7c1e-phone-1", cat, resident);
    let (id, new) = db.file_field_report(&r, &cal, T0 + 2 * H).await.unwrap();
    assert!(new);
    let (again, new) = db.file_field_report(&r, &cal, T0 + 3 * H).await.unwrap();
    assert_eq!((again, new), (id, false));
    assert!(matches!(
        db.file_field_report(&report("0b6f7c1e-phone-1", cat, worker), &cal, T0)
            .await,
        Err(StoreError::Duplicate)
    ));
    let stored = db.field_report(id).await.unwrap();
    assert_eq!((stored.made_at, stored.received_at), (T0, T0 + 2 * H));
    let steps = db.field_steps(id).await.unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(
        steps[0].acknowledge_by,
        T0 + 24 * H,
        "the clock starts on the device"
    );

    let act = |version: i64, action: FieldAction, who: Standing, now: i64| {
        let db = db.clone();
        let cal = cal.clone();
        async move {
            db.field_act(id, version, &action, &who, &cal, now, None)
                .await
        }
    };
    let version = |db: Db| async move { db.field_report(id).await.unwrap().version };
    let w = standing(worker, &[Level::Grid], None);
    let c = standing(community, &[Level::Community], None);
    let s = standing(street, &[Level::Street], None);
    let lead = standing(lead_user, &[], Some(housing));
    let co = standing(co_user, &[], Some(sanitation));

    // A refused action and a stale version change nothing.
    let v = version(db.clone()).await;
    assert_eq!(
        act(v, FieldAction::Acknowledge, c.clone(), T0 + H)
            .await
            .unwrap(),
        Err(FieldError::NotYours)
    );
    assert!(matches!(
        act(v + 1, FieldAction::Acknowledge, w.clone(), T0 + H).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(db.field_report(id).await.unwrap().version, v);

    // An action sent from a phone with its key, whose answer was lost, sent again: done once.
    let keyed = |version: i64| {
        let (db, cal, w) = (db.clone(), cal.clone(), w.clone());
        async move {
            db.field_act(
                id,
                version,
                &FieldAction::Acknowledge,
                &w,
                &cal,
                T0 + H,
                Some("k-ack-1"),
            )
            .await
        }
    };
    assert_eq!(keyed(v).await.unwrap(), Ok(FieldState::Handling));
    assert_eq!(
        keyed(v).await.unwrap(),
        Ok(FieldState::Handling),
        "a retry is answered"
    );
    assert_eq!(
        db.field_report(id).await.unwrap().version,
        v + 1,
        "and changes nothing"
    );
    assert_eq!(
        db.field_events(id).await.unwrap().len(),
        2,
        "filed + acknowledged"
    );
    // A refused keyed action leaves its key unclaimed: it may be tried again.
    assert!(matches!(
        db.field_act(
            id,
            v,
            &FieldAction::Acknowledge,
            &w,
            &cal,
            T0 + H,
            Some("k-ack-2")
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    let v = version(db.clone()).await;
    assert!(db
        .field_act(
            id,
            v,
            &FieldAction::Acknowledge,
            &w,
            &cal,
            T0 + H,
            Some("k-ack-2")
        )
        .await
        .unwrap()
        .is_err());

    // The grid worker's acknowledgement above was the first step.
    let steps = [
        (
            FieldAction::PassUp {
                reason: "需物业配合".into(),
            },
            w.clone(),
            T0 + 2 * H,
            FieldState::Waiting,
        ),
        (
            FieldAction::PassUp {
                reason: "物业拒不整改".into(),
            },
            c.clone(),
            T0 + 30 * H,
            FieldState::Waiting,
        ),
        (
            FieldAction::Whistle {
                lead: housing,
                co: vec![sanitation],
            },
            s.clone(),
            T0 + 50 * H,
            FieldState::Whistled,
        ),
        (
            FieldAction::Acknowledge,
            co.clone(),
            T0 + 51 * H,
            FieldState::Whistled,
        ),
        (
            FieldAction::Acknowledge,
            lead.clone(),
            T0 + 80 * H,
            FieldState::Handling,
        ),
        (
            FieldAction::Resolve {
                note: "已清理并加装门禁".into(),
            },
            lead.clone(),
            T0 + 90 * H,
            FieldState::Resolved,
        ),
        (
            FieldAction::Close,
            s.clone(),
            T0 + 91 * H,
            FieldState::Closed,
        ),
        (
            FieldAction::Rate {
                satisfaction: Satisfaction::Satisfied,
            },
            standing(resident, &[], None),
            T0 + 100 * H,
            FieldState::Closed,
        ),
    ];
    for (n, (action, who, now, state)) in steps.into_iter().enumerate() {
        let v = v + n as i64;
        let name = action.name();
        assert_eq!(act(v, action, who, now).await.unwrap(), Ok(state), "{name}");
    }
    let r = db.field_report(id).await.unwrap();
    assert_eq!(
        (r.level.as_str(), r.satisfaction.as_deref()),
        ("department", Some("satisfied"))
    );
    assert_eq!(r.closed_at, Some(T0 + 91 * H));
    let steps = db.field_steps(id).await.unwrap();
    let levels: Vec<&str> = steps.iter().map(|s| s.level.as_str()).collect();
    assert_eq!(levels, ["grid", "community", "street", "department"]);
    assert_eq!(steps[0].acknowledged_at, Some(T0 + H));
    assert_eq!(
        steps[1].acknowledged_at,
        Some(T0 + 30 * H),
        "passing on answers the step"
    );
    assert_eq!(
        steps[3].acknowledged_at,
        Some(T0 + 80 * H),
        "the lead's report, late"
    );
    assert!(steps[3].acknowledged_at.unwrap() > steps[3].acknowledge_by);
    assert_eq!(steps[3].resolved_at, Some(T0 + 90 * H));
    let events = db.field_events(id).await.unwrap();
    let names: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        names,
        [
            "report",
            "acknowledge",
            "pass-up",
            "pass-up",
            "whistle",
            "acknowledge",
            "acknowledge",
            "resolve",
            "close",
            "rate"
        ]
    );
    assert_eq!(events[2].detail, "需物业配合");
    assert_eq!(events[2].actor_id, Some(worker));
}

async fn the_clock_passes_up_what_nobody_acknowledged_in_time(db: Db) {
    let cal = WorkCalendar::default();
    let cat = db
        .put_field_category("环境卫生", Limits::ORDINARY, 1)
        .await
        .unwrap();
    let resident = account(&db, "resident2").await;
    let (late, _) = db
        .file_field_report(&report("k-late", cat, resident), &cal, T0)
        .await
        .unwrap();
    let mut fresh = report("k-fresh", cat, resident);
    fresh.made_at = T0 + 20 * H;
    let (fresh, _) = db
        .file_field_report(&fresh, &cal, T0 + 20 * H)
        .await
        .unwrap();
    assert_eq!(db.escalate_overdue(&cal, T0 + 23 * H).await.unwrap(), 0);
    // Two servers' clocks at once move it one level, not two.
    let (a, b) = tokio::join!(
        db.escalate_overdue(&cal, T0 + 25 * H),
        db.escalate_overdue(&cal, T0 + 25 * H)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(
        db.escalate_overdue(&cal, T0 + 26 * H).await.unwrap(),
        0,
        "once"
    );
    let r = db.field_report(late).await.unwrap();
    assert_eq!(
        (r.state.as_str(), r.level.as_str()),
        ("waiting", "community")
    );
    let events = db.field_events(late).await.unwrap();
    assert_eq!(events.last().unwrap().action, "auto-pass-up");
    assert_eq!(events.last().unwrap().actor_id, None);
    let steps = db.field_steps(late).await.unwrap();
    assert_eq!(
        steps[0].acknowledged_at, None,
        "missed, as the response rate counts it"
    );
    assert_eq!(steps[1].started_at, T0 + 25 * H);
    assert_eq!(db.field_report(fresh).await.unwrap().level, "grid");
    // A fix on the spot is recorded resolved, waiting for the community's check.
    let worker = account(&db, "worker2").await;
    let mut spot = report("k-spot", cat, worker);
    spot.fixed_on_spot = true;
    let (spot, _) = db.file_field_report(&spot, &cal, T0).await.unwrap();
    let r = db.field_report(spot).await.unwrap();
    assert_eq!(
        (r.state.as_str(), r.resolved_by),
        ("resolved", Some(worker))
    );
    assert_eq!(
        db.escalate_overdue(&cal, T0 + 100 * H).await.unwrap(),
        2,
        "the fresh one, and the late one again (to the street); not the fix on the spot"
    );
    assert_eq!(db.field_report(late).await.unwrap().level, "street");
}

/// The demo's year of reports is replayed through the rules (every action allowed, at its
/// time); loading it again adds nothing.
async fn the_demo_year_is_replayed_through_the_rules(db: Db) {
    let d = domain::demo::generate(domain::demo::Scale::Small, 20_791);
    db.load_demo(&d).await.unwrap();
    let reports = domain::demo_field::year(&d, T0, 300);
    let filed = db.load_demo_field(&reports, &d.departments).await.unwrap();
    assert_eq!(filed, reports.len());
    assert_eq!(
        db.load_demo_field(&reports, &d.departments).await.unwrap(),
        0
    );
    let whistled = reports
        .iter()
        .find(|r| r.acts.iter().any(|a| a.action.name() == "whistle"))
        .unwrap();
    let jiedao = db.user_by_name("jiedao").await.unwrap().unwrap();
    let all = db
        .field_reports_for(jiedao.id, Some("320113001"), None, 1000)
        .await
        .unwrap();
    assert_eq!(all.len(), reports.len());
    let stored = all
        .iter()
        .find(|r| r.made_at == whistled.made_at && r.description == whistled.description)
        .unwrap();
    let events = db.field_events(stored.id).await.unwrap();
    assert_eq!(
        events.len(),
        whistled.acts.len() + 1,
        "the report and each act"
    );
    let zhujian = db.user_by_name("zhujian").await.unwrap().unwrap();
    assert!(db.department_of(zhujian.id).await.unwrap().is_some());
}

both!(
    a_retry_files_nothing_twice_and_a_report_goes_all_the_way_up_and_back,
    the_clock_passes_up_what_nobody_acknowledged_in_time,
    the_demo_year_is_replayed_through_the_rules,
);
