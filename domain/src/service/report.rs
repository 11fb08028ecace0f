//! 双报到 (reporting in): an in-service party member reports to the community where they live,
//! naming the party organisation of their workplace; a resident unit (驻区单位) reports with its
//! party organisation, a contact and what it can offer. The community's organiser accepts or
//! declines with a reason; accepted members and units make the community's roster.

use super::{clean, clean_reason, Actor, ServiceError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// A party member (在职党员).
    Member,
    /// A resident unit's party organisation (驻区单位党组织).
    Unit,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Member => "member",
            ReportKind::Unit => "unit",
        }
    }

    pub fn parse(s: &str) -> Option<ReportKind> {
        [ReportKind::Member, ReportKind::Unit]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportState {
    Pending,
    Accepted,
    Declined,
    Withdrawn,
}

impl ReportState {
    pub const ALL: [ReportState; 4] = [
        ReportState::Pending,
        ReportState::Accepted,
        ReportState::Declined,
        ReportState::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportState::Pending => "pending",
            ReportState::Accepted => "accepted",
            ReportState::Declined => "declined",
            ReportState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<ReportState> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// A report that stands (one per person and community at a time).
    pub fn live(self) -> bool {
        matches!(self, ReportState::Pending | ReportState::Accepted)
    }
}

/// What someone does to a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum ReportAction {
    Accept,
    Decline { reason: String },
    Withdraw,
}

/// The state after `action` by `actor`, or why not: the organiser accepts or declines (with a
/// reason) what is pending; the reporter withdraws what stands.
pub fn transition(
    state: ReportState,
    action: &ReportAction,
    actor: Actor,
) -> Result<ReportState, ServiceError> {
    use ReportAction as A;
    use ReportState as S;
    let by = |who: Actor| super::by(actor, who);
    match (state, action) {
        (S::Pending, A::Accept) => by(Actor::Organiser).map(|_| S::Accepted),
        (S::Pending, A::Decline { reason }) => {
            by(Actor::Organiser)?;
            clean_reason(reason)?;
            Ok(S::Declined)
        }
        (S::Pending | S::Accepted, A::Withdraw) => by(Actor::Owner).map(|_| S::Withdrawn),
        _ => Err(ServiceError::State),
    }
}

/// A report as sent, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDraft {
    pub kind: ReportKind,
    /// The party organisation: the member's workplace's, or the unit's own.
    pub org_name: String,
    /// The resident unit's name (units only).
    pub unit_name: String,
    /// The unit's contact person and phone (units only).
    pub contact: String,
    pub phone: String,
    /// What the member or the unit can offer (skills, services, rooms).
    pub offers: String,
}

/// Which field is wrong; `key()` is the translation key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportError {
    Kind,
    NotMember,
    OrgName,
    UnitName,
    Contact,
    Phone,
    Offers,
}

impl ReportError {
    pub fn key(self) -> &'static str {
        match self {
            ReportError::Kind => "service.err.report_kind",
            ReportError::NotMember => "service.err.report_member",
            ReportError::OrgName => "service.err.org_name",
            ReportError::UnitName => "service.err.unit_name",
            ReportError::Contact => "service.err.contact",
            ReportError::Phone => "err.phone",
            ReportError::Offers => "service.err.offers",
        }
    }
}

/// The longest organisation or unit name.
pub const MAX_NAME: usize = 60;
/// The longest list of what is offered.
pub const MAX_OFFERS: usize = 500;

impl ReportDraft {
    /// Checks a report. Members must be party members (`party_member`: the account is marked 党员);
    /// units need their name, a contact and a phone.
    pub fn parse(
        kind: &str,
        org_name: &str,
        unit_name: &str,
        contact: &str,
        phone: &str,
        offers: &str,
        party_member: bool,
    ) -> Result<ReportDraft, ReportError> {
        let kind = ReportKind::parse(kind.trim()).ok_or(ReportError::Kind)?;
        let name = |s: &str, e| {
            clean(s, MAX_NAME, false)
                .filter(|n| n.chars().count() >= 2)
                .ok_or(e)
        };
        let org_name = name(org_name, ReportError::OrgName)?;
        let offers = clean(offers, MAX_OFFERS, true).ok_or(ReportError::Offers)?;
        match kind {
            ReportKind::Member => {
                if !party_member {
                    return Err(ReportError::NotMember);
                }
                Ok(ReportDraft {
                    kind,
                    org_name,
                    unit_name: String::new(),
                    contact: String::new(),
                    phone: String::new(),
                    offers,
                })
            }
            ReportKind::Unit => Ok(ReportDraft {
                kind,
                org_name,
                unit_name: name(unit_name, ReportError::UnitName)?,
                contact: name(contact, ReportError::Contact)?,
                phone: crate::account::parse_phone(phone).map_err(|_| ReportError::Phone)?,
                offers,
            }),
        }
    }
}

