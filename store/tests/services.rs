//! Service matching's claims on both engines: the race the issue names (200 simultaneous claims
//! on a need for 20 people never exceed 20) and a claim's life through the store.

mod common;

use domain::service::claims::{ClaimAction, ClaimState};
use domain::service::{Actor, ServiceError};
use store::services::NewListing;
use store::Db;

const TODAY: &str = "2026-12-05";

async fn need(db: &Db, amount: i64, deadline: Option<&str>) -> i64 {
    db.load_demo(&domain::demo::generate(domain::demo::Scale::Small, 20_779))
        .await
        .unwrap();
    let unit = db
        .org_units()
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.level == "committee")
        .unwrap();
    db.create_listing(
        &NewListing {
            kind: "need".into(),
            unit_id: unit.id,
            title: "敬老院助餐志愿者".into(),
            description: String::new(),
            category: "elderly".into(),
            amount,
            measure: "people".into(),
            deadline: deadline.map(str::to_owned),
        },
        "shuji",
        1,
    )
    .await
    .unwrap()
}

async fn two_hundred_claims_on_a_need_for_twenty_take_exactly_twenty(db: Db) {
    let id = need(&db, 20, None).await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.claim(id, &format!("member{i:03}"), 1, false, "x", TODAY, 2)
                .await
                .unwrap()
        }));
    }
    let mut ok = 0;
    let mut full = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(ServiceError::OverFilled { left: 0 }) => full += 1,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!((ok, full), (20, 180));
    let claims = db.claims(id).await.unwrap();
    assert_eq!(claims.len(), 20);
    assert!(claims.iter().all(|c| c.state == "claimed"));
}

async fn a_claim_lives_through_the_store_and_a_withdrawal_frees_its_part(db: Db) {
    let id = need(&db, 3, Some("2026-12-10")).await;
    let a = db
        .claim(id, "wang", 2, false, "wang", TODAY, 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.claim(id, "li", 2, false, "li", TODAY, 3).await.unwrap(),
        Err(ServiceError::OverFilled { left: 1 })
    );
    // The organiser dispatches the last place to zhao, who declines with a reason.
    let d = db
        .claim(id, "zhao", 1, true, "shuji", TODAY, 4)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.claim(id, "li", 1, false, "li", TODAY, 5).await.unwrap(),
        Err(ServiceError::OverFilled { left: 0 })
    );
    let decline = ClaimAction::Decline {
        reason: "那天值班".into(),
    };
    assert_eq!(
        db.claim_action(d, "li", Actor::Claimant, &decline, 6)
            .await
            .unwrap(),
        Err(ServiceError::NotYours),
        "only zhao answers zhao's dispatch"
    );
    assert_eq!(
        db.claim_action(d, "zhao", Actor::Claimant, &decline, 6)
            .await
            .unwrap(),
        Ok(ClaimState::Declined)
    );
    assert!(db
        .claim(id, "li", 1, false, "li", TODAY, 7)
        .await
        .unwrap()
        .is_ok());
    // wang does the work; the organiser sends it back once, then confirms.
    for action in [ClaimAction::Start, ClaimAction::Finish] {
        db.claim_action(a, "wang", Actor::Claimant, &action, 8)
            .await
            .unwrap()
            .unwrap();
    }
    let back = ClaimAction::SendBack {
        reason: "请补充服务照片".into(),
    };
    assert_eq!(
        db.claim_action(a, "shuji", Actor::Organiser, &back, 9)
            .await
            .unwrap(),
        Ok(ClaimState::InProgress)
    );
    db.claim_action(a, "wang", Actor::Claimant, &ClaimAction::Finish, 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.claim_action(a, "shuji", Actor::Organiser, &ClaimAction::Confirm, 11)
            .await
            .unwrap(),
        Ok(ClaimState::Confirmed)
    );
    let claims = db.claims(id).await.unwrap();
    let states: Vec<&str> = claims.iter().map(|c| c.state.as_str()).collect();
    assert_eq!(states, vec!["confirmed", "declined", "claimed"]);
    assert_eq!(claims[1].reason, "那天值班");
    // After the deadline nobody claims.
    assert_eq!(
        db.claim(id, "sun", 1, false, "sun", "2026-12-11", 12)
            .await
            .unwrap(),
        Err(ServiceError::PastDeadline)
    );
}

both!(
    two_hundred_claims_on_a_need_for_twenty_take_exactly_twenty,
    a_claim_lives_through_the_store_and_a_withdrawal_frees_its_part,
);
