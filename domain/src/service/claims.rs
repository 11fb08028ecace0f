//! Claims on the community's lists. A need asks for an amount (people or hours); members and
//! units claim parts of it, or the organiser dispatches a part to someone (派单) who accepts or
//! declines. A claim then goes claimed → in progress → done → confirmed by the organiser (who may
//! send it back with a reason); a claimant may withdraw before it is done. Nobody claims more than
//! is left: what is held (dispatched, claimed, in progress, done, confirmed) never exceeds the
//! need's amount — the store checks `check_claim` inside the transaction that writes the claim,
//! as it does for RSVP seats.

use super::{clean_reason, Actor, ServiceError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimState {
    /// Dispatched by the organiser, waiting for the claimant to accept.
    Offered,
    Claimed,
    InProgress,
    Done,
    Confirmed,
    /// The claimant declined a dispatch.
    Declined,
    /// The claimant gave it up before it was done.
    Withdrawn,
}

impl ClaimState {
    pub const ALL: [ClaimState; 7] = [
        ClaimState::Offered,
        ClaimState::Claimed,
        ClaimState::InProgress,
        ClaimState::Done,
        ClaimState::Confirmed,
        ClaimState::Declined,
        ClaimState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimState::Offered => "offered",
            ClaimState::Claimed => "claimed",
            ClaimState::InProgress => "in-progress",
            ClaimState::Done => "done",
            ClaimState::Confirmed => "confirmed",
            ClaimState::Declined => "declined",
            ClaimState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimState> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether the claim holds part of the need's amount.
    pub fn holds(self) -> bool {
        !matches!(self, ClaimState::Declined | ClaimState::Withdrawn)
    }
}

/// What someone does to a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum ClaimAction {
    Accept,
    Decline { reason: String },
    Start,
    Finish,
    Confirm,
    SendBack { reason: String },
    Withdraw,
}

/// The state after `action` by `actor`, or why not. Reasons are required where the other side is
/// told why (a declined dispatch, a claim sent back).
pub fn transition(
    state: ClaimState,
    action: &ClaimAction,
    actor: Actor,
) -> Result<ClaimState, ServiceError> {
    use ClaimAction as A;
    use ClaimState as S;
    let by = |who: Actor| super::by(actor, who);
    match (state, action) {
        (S::Offered, A::Accept) => by(Actor::Claimant).map(|_| S::Claimed),
        (S::Offered, A::Decline { reason }) => {
            by(Actor::Claimant)?;
            clean_reason(reason)?;
            Ok(S::Declined)
        }
        (S::Claimed, A::Start) => by(Actor::Claimant).map(|_| S::InProgress),
        (S::Claimed | S::InProgress, A::Finish) => by(Actor::Claimant).map(|_| S::Done),
        (S::Done, A::Confirm) => by(Actor::Organiser).map(|_| S::Confirmed),
        (S::Done, A::SendBack { reason }) => {
            by(Actor::Organiser)?;
            clean_reason(reason)?;
            Ok(S::InProgress)
        }
        (S::Offered | S::Claimed | S::InProgress, A::Withdraw) => {
            by(Actor::Claimant).map(|_| S::Withdrawn)
        }
        _ => Err(ServiceError::State),
    }
}

/// A need's state as listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListingStatus {
    Draft,
    Open,
    Closed,
}

/// What decides whether a need takes a claim of `amount`: it is open, its deadline (local
/// `YYYY-MM-DD`, inclusive) has not passed on `today`, and the amount held by live claims plus
/// this one stays within its amount.
pub fn check_claim(
    status: ListingStatus,
    deadline: Option<&str>,
    today: &str,
    wanted: i64,
    held: i64,
    amount: i64,
) -> Result<(), ServiceError> {
    if status != ListingStatus::Open {
        return Err(ServiceError::Closed);
    }
    if deadline.is_some_and(|d| today > d) {
        return Err(ServiceError::PastDeadline);
    }
    if amount < 1 {
        return Err(ServiceError::Amount);
    }
    let left = (wanted - held).max(0);
    if amount > left {
        return Err(ServiceError::OverFilled { left });
    }
    Ok(())
}

