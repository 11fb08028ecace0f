//! RSVP, waitlist and check-in on both engines, including the races the issue names:
//! 200 simultaneous RSVPs for 50 places, and 10 simultaneous cancellations.

mod common;

use domain::event::{EventDraft, LocalDateTime, RawEvent};
use domain::rsvp::RsvpStatus;
use domain::{Code, Role, Username};
use store::rsvp::CheckIn;
use store::{Db, StoreError};

fn t(s: &str) -> LocalDateTime {
    LocalDateTime::parse(s).unwrap()
}

const NOW: &str = "2026-11-22T10:00";
const DAY: &str = "2026-12-15T09:00";

async fn setup(db: &Db, capacity: i64, guests: i64, users: usize) -> (i64, Vec<i64>) {
    db.load_demo(&domain::demo::generate(domain::demo::Scale::Small, 20_779))
        .await
        .unwrap();
    let draft = EventDraft::parse(RawEvent {
        title: "集中服务日",
        description: "",
        category: "service-day",
        location: "党群服务中心",
        starts_at: "2026-11-25T09:00",
        ends_at: "2026-11-25T11:30",
        rrule: "FREQ=MONTHLY;BYMONTHDAY=15,25",
        capacity,
        guests_allowed: guests,
        rsvp_deadline_minutes: 60,
        visibility: "public",
    })
    .unwrap();
    let event = db.create_event("320113001", &draft).await.unwrap();
    let hash = store::password::hash(
        &domain::Password::parse("resident password", "", domain::PasswordPolicy::Standard)
            .unwrap(),
    )
    .await
    .unwrap();
    let scope = Code::parse("320113001001").unwrap();
    let mut ids = Vec::new();
    for i in 0..users {
        let u = db
            .insert_user(
                &Username::parse(&format!("res{i:03}")).unwrap(),
                "居民",
                &hash,
                Role::Resident,
                Some(&scope),
            )
            .await
            .unwrap();
        ids.push(u.id);
    }
    (event, ids)
}

async fn statuses(db: &Db, event: i64) -> (Vec<i64>, Vec<i64>) {
    let all = db.attendees(event, &t(DAY)).await.unwrap();
    let going = all
        .iter()
        .filter(|a| a.status == "going")
        .map(|a| a.seq)
        .collect();
    let waiting = all
        .iter()
        .filter(|a| a.status == "waitlisted")
        .map(|a| a.seq)
        .collect();
    (going, waiting)
}

both!(
    check_finds_broken_seat_counts,
    erasing_an_account_frees_upcoming_places_and_keeps_the_past,
    places_then_waitlist_then_promotion,
    guests_take_places_and_nobody_jumps_the_line,
    refusals_change_nothing,
    check_in_works_once,
    two_hundred_at_once_for_fifty_places,
    ten_cancellations_at_once_promote_ten,
);

