//! Service matching on both engines: the race the issue names (200 simultaneous claims on a need
//! for 20 people never exceed 20), a claim's life through the store, a wish's life, and hours that
//! add up — and stay, anonymised, when the member erases the account.

mod common;

use domain::service::claims::{ClaimAction, ClaimState};
use domain::service::listing::ListingDraft;
use domain::service::wish::{WishAction, WishState};
use domain::service::{Actor, ServiceError};
use domain::{Code, Role, Username};
use store::services::NewWish;
use store::Db;

const TODAY: &str = "2026-12-05";

/// The demo, `n` party members of the first community, and the committee's unit id.
async fn setup(db: &Db, n: usize) -> (i64, Vec<i64>) {
    db.load_demo(&domain::demo::generate(domain::demo::Scale::Small, 20_779))
        .await
        .unwrap();
    let unit = db.unit_for_scope("320113001001").await.unwrap().unwrap();
    assert_eq!(unit.1, "320113001001");
    let hash = store::password::hash(
        &domain::Password::parse("member password", "", domain::PasswordPolicy::Standard).unwrap(),
    )
    .await
    .unwrap();
    let scope = Code::parse("320113001001").unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let u = db
            .insert_user(
                &Username::parse(&format!("member{i:03}")).unwrap(),
                &format!("党员{i}"),
                &hash,
                Role::Resident,
                Some(&scope),
            )
            .await
            .unwrap();
        db.set_party_member(u.id, true).await.unwrap();
        ids.push(u.id);
    }
    (unit.0, ids)
}

async fn need(db: &Db, unit: i64, amount: i64, deadline: &str) -> i64 {
    let d = ListingDraft::parse(
        "need",
        "敬老院助餐志愿者",
        "",
        "elderly",
        amount,
        "people",
        deadline,
        TODAY,
    )
    .unwrap();
    db.create_listing(unit, &d, None, None, "shuji", 1)
        .await
        .unwrap()
}

