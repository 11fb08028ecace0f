use super::clock::Lateness;
use super::*;

const RESIDENT: i64 = 1;
const WORKER: i64 = 2;
const COMMUNITY: i64 = 3;
const STREET: i64 = 4;
const HOUSING: i64 = 50; // 住建
const SANITATION: i64 = 51; // 环卫

fn resident() -> Standing {
    Standing {
        user_id: RESIDENT,
        handles: vec![],
        department: None,
    }
}
fn worker() -> Standing {
    Standing {
        user_id: WORKER,
        handles: vec![Level::Grid],
        department: None,
    }
}
fn community() -> Standing {
    Standing {
        user_id: COMMUNITY,
        handles: vec![Level::Community],
        department: None,
    }
}
fn street() -> Standing {
    Standing {
        user_id: STREET,
        handles: vec![Level::Street],
        department: None,
    }
}
fn department(user_id: i64, d: i64) -> Standing {
    Standing {
        user_id,
        handles: vec![],
        department: Some(d),
    }
}

fn step(c: &Case, a: FieldAction, who: &Standing) -> Case {
    apply(c, &a, who)
        .unwrap_or_else(|e| panic!("{} by {}: {e}", a.name(), who.user_id))
        .0
}

#[test]
fn the_grid_passes_it_up_the_street_whistles_the_lead_reports_resolves_and_someone_else_closes() {
    let c = Case::new(RESIDENT);
    assert_eq!((c.state, c.level), (FieldState::Waiting, Level::Grid));
    assert_eq!(
        apply(&c, &FieldAction::Acknowledge, &community()),
        Err(FieldError::NotYours),
        "the grid's worker first"
    );
    let c = step(&c, FieldAction::Acknowledge, &worker());
    assert_eq!(
        apply(&c, &FieldAction::PassUp { reason: " ".into() }, &worker()),
        Err(FieldError::Reason)
    );
    let (c, clock) = apply(
        &c,
        &FieldAction::PassUp {
            reason: "需要协调物业".into(),
        },
        &worker(),
    )
    .unwrap();
    assert_eq!(
        (c.state, c.level, clock),
        (FieldState::Waiting, Level::Community, Clock::Restart)
    );
    let c = step(
        &c,
        FieldAction::PassUp {
            reason: "超出社区职权".into(),
        },
        &community(),
    );
    assert_eq!(c.level, Level::Street);
    assert_eq!(
        apply(
            &c,
            &FieldAction::Whistle {
                lead: HOUSING,
                co: vec![HOUSING]
            },
            &street()
        ),
        Err(FieldError::Departments)
    );
    assert_eq!(
        apply(
            &c,
            &FieldAction::Whistle {
                lead: HOUSING,
                co: vec![]
            },
            &community()
        ),
        Err(FieldError::NotYours)
    );
    let c = step(
        &c,
        FieldAction::Whistle {
            lead: HOUSING,
            co: vec![SANITATION],
        },
        &street(),
    );
    assert_eq!(
        (c.state, c.level),
        (FieldState::Whistled, Level::Department)
    );
    // The co-handler reports first: still waiting for the lead.
    let c = step(&c, FieldAction::Acknowledge, &department(61, SANITATION));
    assert_eq!(c.state, FieldState::Whistled);
    assert_eq!(
        apply(&c, &FieldAction::Acknowledge, &department(61, SANITATION)),
        Err(FieldError::State),
        "once"
    );
    assert_eq!(
        apply(&c, &FieldAction::Acknowledge, &department(70, 99)),
        Err(FieldError::NotYours),
        "a department not whistled"
    );
    let c = step(&c, FieldAction::Acknowledge, &department(60, HOUSING));
    assert_eq!(c.state, FieldState::Handling);
    assert_eq!(
        apply(
            &c,
            &FieldAction::Resolve { note: "".into() },
            &department(61, SANITATION)
        ),
        Err(FieldError::NotYours),
        "the lead resolves"
    );
    let (c, clock) = apply(
        &c,
        &FieldAction::Resolve {
            note: "已修复".into(),
        },
        &department(60, HOUSING),
    )
    .unwrap();
    assert_eq!((c.state, clock), (FieldState::Resolved, Clock::Stop));
    assert_eq!(
        apply(&c, &FieldAction::Close, &community()),
        Err(FieldError::NotYours),
        "departments' work is checked by the street"
    );
    let c = step(&c, FieldAction::Close, &street());
    assert_eq!(c.state, FieldState::Closed);
    // The reporter answers once.
    assert_eq!(
        apply(
            &c,
            &FieldAction::Rate {
                satisfaction: Satisfaction::Satisfied
            },
            &worker()
        ),
        Err(FieldError::NotYours)
    );
    let c = step(
        &c,
        FieldAction::Rate {
            satisfaction: Satisfaction::Basically,
        },
        &resident(),
    );
    assert_eq!(
        apply(
            &c,
            &FieldAction::Rate {
                satisfaction: Satisfaction::Satisfied
            },
            &resident()
        ),
        Err(FieldError::Rated)
    );
    assert_eq!(
        apply(&c, &FieldAction::Reopen { reason: "x".into() }, &resident()),
        Err(FieldError::State),
        "basically satisfied is satisfied"
    );
}