async fn places_then_waitlist_then_promotion(db: Db) {
    let (ev, u) = setup(&db, 2, 0, 4).await;
    let now = t(NOW);
    let r: Vec<_> = [
        db.rsvp(ev, &t(DAY), u[0], true, 0, &now).await.unwrap(),
        db.rsvp(ev, &t(DAY), u[1], true, 0, &now).await.unwrap(),
        db.rsvp(ev, &t(DAY), u[2], true, 0, &now).await.unwrap(),
        db.rsvp(ev, &t(DAY), u[3], true, 0, &now).await.unwrap(),
    ]
    .into();
    assert_eq!(
        r.iter().map(|o| o.status).collect::<Vec<_>>(),
        [
            RsvpStatus::Going,
            RsvpStatus::Going,
            RsvpStatus::Waitlisted,
            RsvpStatus::Waitlisted
        ]
    );
    assert_eq!((r[2].position, r[3].position), (Some(1), Some(2)));
    assert_eq!(r[0].checkin_code.len(), 32);
    assert_ne!(r[0].checkin_code, r[1].checkin_code);
    // Answering again changes nothing and keeps the place in line.
    let again = db.rsvp(ev, &t(DAY), u[3], true, 0, &now).await.unwrap();
    assert_eq!(
        (again.status, again.position),
        (RsvpStatus::Waitlisted, Some(2))
    );
    // A cancellation promotes the head of the line in the same transaction.
    let gone = db.rsvp(ev, &t(DAY), u[0], false, 0, &now).await.unwrap();
    assert_eq!(gone.status, RsvpStatus::NotGoing);
    let promoted = db.my_rsvp(ev, &t(DAY), u[2]).await.unwrap().unwrap();
    assert_eq!(
        promoted.status,
        RsvpStatus::Going,
        "the promoted resident sees it"
    );
    assert_eq!(
        db.my_rsvp(ev, &t(DAY), u[3])
            .await
            .unwrap()
            .unwrap()
            .position,
        Some(1)
    );
    // Coming back joins the end of the line.
    let back = db.rsvp(ev, &t(DAY), u[0], true, 0, &now).await.unwrap();
    assert_eq!(
        (back.status, back.position),
        (RsvpStatus::Waitlisted, Some(2))
    );
    let occ = db
        .occurrences(
            &db.event(ev).await.unwrap(),
            &t("2026-12-15T00:00"),
            &t("2026-12-16T00:00"),
        )
        .await
        .unwrap();
    assert_eq!((occ[0].taken, occ[0].capacity), (2, 2));
    // Other occurrences of the series are untouched.
    let next = db
        .occurrences(
            &db.event(ev).await.unwrap(),
            &t("2026-12-25T00:00"),
            &t("2026-12-26T00:00"),
        )
        .await
        .unwrap();
    assert_eq!(next[0].taken, 0);
}

async fn guests_take_places_and_nobody_jumps_the_line(db: Db) {
    let (ev, u) = setup(&db, 3, 2, 4).await;
    let now = t(NOW);
    assert_eq!(
        db.rsvp(ev, &t(DAY), u[0], true, 1, &now)
            .await
            .unwrap()
            .status,
        RsvpStatus::Going
    );
    let big = db.rsvp(ev, &t(DAY), u[1], true, 2, &now).await.unwrap();
    assert_eq!(
        big.status,
        RsvpStatus::Waitlisted,
        "three places asked, one free"
    );
    let small = db.rsvp(ev, &t(DAY), u[2], true, 0, &now).await.unwrap();
    assert_eq!(
        small.status,
        RsvpStatus::Waitlisted,
        "no jumping a line that has people in it"
    );
    assert!(
        matches!(db.rsvp(ev, &t(DAY), u[3], true, 3, &now).await, Err(StoreError::Invalid(k)) if k == "err.rsvp_guests")
    );
    // u0 brings one guest fewer: one more place, still not enough for the party of three.
    assert_eq!(
        db.rsvp(ev, &t(DAY), u[0], true, 0, &now)
            .await
            .unwrap()
            .seats,
        1
    );
    assert_eq!(
        db.my_rsvp(ev, &t(DAY), u[1]).await.unwrap().unwrap().status,
        RsvpStatus::Waitlisted
    );
    // u0 leaves: three places free; the party of three moves up, then the line is empty of fits.
    db.rsvp(ev, &t(DAY), u[0], false, 0, &now).await.unwrap();
    assert_eq!(
        db.my_rsvp(ev, &t(DAY), u[1]).await.unwrap().unwrap().status,
        RsvpStatus::Going
    );
    assert_eq!(
        db.my_rsvp(ev, &t(DAY), u[2])
            .await
            .unwrap()
            .unwrap()
            .position,
        Some(1)
    );
    // u1 brings one guest fewer: the freed place goes to u2, next in line.
    db.rsvp(ev, &t(DAY), u[1], true, 1, &now).await.unwrap();
    assert_eq!(
        db.my_rsvp(ev, &t(DAY), u[2]).await.unwrap().unwrap().status,
        RsvpStatus::Going
    );
    // Asking for more places than are free while going is refused; the old answer stays.
    assert!(
        matches!(db.rsvp(ev, &t(DAY), u[1], true, 2, &now).await, Err(StoreError::Invalid(k)) if k == "err.rsvp_no_room_for_guests")
    );
    let mine = db.my_rsvp(ev, &t(DAY), u[1]).await.unwrap().unwrap();
    assert_eq!((mine.status, mine.seats), (RsvpStatus::Going, 2));
}