async fn two_hundred_claims_on_a_need_for_twenty_take_exactly_twenty(db: Db) {
    let (unit, members) = setup(&db, 200).await;
    let id = need(&db, unit, 20, "").await;
    let mut tasks = Vec::new();
    for m in members {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.claim(id, m, 1, false, "x", TODAY, 2, None)
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
    assert_eq!(db.listing(id).await.unwrap().held, 20);
}

async fn a_claim_lives_through_the_store_and_hours_add_up(db: Db) {
    let (unit, m) = setup(&db, 4).await;
    let (wang, li, zhao, sun) = (m[0], m[1], m[2], m[3]);
    let id = need(&db, unit, 3, "2026-12-10").await;
    let act = |claim, who, actor, action: ClaimAction| {
        let db = db.clone();
        async move {
            db.claim_action(claim, who, actor, &action, 150, "shuji", TODAY, 9)
                .await
                .unwrap()
        }
    };
    let a = db
        .claim(id, wang, 2, false, "wang", TODAY, 2, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.claim(id, li, 2, false, "li", TODAY, 3, None)
            .await
            .unwrap(),
        Err(ServiceError::OverFilled { left: 1 })
    );
    // The organiser dispatches the last place to zhao, who declines with a reason.
    let d = db
        .claim(id, zhao, 1, true, "shuji", TODAY, 4, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        db.claim(id, li, 1, false, "li", TODAY, 5, None)
            .await
            .unwrap(),
        Err(ServiceError::OverFilled { left: 0 })
    );
    let decline = ClaimAction::Decline {
        reason: "那天值班".into(),
    };
    assert_eq!(
        act(d, li, Actor::Claimant, decline.clone()).await,
        Err(ServiceError::NotYours),
        "only zhao answers zhao's dispatch"
    );
    assert_eq!(
        act(d, zhao, Actor::Claimant, decline).await,
        Ok(ClaimState::Declined)
    );
    assert!(db
        .claim(id, li, 1, false, "li", TODAY, 7, None)
        .await
        .unwrap()
        .is_ok());
    // wang does the work; the organiser sends it back once, then confirms: 150 minutes credited.
    for action in [ClaimAction::Start, ClaimAction::Finish] {
        act(a, wang, Actor::Claimant, action).await.unwrap();
    }
    let back = ClaimAction::SendBack {
        reason: "请补充服务照片".into(),
    };
    assert_eq!(
        act(a, 1, Actor::Organiser, back).await,
        Ok(ClaimState::InProgress)
    );
    assert!(
        db.hours_of(wang).await.unwrap().is_empty(),
        "nothing before confirmation"
    );
    act(a, wang, Actor::Claimant, ClaimAction::Finish)
        .await
        .unwrap();
    assert_eq!(
        act(a, 1, Actor::Organiser, ClaimAction::Confirm).await,
        Ok(ClaimState::Confirmed)
    );
    assert_eq!(
        act(a, 1, Actor::Organiser, ClaimAction::Confirm).await,
        Err(ServiceError::State),
        "confirmed once, credited once"
    );
    let claims = db.claims(id).await.unwrap();
    let states: Vec<&str> = claims.iter().map(|c| c.state.as_str()).collect();
    assert_eq!(states, vec!["confirmed", "declined", "claimed"]);
    assert_eq!(claims[1].reason, "那天值班");
    assert_eq!(claims[0].claimant_name, "党员0");
    let hours = db.hours_of(wang).await.unwrap();
    assert_eq!(hours.len(), 1);
    assert_eq!((hours[0].minutes, hours[0].source.as_str()), (150, "claim"));
    assert_eq!(hours[0].what, "敬老院助餐志愿者");
    // After the deadline nobody claims; a resource is never claimed.
    assert_eq!(
        db.claim(id, sun, 1, false, "sun", "2026-12-11", 12, None)
            .await
            .unwrap(),
        Err(ServiceError::PastDeadline)
    );
    let r =
        ListingDraft::parse("resource", "法律咨询", "", "legal", 10, "hours", "", TODAY).unwrap();
    let r = db
        .create_listing(unit, &r, None, None, "shuji", 1)
        .await
        .unwrap();
    assert_eq!(
        db.claim(r, sun, 1, false, "sun", TODAY, 12, None)
            .await
            .unwrap(),
        Err(ServiceError::Closed)
    );
    // Closing at a stale version is a conflict; closed needs take no claims.
    let v = db.listing(id).await.unwrap().version;
    db.set_listing_status(id, v, "closed").await.unwrap();
    assert!(matches!(
        db.set_listing_status(id, v, "open").await,
        Err(store::StoreError::Conflict(_))
    ));
    assert_eq!(
        db.claim(id, sun, 1, false, "sun", TODAY, 13, None)
            .await
            .unwrap(),
        Err(ServiceError::Closed)
    );
}

async fn a_wish_is_verified_claimed_fulfilled_and_confirmed_and_hours_outlive_the_account(db: Db) {
    let (unit, m) = setup(&db, 3).await;
    let (owner, member, other) = (m[0], m[1], m[2]);
    let id = db
        .post_wish(
            &NewWish {
                unit_id: unit,
                owner_id: Some(owner),
                beneficiary: String::new(),
                title: "想要一副老花镜".into(),
                description: "300度".into(),
                category: "elderly".into(),
                grid_id: None,
            },
            "member000",
            1,
        )
        .await
        .unwrap();
    let step = |who: i64, actor: Actor, action: WishAction, note: &'static str, minutes: i64| {
        let db = db.clone();
        async move {
            let v = db.wish(id).await.unwrap().version;
            db.wish_action(
                id, v, who, actor, &action, note, minutes, "x", TODAY, 5, None,
            )
            .await
            .unwrap()
        }
    };
    assert_eq!(
        step(member, Actor::Claimant, WishAction::Claim, "", 0).await,
        Err(ServiceError::State),
        "not on the wall before it is verified"
    );
    step(1, Actor::Organiser, WishAction::Verify, "", 0)
        .await
        .unwrap();
    step(member, Actor::Claimant, WishAction::Claim, "", 0)
        .await
        .unwrap();
    assert_eq!(
        step(other, Actor::Claimant, WishAction::Fulfil, "送到了", 60).await,
        Err(ServiceError::NotYours)
    );
    step(
        member,
        Actor::Claimant,
        WishAction::Fulfil,
        "已送到家中",
        90,
    )
    .await
    .unwrap();
    assert_eq!(
        step(other, Actor::Owner, WishAction::Confirm, "", 0).await,
        Err(ServiceError::NotYours),
        "only the wish's owner confirms"
    );
    assert_eq!(
        step(owner, Actor::Owner, WishAction::Confirm, "", 0).await,
        Ok(WishState::Confirmed)
    );
    let w = db.wish(id).await.unwrap();
    assert_eq!(
        (w.note.as_str(), w.minutes, w.state.as_str()),
        ("已送到家中", 90, "confirmed")
    );
    // A stale version is a conflict, never a silent overwrite.
    assert!(matches!(
        db.wish_action(
            id,
            1,
            owner,
            Actor::Owner,
            &WishAction::Withdraw,
            "",
            0,
            "x",
            TODAY,
            6,
            None
        )
        .await,
        Err(store::StoreError::Conflict(_))
    ));
    // The member's hours: the wish; erasing the account keeps the record, anonymised.
    let of_member = |db: Db| async move {
        let all = db
            .hours_in("320113001001", "2026-01-01", "2027-01-01")
            .await
            .unwrap();
        all.into_iter()
            .filter(|h| h.user_id == member)
            .collect::<Vec<_>>()
    };
    let hours = of_member(db.clone()).await;
    assert_eq!(hours.len(), 1);
    assert_eq!((hours[0].user_id, hours[0].minutes), (member, 90));
    assert_eq!(hours[0].person, "党员1");
    db.erase_account(member, "2026-12-05T10:00").await.unwrap();
    let hours = of_member(db.clone()).await;
    assert_eq!(hours.len(), 1);
    assert_eq!(
        (hours[0].person.as_str(), hours[0].minutes),
        (store::personal::ERASED_NAME, 90)
    );
    assert_eq!(
        db.wish(id).await.unwrap().claimant_name.as_deref(),
        Some(store::personal::ERASED_NAME)
    );
}

