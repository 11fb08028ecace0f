//! Micro-wishes (微心愿): a resident posts a wish; the community verifies it (eligible, and no
//! personal data in what the public wall shows); a party member or a group claims it, fulfils it
//! with a photo or a note, and the resident confirms (the organiser confirms for residents without
//! an account). The wall shows the wish-maker's name masked.

use super::{clean_reason, Actor, ServiceError, MAX_TEXT, MAX_TITLE};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WishState {
    /// Posted, waiting for the community to verify it.
    Submitted,
    /// On the public wall, waiting for a claimant.
    Verified,
    Rejected,
    Claimed,
    /// The claimant says it is fulfilled; the resident has not confirmed yet.
    Fulfilled,
    Confirmed,
    /// Taken back by the resident before anyone claimed it.
    Withdrawn,
}

impl WishState {
    pub const ALL: [WishState; 7] = [
        WishState::Submitted,
        WishState::Verified,
        WishState::Rejected,
        WishState::Claimed,
        WishState::Fulfilled,
        WishState::Confirmed,
        WishState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WishState::Submitted => "submitted",
            WishState::Verified => "verified",
            WishState::Rejected => "rejected",
            WishState::Claimed => "claimed",
            WishState::Fulfilled => "fulfilled",
            WishState::Confirmed => "confirmed",
            WishState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<WishState> {
        Self::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// Whether the wish is (or was) on the public wall.
    pub fn published(self) -> bool {
        matches!(
            self,
            WishState::Verified | WishState::Claimed | WishState::Fulfilled | WishState::Confirmed
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum WishAction {
    Verify,
    Reject {
        reason: String,
    },
    Claim,
    /// The claimant gives it back to the wall.
    Release,
    Fulfil,
    Confirm,
    Withdraw,
}

/// The state after `action` by `actor`, or why not. `has_account` says whether the resident can
/// confirm themselves (otherwise the organiser confirms for them).
pub fn transition(
    state: WishState,
    action: &WishAction,
    actor: Actor,
    has_account: bool,
) -> Result<WishState, ServiceError> {
    use WishAction as A;
    use WishState as S;
    let by = |who: Actor| super::by(actor, who);
    match (state, action) {
        (S::Submitted, A::Verify) => by(Actor::Organiser).map(|_| S::Verified),
        (S::Submitted | S::Verified, A::Reject { reason }) => {
            by(Actor::Organiser)?;
            clean_reason(reason)?;
            Ok(S::Rejected)
        }
        (S::Verified, A::Claim) => by(Actor::Claimant).map(|_| S::Claimed),
        (S::Claimed, A::Release) => by(Actor::Claimant).map(|_| S::Verified),
        (S::Claimed, A::Fulfil) => by(Actor::Claimant).map(|_| S::Fulfilled),
        (S::Fulfilled, A::Confirm) => {
            let confirmer = if has_account {
                Actor::Owner
            } else {
                Actor::Organiser
            };
            by(confirmer).map(|_| S::Confirmed)
        }
        (S::Submitted | S::Verified, A::Withdraw) => by(Actor::Owner).map(|_| S::Withdrawn),
        _ => Err(ServiceError::State),
    }
}

/// A wish's title and text as the wall will show them: trimmed, within limits, and without
/// personal data (a phone number or an identity card number) — the resident's contact stays with
/// the community, not on the wall.
pub fn clean_public(title: &str, text: &str) -> Result<(String, String), ServiceError> {
    let title = crate::event::clean_text(title, MAX_TITLE, false)
        .filter(|t| !t.is_empty())
        .ok_or(ServiceError::Text)?;
    let text = crate::event::clean_text(text, MAX_TEXT, true).ok_or(ServiceError::Text)?;
    if has_personal_data(&title) || has_personal_data(&text) {
        return Err(ServiceError::PersonalData);
    }
    Ok((title, text))
}

/// Whether `s` holds a mobile number (11 digits from 13–19, spaces or dashes allowed between
/// them), a landline with its area code (0 + 2–3 digits, then 7–8), or an identity card number
/// (17 digits and a digit or X).
pub fn has_personal_data(s: &str) -> bool {
    // Runs of digits, joined across single spaces and dashes (138 1234 5678, 025-8888-0000).
    let chars: Vec<char> = s.chars().collect();
    let mut runs: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let joins = matches!(c, ' ' | '-')
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || (c == 'X' || c == 'x') && cur.len() == 17 {
            cur.push(c.to_ascii_uppercase());
        } else if !joins {
            runs.push(std::mem::take(&mut cur));
        }
    }
    runs.push(cur);
    runs.iter().any(|r| {
        let b = r.as_bytes();
        let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        let landline = (10..=12).contains(&b.len()) && b[0] == b'0';
        let id = b.len() == 18 && b[..17].iter().all(u8::is_ascii_digit);
        mobile || landline || id
    })
}

/// Fulfilment in a period: confirmed wishes of those published (on the wall at some time).
pub fn fulfilment(states: impl IntoIterator<Item = WishState>) -> (usize, usize) {
    let (mut done, mut published) = (0, 0);
    for s in states {
        if s.published() {
            published += 1;
            if s == WishState::Confirmed {
                done += 1;
            }
        }
    }
    (done, published)
}

/// Why a photo is attached to a wish: to show the wish, or to show it fulfilled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhotoPurpose {
    Wish,
    Fulfilment,
}

/// Who someone is to a wish, for its photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Relation {
    pub owner: bool,
    pub claimant: bool,
    /// An organiser of the wish's community (or an administrator).
    pub manager: bool,
}

impl PhotoPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            PhotoPurpose::Wish => "wish",
            PhotoPurpose::Fulfilment => "fulfilment",
        }
    }

    pub fn parse(s: &str) -> Option<PhotoPurpose> {
        [PhotoPurpose::Wish, PhotoPurpose::Fulfilment]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    /// Who may attach one now: the wish-maker (or the organiser) before anyone claims it; the
    /// claimant (or the organiser) while fulfilling it.
    pub fn may_add(self, state: WishState, r: Relation) -> bool {
        match self {
            PhotoPurpose::Wish => {
                (r.owner || r.manager)
                    && matches!(state, WishState::Submitted | WishState::Verified)
            }
            PhotoPurpose::Fulfilment => {
                (r.claimant || r.manager)
                    && matches!(state, WishState::Claimed | WishState::Fulfilled)
            }
        }
    }

    /// Who sees one: the wish-maker, the claimant and the organiser always; everyone else the
    /// wish's photo once the organiser has put the wish on the wall (verifying it includes its
    /// photo), and the fulfilment photo once it is fulfilled.
    pub fn visible(self, state: WishState, r: Relation) -> bool {
        if r.owner || r.claimant || r.manager {
            return true;
        }
        match self {
            PhotoPurpose::Wish => state.published(),
            PhotoPurpose::Fulfilment => {
                matches!(state, WishState::Fulfilled | WishState::Confirmed)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wishs_photos_are_added_by_its_people_and_shown_once_public() {
        let (owner, claimant, manager, stranger) = (
            Relation {
                owner: true,
                ..Default::default()
            },
            Relation {
                claimant: true,
                ..Default::default()
            },
            Relation {
                manager: true,
                ..Default::default()
            },
            Relation::default(),
        );
        use PhotoPurpose::*;
        assert!(Wish.may_add(WishState::Submitted, owner));
        assert!(Wish.may_add(WishState::Verified, manager));
        assert!(
            !Wish.may_add(WishState::Claimed, owner),
            "not after someone took it on"
        );
        assert!(!Wish.may_add(WishState::Submitted, claimant));
        assert!(!Wish.may_add(WishState::Submitted, stranger));
        assert!(Fulfilment.may_add(WishState::Claimed, claimant));
        assert!(Fulfilment.may_add(WishState::Fulfilled, manager));
        assert!(!Fulfilment.may_add(WishState::Confirmed, claimant));
        assert!(!Fulfilment.may_add(WishState::Claimed, owner));
        assert!(
            !Wish.visible(WishState::Submitted, stranger),
            "not before verification"
        );
        assert!(Wish.visible(WishState::Submitted, owner));
        assert!(Wish.visible(WishState::Verified, stranger));
        assert!(!Wish.visible(WishState::Rejected, stranger));
        assert!(!Fulfilment.visible(WishState::Claimed, stranger));
        assert!(Fulfilment.visible(WishState::Confirmed, stranger));
        assert_eq!(PhotoPurpose::parse("fulfilment"), Some(Fulfilment));
        assert_eq!(PhotoPurpose::parse("x"), None);
    }
    use WishAction as A;
    use WishState as S;

    #[test]
    fn a_wish_goes_from_the_resident_to_the_wall_to_a_member_and_back() {
        let s = transition(S::Submitted, &A::Verify, Actor::Organiser, true).unwrap();
        assert!(s.published());
        assert_eq!(
            transition(s, &A::Withdraw, Actor::Claimant, true),
            Err(ServiceError::NotYours)
        );
        let s = transition(s, &A::Claim, Actor::Claimant, true).unwrap();
        assert_eq!(
            transition(s, &A::Withdraw, Actor::Owner, true),
            Err(ServiceError::State)
        );
        assert_eq!(
            transition(s, &A::Release, Actor::Claimant, true),
            Ok(S::Verified)
        );
        let s = transition(s, &A::Fulfil, Actor::Claimant, true).unwrap();
        assert_eq!(
            transition(s, &A::Confirm, Actor::Organiser, true),
            Err(ServiceError::NotYours)
        );
        assert_eq!(
            transition(s, &A::Confirm, Actor::Owner, true),
            Ok(S::Confirmed)
        );
        // A resident without an account: the organiser confirms for them.
        assert_eq!(
            transition(s, &A::Confirm, Actor::Organiser, false),
            Ok(S::Confirmed)
        );
        let reject = A::Reject {
            reason: "不属于帮扶范围".into(),
        };
        assert_eq!(
            transition(S::Submitted, &reject, Actor::Organiser, true),
            Ok(S::Rejected)
        );
        assert_eq!(
            transition(S::Claimed, &reject, Actor::Organiser, true),
            Err(ServiceError::State)
        );
        for w in S::ALL {
            assert_eq!(S::parse(w.as_str()), Some(w));
        }
    }

    #[test]
    fn phone_and_identity_numbers_stay_off_the_wall() {
        for bad in [
            "请联系13812345678",
            "电话 138 1234 5678",
            "138-1234-5678 王阿姨",
            "座机025-88880000",
            "身份证32011319500101123X",
        ] {
            assert!(has_personal_data(bad), "{bad}");
            assert_eq!(
                clean_public("想要一台收音机", bad),
                Err(ServiceError::PersonalData)
            );
        }
        for fine in [
            "3号楼2单元",
            "90岁老人想要一台收音机",
            "2026年12月5日",
            "需要 20 本书",
            "12345678901",
        ] {
            assert!(!has_personal_data(fine), "{fine}");
        }
        assert_eq!(clean_public("  ", ""), Err(ServiceError::Text));
        let long = "字".repeat(MAX_TEXT + 1);
        assert_eq!(clean_public("标题", &long), Err(ServiceError::Text));
    }

    #[test]
    fn fulfilment_counts_confirmed_of_published() {
        let states = [
            S::Confirmed,
            S::Confirmed,
            S::Fulfilled,
            S::Claimed,
            S::Submitted,
            S::Rejected,
            S::Withdrawn,
        ];
        assert_eq!(fulfilment(states), (2, 4));
    }
}