async fn refusals_change_nothing(db: Db) {
    let (ev, u) = setup(&db, 5, 0, 1).await;
    let now = t(NOW);
    let e = |r: Result<_, StoreError>| match r {
        Err(StoreError::Invalid(k)) => k,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(
        e(db.rsvp(ev, &t("2026-12-16T09:00"), u[0], true, 0, &now)
            .await),
        "err.rsvp_not_occurrence"
    );
    assert_eq!(
        e(db.rsvp(ev, &t("2026-12-15T10:00"), u[0], true, 0, &now)
            .await),
        "err.rsvp_not_occurrence"
    );
    assert_eq!(
        e(db.rsvp(ev, &t(DAY), u[0], true, 0, &t("2026-12-15T08:30"))
            .await),
        "err.rsvp_closed",
        "deadline is 60 minutes before"
    );
    assert!(matches!(
        db.rsvp(999_999, &t(DAY), u[0], true, 0, &now).await,
        Err(StoreError::NotFound)
    ));
    assert!(db.attendees(ev, &t(DAY)).await.unwrap().is_empty());
    let bad = EventDraft::parse(RawEvent {
        title: "x",
        description: "",
        category: "other",
        location: "",
        starts_at: "2026-12-01T09:00",
        ends_at: "2026-12-01T10:00",
        rrule: "FREQ=SECONDLY",
        capacity: 5,
        guests_allowed: 0,
        rsvp_deadline_minutes: 0,
        visibility: "public",
    })
    .unwrap();
    let before = db.count_events().await.unwrap();
    assert!(
        matches!(db.create_event("320113001", &bad).await, Err(StoreError::Invalid(k)) if k == "err.rrule_frequency")
    );
    assert_eq!(db.count_events().await.unwrap(), before);
}

async fn check_in_works_once(db: Db) {
    let (ev, u) = setup(&db, 1, 0, 2).await;
    let now = t(NOW);
    let going = db.rsvp(ev, &t(DAY), u[0], true, 0, &now).await.unwrap();
    let waiting = db.rsvp(ev, &t(DAY), u[1], true, 0, &now).await.unwrap();
    assert!(matches!(
        db.check_in(ev, &t(DAY), &going.checkin_code, "shuji")
            .await
            .unwrap(),
        CheckIn::Done { seats: 1, .. }
    ));
    assert!(matches!(
        db.check_in(ev, &t(DAY), &going.checkin_code.to_uppercase(), "shuji")
            .await
            .unwrap(),
        CheckIn::AlreadyCheckedIn { .. }
    ));
    assert_eq!(
        db.check_in(ev, &t(DAY), &waiting.checkin_code, "shuji")
            .await
            .unwrap(),
        CheckIn::NotGoing
    );
    assert_eq!(
        db.check_in(ev, &t(DAY), "0123456789abcdef0123456789abcdef", "shuji")
            .await
            .unwrap(),
        CheckIn::Unknown
    );
    assert_eq!(
        db.check_in(ev, &t(DAY), "' OR 1=1 --", "shuji")
            .await
            .unwrap(),
        CheckIn::Unknown
    );
    assert_eq!(
        db.check_in(ev, &t("2026-12-25T09:00"), &going.checkin_code, "shuji")
            .await
            .unwrap(),
        CheckIn::Unknown,
        "codes belong to one occurrence"
    );
    let list = db.attendees(ev, &t(DAY)).await.unwrap();
    assert!(list[0].checked_in_at.is_some() && list[1].checked_in_at.is_none());
    // A service day's check-in is service hours: the event's length, once, confirmed by the scanner.
    let hours = db.hours_of(u[0]).await.unwrap();
    assert_eq!(hours.len(), 1, "{hours:?}");
    assert_eq!(
        (
            hours[0].minutes,
            hours[0].served_on.as_str(),
            hours[0].source.as_str()
        ),
        (150, "2026-12-15", "check-in")
    );
    assert_eq!(hours[0].confirmed_by, "shuji");
    assert!(db.hours_of(u[1]).await.unwrap().is_empty());
}

async fn two_hundred_at_once_for_fifty_places(db: Db) {
    let (ev, users) = setup(&db, 50, 0, 200).await;
    let mut tasks = Vec::new();
    for id in users {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.rsvp(ev, &t(DAY), id, true, 0, &t(NOW)).await
        }));
    }
    let mut going = 0;
    for task in tasks {
        if task.await.unwrap().unwrap().status == RsvpStatus::Going {
            going += 1;
        }
    }
    assert_eq!(going, 50);
    let (g, w) = statuses(&db, ev).await;
    assert_eq!(
        g,
        (1..=50).collect::<Vec<_>>(),
        "the first fifty arrivals hold the places"
    );
    assert_eq!(
        w,
        (51..=200).collect::<Vec<_>>(),
        "the other 150 wait in arrival order"
    );
    let occ = db
        .occurrences(
            &db.event(ev).await.unwrap(),
            &t(DAY),
            &t("2026-12-15T09:01"),
        )
        .await
        .unwrap();
    assert_eq!(occ[0].taken, 50);
}