async fn members_and_units_report_in_and_the_unit_sees_its_own_members(db: Db) {
    use domain::service::report::{ReportAction, ReportDraft, ReportState};
    let (unit, m) = setup(&db, 3).await;
    let (contact, member, other) = (m[0], m[1], m[2]);
    let hospital = ReportDraft::parse(
        "unit",
        "区人民医院党总支",
        "区人民医院",
        "王主任",
        "13812345678",
        "每季度义诊一次",
        false,
    )
    .unwrap();
    let h = db
        .report_in(unit, contact, &hospital, None, None, "member000", 1)
        .await
        .unwrap();
    assert!(matches!(
        db.report_in(unit, contact, &hospital, None, None, "member000", 1)
            .await,
        Err(store::StoreError::Duplicate)
    ));
    let me = ReportDraft::parse("member", "区人民医院党总支", "", "", "", "", true).unwrap();
    assert!(
        matches!(
            db.report_in(unit, member, &me, None, Some(h), "member001", 2)
                .await,
            Err(store::StoreError::Invalid(_))
        ),
        "a unit is named only once it is accepted"
    );
    let resources = |db: Db| async move {
        db.listings("320113001001", "", "resource", "", "", 100)
            .await
            .unwrap()
            .len()
    };
    let before = resources(db.clone()).await;
    let v = db.report(h).await.unwrap().version;
    assert_eq!(
        db.report_action(h, v, Actor::Organiser, &ReportAction::Accept, "shuji", 3)
            .await
            .unwrap(),
        Ok(ReportState::Accepted)
    );
    assert_eq!(
        resources(db.clone()).await,
        before + 1,
        "the unit's offer is listed"
    );
    let r = db
        .report_in(
            unit,
            member,
            &me,
            Some("32011300100101"),
            Some(h),
            "member001",
            4,
        )
        .await
        .unwrap();
    let o = db
        .report_in(unit, other, &me, None, None, "member002", 4)
        .await
        .unwrap();
    let v = db.report(r).await.unwrap().version;
    db.report_action(r, v, Actor::Organiser, &ReportAction::Accept, "shuji", 5)
        .await
        .unwrap()
        .unwrap();
    let decline = ReportAction::Decline {
        reason: "不在本社区居住".into(),
    };
    let v = db.report(o).await.unwrap().version;
    assert!(matches!(
        db.report_action(o, v + 1, Actor::Organiser, &decline, "shuji", 6)
            .await,
        Err(store::StoreError::Conflict(_))
    ));
    db.report_action(o, v, Actor::Organiser, &decline, "shuji", 6)
        .await
        .unwrap()
        .unwrap();
    let roster = db
        .reports("320113001001", &[ReportState::Accepted])
        .await
        .unwrap();
    let ours: Vec<_> = roster
        .iter()
        .filter(|x| [h, r, o].contains(&x.id))
        .collect();
    assert_eq!(
        ours.len(),
        2,
        "the hospital and the member; not the declined one"
    );
    let mine = ours.iter().find(|x| x.id == r).unwrap();
    assert_eq!(mine.member_of_name.as_deref(), Some("区人民医院党总支"));
    // The hospital's contact sees its member and what they served in the community; not `other`.
    let wish = db
        .post_wish(
            &NewWish {
                unit_id: unit,
                owner_id: None,
                beneficiary: "李奶奶".into(),
                title: "量血压".into(),
                description: String::new(),
                category: "health".into(),
                grid_id: None,
            },
            "shuji",
            7,
        )
        .await
        .unwrap();
    for (who, actor, action, minutes) in [
        (1, Actor::Organiser, WishAction::Verify, 0),
        (member, Actor::Claimant, WishAction::Claim, 0),
        (member, Actor::Claimant, WishAction::Fulfil, 40),
        (1, Actor::Organiser, WishAction::Confirm, 0),
    ] {
        let v = db.wish(wish).await.unwrap().version;
        db.wish_action(
            wish, v, who, actor, &action, "", minutes, "shuji", TODAY, 8, None,
        )
        .await
        .unwrap()
        .unwrap();
    }
    assert_eq!(
        db.unit_members(h, "2026-01-01", "2027-01-01")
            .await
            .unwrap(),
        vec![("党员1".to_owned(), 40)]
    );
    // Erasing the member withdraws the report.
    db.erase_account(member, "2026-12-05T10:00").await.unwrap();
    assert_eq!(db.report(r).await.unwrap().state, "withdrawn");
    assert!(db
        .unit_members(h, "2026-01-01", "2027-01-01")
        .await
        .unwrap()
        .is_empty());
}

both!(
    members_and_units_report_in_and_the_unit_sees_its_own_members,
    two_hundred_claims_on_a_need_for_twenty_take_exactly_twenty,
    a_claim_lives_through_the_store_and_hours_add_up,
    a_wish_is_verified_claimed_fulfilled_and_confirmed_and_hours_outlive_the_account,
);