/// A unit report as a claim "for the unit" sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitStanding {
    pub kind: ReportKind,
    pub state: ReportState,
    /// The account that filed it (the unit's contact).
    pub filed_by: i64,
    /// The community (organisation unit id) it reported to.
    pub community: i64,
}

/// Whether `caller` may take on something of `community` as the unit of report `r`: a resident
/// unit's report, accepted, filed by the caller, to that community. (A unit serves where it
/// reported; its contact acts for it, party member or not.)
pub fn may_act_for_unit(r: UnitStanding, caller: i64, community: i64) -> bool {
    r.kind == ReportKind::Unit
        && r.state == ReportState::Accepted
        && r.filed_by == caller
        && r.community == community
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_contact_of_an_accepted_unit_acts_for_it_and_only_where_it_reported() {
        let r = UnitStanding {
            kind: ReportKind::Unit,
            state: ReportState::Accepted,
            filed_by: 7,
            community: 3,
        };
        assert!(may_act_for_unit(r, 7, 3));
        assert!(!may_act_for_unit(r, 8, 3), "someone else");
        assert!(!may_act_for_unit(r, 7, 4), "another community");
        for state in [
            ReportState::Pending,
            ReportState::Declined,
            ReportState::Withdrawn,
        ] {
            assert!(!may_act_for_unit(UnitStanding { state, ..r }, 7, 3));
        }
        assert!(!may_act_for_unit(
            UnitStanding {
                kind: ReportKind::Member,
                ..r
            },
            7,
            3
        ));
    }

    #[test]
    fn members_and_units_report_with_what_each_needs() {
        let m = ReportDraft::parse(
            "member",
            " 区税务局机关党支部 ",
            "",
            "",
            "",
            "会修电脑",
            true,
        )
        .unwrap();
        assert_eq!(m.org_name, "区税务局机关党支部");
        assert_eq!(
            ReportDraft::parse("member", "区税务局机关党支部", "", "", "", "", false),
            Err(ReportError::NotMember)
        );
        assert_eq!(
            ReportDraft::parse("member", "x", "", "", "", "", true),
            Err(ReportError::OrgName)
        );
        let u = ReportDraft::parse(
            "unit",
            "区人民医院党总支",
            "区人民医院",
            "王主任",
            "13812345678",
            "每季度义诊一次",
            false,
        )
        .unwrap();
        assert_eq!(
            (u.unit_name.as_str(), u.phone.as_str()),
            ("区人民医院", "13812345678")
        );
        assert_eq!(
            ReportDraft::parse(
                "unit",
                "区人民医院党总支",
                "区人民医院",
                "王主任",
                "123",
                "",
                false
            ),
            Err(ReportError::Phone)
        );
        assert_eq!(
            ReportDraft::parse(
                "unit",
                "区人民医院党总支",
                "",
                "王主任",
                "13812345678",
                "",
                false
            ),
            Err(ReportError::UnitName)
        );
        assert_eq!(
            ReportDraft::parse("group", "x", "", "", "", "", true),
            Err(ReportError::Kind)
        );
        assert_eq!(
            ReportDraft::parse("member", "区税务局", "", "", "", &"长".repeat(501), true),
            Err(ReportError::Offers)
        );
    }

    #[test]
    fn the_organiser_decides_and_the_reporter_may_withdraw() {
        use ReportState as S;
        let o = Actor::Organiser;
        assert_eq!(
            transition(S::Pending, &ReportAction::Accept, o),
            Ok(S::Accepted)
        );
        assert_eq!(
            transition(S::Pending, &ReportAction::Accept, Actor::Owner),
            Err(ServiceError::NotYours)
        );
        let no = ReportAction::Decline { reason: " ".into() };
        assert_eq!(transition(S::Pending, &no, o), Err(ServiceError::Reason));
        let no = ReportAction::Decline {
            reason: "不在本社区居住".into(),
        };
        assert_eq!(transition(S::Pending, &no, o), Ok(S::Declined));
        assert_eq!(transition(S::Accepted, &no, o), Err(ServiceError::State));
        assert_eq!(
            transition(S::Accepted, &ReportAction::Withdraw, Actor::Owner),
            Ok(S::Withdrawn)
        );
        assert!(S::Pending.live() && S::Accepted.live() && !S::Declined.live());
        for s in S::ALL {
            assert_eq!(S::parse(s.as_str()), Some(s));
        }
    }
}