async fn ten_cancellations_at_once_promote_ten(db: Db) {
    let (ev, users) = setup(&db, 50, 0, 80).await;
    for id in &users {
        db.rsvp(ev, &t(DAY), *id, true, 0, &t(NOW)).await.unwrap();
    }
    let mut tasks = Vec::new();
    for id in users[..10].to_vec() {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            db.rsvp(ev, &t(DAY), id, false, 0, &t(NOW)).await
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().status, RsvpStatus::NotGoing);
    }
    let (g, w) = statuses(&db, ev).await;
    assert_eq!(
        g,
        (11..=60).collect::<Vec<_>>(),
        "exactly the next ten in line were promoted"
    );
    assert_eq!(w, (61..=80).collect::<Vec<_>>());
    for (i, id) in users[50..60].iter().enumerate() {
        assert_eq!(
            db.my_rsvp(ev, &t(DAY), *id).await.unwrap().unwrap().status,
            RsvpStatus::Going,
            "promoted #{i}"
        );
    }
}

mod editing {
    use super::*;

    fn draft(start: &str, end: &str, rule: &str, capacity: i64) -> EventDraft {
        EventDraft::parse(RawEvent {
            title: "集中服务日（调整）",
            description: "",
            category: "service-day",
            location: "新址",
            starts_at: start,
            ends_at: end,
            rrule: rule,
            capacity,
            guests_allowed: 0,
            rsvp_deadline_minutes: 60,
            visibility: "public",
        })
        .unwrap()
    }

    both!(
        series_edits_check_the_version_and_carry_answers,
        this_and_following_splits_the_series,
        one_occurrence_moves_with_its_answers
    );