#[test]
fn a_department_sends_it_back_and_the_street_decides() {
    let mut c = Case::new(RESIDENT);
    c.level = Level::Street;
    let c = step(
        &c,
        FieldAction::Whistle {
            lead: HOUSING,
            co: vec![],
        },
        &street(),
    );
    assert_eq!(
        apply(
            &c,
            &FieldAction::SendBack { reason: "".into() },
            &department(60, HOUSING)
        ),
        Err(FieldError::Reason)
    );
    let c = step(
        &c,
        FieldAction::SendBack {
            reason: "不属于本部门职责".into(),
        },
        &department(60, HOUSING),
    );
    assert_eq!((c.state, c.level), (FieldState::SentBack, Level::Street));
    // Whistle another department, or resolve it itself.
    let other = step(
        &c,
        FieldAction::Whistle {
            lead: SANITATION,
            co: vec![],
        },
        &street(),
    );
    assert_eq!(other.lead(), Some(SANITATION));
    let solved = step(
        &c,
        FieldAction::Resolve {
            note: "街道协调解决".into(),
        },
        &street(),
    );
    assert_eq!(solved.resolved_by, Some(STREET));
    assert_eq!(
        apply(&solved, &FieldAction::Close, &street()),
        Err(FieldError::OwnWork)
    );
}

#[test]
fn a_fix_on_the_spot_is_checked_by_the_community_and_a_dissatisfied_resident_reopens_once() {
    let c = Case::fixed_on_spot(WORKER);
    assert_eq!(c.state, FieldState::Resolved);
    assert_eq!(
        apply(&c, &FieldAction::Close, &worker()),
        Err(FieldError::OwnWork)
    );
    let back = step(
        &c,
        FieldAction::Reject {
            reason: "现场仍有垃圾".into(),
        },
        &community(),
    );
    assert_eq!((back.state, back.resolved_by), (FieldState::Handling, None));
    let c = step(
        &Case {
            reporter: RESIDENT,
            ..c
        },
        FieldAction::Close,
        &community(),
    );
    let c = step(
        &c,
        FieldAction::Rate {
            satisfaction: Satisfaction::Dissatisfied,
        },
        &resident(),
    );
    let (c, clock) = apply(
        &c,
        &FieldAction::Reopen {
            reason: "又堆起来了".into(),
        },
        &resident(),
    )
    .unwrap();
    assert_eq!(
        (c.state, c.level, clock),
        (FieldState::Waiting, Level::Community, Clock::Restart)
    );
    let c = step(
        &c,
        FieldAction::Resolve {
            note: "清运".into(),
        },
        &community(),
    );
    let c = step(&c, FieldAction::Close, &street());
    assert_eq!(
        apply(
            &c,
            &FieldAction::Reopen {
                reason: "还是不行".into()
            },
            &resident()
        ),
        Err(FieldError::ReopenedOnce)
    );
}