/// The amount held by `claims` (state and amount each).
pub fn held(claims: impl IntoIterator<Item = (ClaimState, i64)>) -> i64 {
    claims
        .into_iter()
        .filter(|(s, _)| s.holds())
        .map(|(_, a)| a)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClaimAction as A;
    use ClaimState as S;

    #[test]
    fn a_claim_goes_through_its_life_and_only_the_right_side_moves_it() {
        let c = Actor::Claimant;
        let o = Actor::Organiser;
        let s = transition(S::Claimed, &A::Start, c).unwrap();
        let s = transition(s, &A::Finish, c).unwrap();
        assert_eq!(transition(s, &A::Confirm, c), Err(ServiceError::NotYours));
        let back = A::SendBack {
            reason: "照片不清楚".into(),
        };
        let s = transition(s, &back, o).unwrap();
        assert_eq!(s, S::InProgress);
        let s = transition(s, &A::Finish, c).unwrap();
        assert_eq!(transition(s, &A::Confirm, o), Ok(S::Confirmed));
        assert_eq!(
            transition(S::Confirmed, &A::Withdraw, c),
            Err(ServiceError::State)
        );
        assert_eq!(
            transition(S::Done, &A::Withdraw, c),
            Err(ServiceError::State)
        );
        let no_reason = A::SendBack {
            reason: "  ".into(),
        };
        assert_eq!(
            transition(S::Done, &no_reason, o),
            Err(ServiceError::Reason)
        );
    }

    #[test]
    fn a_dispatch_is_accepted_or_declined_with_a_reason() {
        let c = Actor::Claimant;
        assert_eq!(transition(S::Offered, &A::Accept, c), Ok(S::Claimed));
        assert_eq!(
            transition(S::Offered, &A::Accept, Actor::Organiser),
            Err(ServiceError::NotYours)
        );
        let decline = A::Decline {
            reason: "那天值班".into(),
        };
        assert_eq!(transition(S::Offered, &decline, c), Ok(S::Declined));
        let empty = A::Decline {
            reason: String::new(),
        };
        assert_eq!(transition(S::Offered, &empty, c), Err(ServiceError::Reason));
        assert!(!S::Declined.holds() && !S::Withdrawn.holds() && S::Offered.holds());
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn nobody_claims_more_than_is_left() {
        let open = ListingStatus::Open;
        let claims = [
            (S::Claimed, 8),
            (S::Declined, 5),
            (S::Offered, 4),
            (S::Confirmed, 6),
        ];
        let h = held(claims);
        assert_eq!(h, 18);
        assert_eq!(check_claim(open, None, "2026-12-05", 20, h, 2), Ok(()));
        assert_eq!(
            check_claim(open, None, "2026-12-05", 20, h, 3),
            Err(ServiceError::OverFilled { left: 2 })
        );
        assert_eq!(
            check_claim(open, Some("2026-12-04"), "2026-12-05", 20, 0, 1),
            Err(ServiceError::PastDeadline)
        );
        assert_eq!(
            check_claim(open, Some("2026-12-05"), "2026-12-05", 20, 0, 1),
            Ok(())
        );
        assert_eq!(
            check_claim(ListingStatus::Closed, None, "2026-12-05", 20, 0, 1),
            Err(ServiceError::Closed)
        );
        assert_eq!(
            check_claim(open, None, "2026-12-05", 20, 0, 0),
            Err(ServiceError::Amount)
        );
        // Claims one at a time until the need is full: exactly its amount, never more.
        let mut taken = Vec::new();
        for _ in 0..30 {
            if check_claim(open, None, "2026-12-05", 20, held(taken.iter().copied()), 3).is_ok() {
                taken.push((S::Claimed, 3));
            }
        }
        assert_eq!(held(taken.iter().copied()), 18);
        assert_eq!(
            check_claim(open, None, "2026-12-05", 20, 18, 3),
            Err(ServiceError::OverFilled { left: 2 })
        );
    }
}