    async fn one_occurrence_moves_with_its_answers(db: Db) {
        let (ev, u) = setup(&db, 5, 0, 1).await;
        db.rsvp(ev, &t(DAY), u[0], true, 0, &t(NOW)).await.unwrap();
        let v = db.event(ev).await.unwrap().version;
        // 15 December moves to 2 January: out of December's window, into January's.
        db.move_occurrence(
            ev,
            v,
            &t(DAY),
            &t("2027-01-02T10:00"),
            &t("2027-01-02T12:00"),
        )
        .await
        .unwrap();
        let e = db.event(ev).await.unwrap();
        let dec: Vec<_> = db
            .occurrences(&e, &t("2026-12-01T00:00"), &t("2027-01-01T00:00"))
            .await
            .unwrap();
        assert_eq!(
            dec.iter().map(|o| o.starts_at.as_str()).collect::<Vec<_>>(),
            ["2026-12-25T09:00"]
        );
        let jan = db
            .occurrences(&e, &t("2027-01-01T00:00"), &t("2027-02-01T00:00"))
            .await
            .unwrap();
        assert_eq!(jan[0].starts_at.as_str(), "2027-01-02T10:00");
        assert_eq!(
            (jan[0].recurrence_id.as_str(), jan[0].moved, jan[0].taken),
            (DAY, true, 1),
            "the answer moved with it"
        );
        assert_eq!(
            db.my_rsvp(ev, &t(DAY), u[0]).await.unwrap().unwrap().status,
            RsvpStatus::Going
        );
        // Stale and nonsensical moves are refused.
        assert!(matches!(
            db.move_occurrence(
                ev,
                v,
                &t(DAY),
                &t("2027-01-03T10:00"),
                &t("2027-01-03T12:00")
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            db.move_occurrence(
                ev,
                v + 1,
                &t(DAY),
                &t("2027-01-03T10:00"),
                &t("2027-01-03T09:00")
            )
            .await,
            Err(StoreError::Invalid(_))
        ));
        // Moving it back where the series puts it clears the move.
        db.move_occurrence(ev, v + 1, &t(DAY), &t(DAY), &t("2026-12-15T11:30"))
            .await
            .unwrap();
        let o = db
            .occurrence_at(&db.event(ev).await.unwrap(), &t(DAY))
            .await
            .unwrap()
            .unwrap();
        assert!(!o.moved);
        assert_eq!(
            db.changed_occurrences(&db.event(ev).await.unwrap())
                .await
                .unwrap()
                .len(),
            0
        );
    }

    async fn series_edits_check_the_version_and_carry_answers(db: Db) {
        let (ev, u) = setup(&db, 2, 0, 3).await;
        for id in &u {
            db.rsvp(ev, &t(DAY), *id, true, 0, &t(NOW)).await.unwrap();
        }
        let v = db.event(ev).await.unwrap().version;
        // Half an hour later, one more place: answers follow, the waitlist moves up.
        db.update_event(
            ev,
            v,
            &draft(
                "2026-11-25T09:30",
                "2026-11-25T12:00",
                "FREQ=MONTHLY;BYMONTHDAY=15,25",
                3,
            ),
        )
        .await
        .unwrap();
        let moved = t("2026-12-15T09:30");
        let list = db.attendees(ev, &moved).await.unwrap();
        assert_eq!(
            list.iter().filter(|a| a.status == "going").count(),
            3,
            "the waitlisted resident got the new place"
        );
        assert!(db.attendees(ev, &t(DAY)).await.unwrap().is_empty());
        let e = db.event(ev).await.unwrap();
        assert_eq!(
            (e.version, e.sequence, e.title.as_str()),
            (v + 1, 1, "集中服务日（调整）")
        );
        // A second editor who started from the old version is refused, and nothing changes.
        let stale = db
            .update_event(
                ev,
                v,
                &draft(
                    "2026-11-25T10:00",
                    "2026-11-25T12:00",
                    "FREQ=MONTHLY;BYMONTHDAY=15,25",
                    3,
                ),
            )
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict(n)) if n == v + 1),
            "{stale:?}"
        );
        assert_eq!(db.event(ev).await.unwrap().starts_at, "2026-11-25T09:30");
        // Fewer places than are taken is refused.
        let r = db
            .update_event(
                ev,
                v + 1,
                &draft(
                    "2026-11-25T09:30",
                    "2026-11-25T12:00",
                    "FREQ=MONTHLY;BYMONTHDAY=15,25",
                    2,
                ),
            )
            .await;
        assert!(matches!(r, Err(StoreError::Invalid(k)) if k == "err.event_capacity_below_taken"));
        assert_eq!(
            db.event(ev).await.unwrap().capacity,
            3,
            "the refused edit changed nothing"
        );
        // A new rule that drops the 15th: that occurrence is shown cancelled, answers kept.
        db.update_event(
            ev,
            v + 1,
            &draft(
                "2026-11-25T09:30",
                "2026-11-25T12:00",
                "FREQ=MONTHLY;BYMONTHDAY=25",
                3,
            ),
        )
        .await
        .unwrap();
        let occ = db
            .occurrences(
                &db.event(ev).await.unwrap(),
                &t("2026-12-01T00:00"),
                &t("2027-01-01T00:00"),
            )
            .await
            .unwrap();
        // The dropped date stays in the calendar, cancelled, and reachable with its answers.
        assert_eq!(
            occ.iter()
                .map(|o| (o.starts_at.as_str(), o.cancelled))
                .collect::<Vec<_>>(),
            [("2026-12-15T09:30", true), ("2026-12-25T09:30", false)]
        );
        assert_eq!(
            db.cancelled_occurrences(ev).await.unwrap(),
            vec![moved.clone()]
        );
        let e = db.event(ev).await.unwrap();
        // The calendar reads all events' rows at once: the same occurrences.
        let all = db
            .events_in_window("2026-12-01T00:00", "2027-01-01T00:00")
            .await
            .unwrap();
        let batch = db
            .occurrences_of(&all, &t("2026-12-01T00:00"), &t("2027-01-01T00:00"))
            .await
            .unwrap();
        for (one, list) in all.iter().zip(&batch) {
            let single = db
                .occurrences(one, &t("2026-12-01T00:00"), &t("2027-01-01T00:00"))
                .await
                .unwrap();
            assert_eq!(&single, list, "event {}", one.id);
        }
        assert!(batch
            .iter()
            .flatten()
            .any(|o| o.event_id == ev && o.cancelled));
        let dropped = db.occurrence_at(&e, &moved).await.unwrap().unwrap();
        assert!(dropped.cancelled);
        assert_eq!(
            db.attendees(ev, &moved).await.unwrap().len(),
            3,
            "answers are kept"
        );
        assert!(
            db.occurrence_at(&e, &t("2026-12-16T09:30"))
                .await
                .unwrap()
                .is_none(),
            "dates no rule ever had are still not occurrences"
        );
    }

    async fn this_and_following_splits_the_series(db: Db) {
        let (ev, u) = setup(&db, 5, 0, 2).await;
        let later = t("2027-01-15T09:00");
        db.rsvp(ev, &t(DAY), u[0], true, 0, &t(NOW)).await.unwrap();
        db.rsvp(ev, &later, u[1], true, 0, &t(NOW)).await.unwrap();
        let v = db.event(ev).await.unwrap().version;
        let new_id = db
            .split_event(
                ev,
                v,
                &t("2026-12-25T09:00"),
                &draft(
                    "2026-12-25T14:00",
                    "2026-12-25T16:00",
                    "FREQ=MONTHLY;BYMONTHDAY=15,25",
                    5,
                ),
            )
            .await
            .unwrap();
        assert_ne!(new_id, ev);
        let old = db.event(ev).await.unwrap();
        let win = (t("2026-11-01T00:00"), t("2027-03-01T00:00"));
        let old_occ: Vec<_> = db
            .occurrences(&old, &win.0, &win.1)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.starts_at.to_string())
            .collect();
        assert_eq!(
            old_occ,
            ["2026-11-25T09:00", "2026-12-15T09:00"],
            "the old series ends before the split"
        );
        let new = db.event(new_id).await.unwrap();
        let new_occ: Vec<_> = db
            .occurrences(&new, &win.0, &win.1)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.starts_at.to_string())
            .collect();
        assert_eq!(
            new_occ,
            [
                "2026-12-25T14:00",
                "2027-01-15T14:00",
                "2027-01-25T14:00",
                "2027-02-15T14:00",
                "2027-02-25T14:00"
            ]
        );
        // The answer before the split stays; the one after follows its occurrence to 14:00.
        assert_eq!(
            db.my_rsvp(ev, &t(DAY), u[0]).await.unwrap().unwrap().status,
            RsvpStatus::Going
        );
        assert_eq!(
            db.my_rsvp(new_id, &t("2027-01-15T14:00"), u[1])
                .await
                .unwrap()
                .unwrap()
                .status,
            RsvpStatus::Going
        );
        assert!(matches!(
            db.split_event(
                ev,
                v,
                &t("2027-01-15T09:00"),
                &draft("2027-01-15T09:00", "2027-01-15T10:00", "FREQ=WEEKLY", 5)
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
    }
}

/// `Db::check` (what `linli check` runs after a crash or a restore) finds seat counts that do not
/// add up, overbooking, and a line that does not move.
async fn check_finds_broken_seat_counts(db: Db) {
    let (ev, u) = setup(&db, 2, 0, 3).await;
    let now = t(NOW);
    for user in &u {
        db.rsvp(ev, &t(DAY), *user, true, 0, &now).await.unwrap();
    }
    assert_eq!(db.check().await.unwrap(), Vec::<String>::new());
    sqlx::query("UPDATE occurrence SET taken = 1 WHERE taken = 2 AND event_id = $1")
        .bind(ev)
        .execute(db.pool())
        .await
        .unwrap();
    let problems = db.check().await.unwrap();
    assert!(
        problems.len() == 1
            && problems[0].contains("taken is 1 but the going answers hold 2 seats"),
        "{problems:?}"
    );
    sqlx::query("UPDATE rsvp SET status = 'not-going' WHERE status = 'going' AND occurrence_id IN (SELECT id FROM occurrence WHERE event_id = $1)")
        .bind(ev)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE occurrence SET taken = 0 WHERE taken = 1 AND event_id = $1")
        .bind(ev)
        .execute(db.pool())
        .await
        .unwrap();
    let problems = db.check().await.unwrap();
    assert!(
        problems.len() == 1
            && problems[0].contains("the first in line (1 seats) waits while 2 are free"),
        "{problems:?}"
    );
}

/// PIPL: a person's data can be read out whole, and erasing the account withdraws upcoming answers
/// (promoting whoever waits), keeps past ones for the statistics, and leaves nothing personal.
async fn erasing_an_account_frees_upcoming_places_and_keeps_the_past(db: Db) {
    let (ev, u) = setup(&db, 1, 0, 2).await;
    let now = t(NOW);
    let later = t("2026-12-25T09:00");
    db.set_phone(u[0], "13812345678").await.unwrap();
    db.rsvp(ev, &t(DAY), u[0], true, 0, &now).await.unwrap();
    db.rsvp(ev, &later, u[0], true, 0, &now).await.unwrap();
    let waiting = db.rsvp(ev, &later, u[1], true, 0, &now).await.unwrap();
    assert_eq!(waiting.status, RsvpStatus::Waitlisted);
    db.rotate_feed_token(u[0]).await.unwrap();
    db.create_session(u[0]).await.unwrap();

    let mine = db.personal_data(u[0]).await.unwrap();
    assert_eq!(mine.phone, "13812345678");
    assert_eq!(mine.account.username, "res000");
    assert_eq!(mine.answers.len(), 2);
    assert!(mine.has_feed_token && mine.sessions == 1);

    // Erased on 20 December: the 15th is past (kept), the 25th is withdrawn and res001 moves up.
    assert_eq!(db.erase_account(u[0], "2026-12-20T00:00").await.unwrap(), 1);
    let after = db.personal_data(u[0]).await.unwrap();
    assert_eq!(after.account.display_name, store::personal::ERASED_NAME);
    assert!(after.account.username.starts_with("erased-") && after.account.disabled);
    assert_eq!(after.phone, "");
    assert!(!after.has_feed_token && after.sessions == 0);
    let statuses: Vec<&str> = after.answers.iter().map(|a| a.status.as_str()).collect();
    assert_eq!(statuses, ["going", "not-going"]);
    let promoted = db.my_rsvp(ev, &later, u[1]).await.unwrap().unwrap();
    assert_eq!(promoted.status, RsvpStatus::Going);
    assert!(db
        .authenticate("res000", "resident password", "127.0.0.1")
        .await
        .unwrap()
        .is_err());
    assert_eq!(db.check().await.unwrap(), Vec::<String>::new());
}