#[test]
fn what_nobody_acknowledged_in_time_goes_up_by_itself_and_the_rest_is_flagged() {
    let late = Lateness {
        acknowledge: true,
        resolve: false,
    };
    let c = Case::new(RESIDENT);
    assert_eq!(auto_escalation(&c, late), Some(Level::Community));
    assert_eq!(auto_escalation(&c, Lateness::default()), None);
    let acknowledged = step(&c, FieldAction::Acknowledge, &worker());
    assert_eq!(
        auto_escalation(
            &acknowledged,
            Lateness {
                acknowledge: false,
                resolve: true
            }
        ),
        None
    );
    let mut at_street = Case::new(RESIDENT);
    at_street.level = Level::Street;
    assert_eq!(
        auto_escalation(&at_street, late),
        None,
        "the street whistles by decision"
    );
    for s in FieldState::ALL {
        assert_eq!(FieldState::parse(s.as_str()), Some(s));
    }
    assert_eq!(Level::parse("department"), Some(Level::Department));
}

#[test]
fn who_handles_which_level_follows_role_and_scope() {
    use crate::{Code, Principal, Role};
    let who = |role: Role, scope: Option<&str>| Principal {
        user_id: 9,
        username: "x".into(),
        role,
        scope: scope.map(|s| Code::parse(s).unwrap()),
        party_member: false,
    };
    let grid = Code::parse("32011300100101001").unwrap();
    let g = Some(&grid);
    assert_eq!(
        levels_handled(&who(Role::GridWorker, Some("3201130010010100")), g),
        vec![Level::Grid]
    );
    assert_eq!(
        levels_handled(&who(Role::GridWorker, Some("32011300100102")), g),
        vec![]
    );
    assert_eq!(
        levels_handled(&who(Role::Organiser, Some("320113001001")), g),
        vec![Level::Community]
    );
    assert_eq!(
        levels_handled(&who(Role::Organiser, Some("320113002001")), g),
        vec![]
    );
    assert_eq!(
        levels_handled(&who(Role::Organiser, Some("320113001")), g),
        vec![Level::Street]
    );
    assert_eq!(
        levels_handled(&who(Role::Resident, Some("320113001001")), g),
        vec![]
    );
    assert_eq!(
        levels_handled(&who(Role::Organiser, Some("320113001")), None),
        vec![]
    );
    assert_eq!(levels_handled(&who(Role::Admin, None), None).len(), 3);
}

#[test]
fn the_buttons_offered_are_what_the_rules_allow() {
    let c = Case::new(RESIDENT);
    assert_eq!(
        possible(&c, &worker()),
        vec!["acknowledge", "pass-up", "resolve"]
    );
    assert!(possible(&c, &resident()).is_empty());
    assert!(possible(&c, &street()).is_empty(), "not at the street yet");
    let at_street = step(
        &step(&c, FieldAction::PassUp { reason: "x".into() }, &worker()),
        FieldAction::PassUp { reason: "y".into() },
        &community(),
    );
    assert_eq!(
        possible(&at_street, &street()),
        vec!["acknowledge", "whistle", "resolve"],
        "the top level passes nothing up"
    );
    let whistled = step(
        &at_street,
        FieldAction::Whistle {
            lead: HOUSING,
            co: vec![SANITATION],
        },
        &street(),
    );
    assert_eq!(
        possible(&whistled, &department(60, HOUSING)),
        vec!["acknowledge", "send-back"],
        "acknowledged (报到) before it is solved"
    );
    assert_eq!(
        possible(&whistled, &department(61, SANITATION)),
        vec!["acknowledge"]
    );
    let reported = step(
        &whistled,
        FieldAction::Acknowledge,
        &department(60, HOUSING),
    );
    assert_eq!(
        possible(&reported, &department(60, HOUSING)),
        vec!["send-back", "resolve"]
    );
    let resolved = step(
        &reported,
        FieldAction::Resolve { note: "ok".into() },
        &department(60, HOUSING),
    );
    assert_eq!(possible(&resolved, &street()), vec!["reject", "close"]);
    let closed = step(&resolved, FieldAction::Close, &street());
    assert_eq!(possible(&closed, &resident()), vec!["rate", "reopen"]);
}
