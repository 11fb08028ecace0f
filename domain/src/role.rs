//! Who may do what. Every server function asks these questions of the caller's `Principal`;
//! the answers never depend on anything the browser sends except the object being touched.

use crate::code::Code;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Accounts, roles, scopes, imports, backups. Unscoped.
    Admin,
    /// Community secretary / 组织委员: scoped to a party-unit subtree.
    Organiser,
    /// 网格员: scoped to a grid subtree.
    GridWorker,
    /// 居民: scoped to a community (a level-1 grid).
    Resident,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Organiser,
        Role::GridWorker,
        Role::Resident,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Organiser => "organiser",
            Role::GridWorker => "grid-worker",
            Role::Resident => "resident",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Staff roles handle residents' personal data and may be held to a stricter password policy.
    pub fn is_staff(self) -> bool {
        !matches!(self, Role::Resident)
    }

    /// Organisers and administrators publish events (for units in their scope); the calendar
    /// shows them the publishing tools.
    pub fn publishes_events(self) -> bool {
        matches!(self, Role::Admin | Role::Organiser)
    }

    /// Whether an account of this role must carry a scope code.
    pub fn needs_scope(self) -> bool {
        !matches!(self, Role::Admin)
    }
}

/// The authenticated caller, as the server reconstructs it from the session on every request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// Party-unit code for organisers, grid code for grid workers and residents; `None` for admins.
    pub scope: Option<Code>,
    /// A party member (党员), whatever the role.
    #[serde(default)]
    pub party_member: bool,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    fn scope_covers(&self, code: &Code) -> bool {
        self.scope.as_ref().is_some_and(|s| code.is_within(s))
    }

    /// Manage accounts, roles, scopes and settings.
    pub fn can_administer(&self) -> bool {
        self.is_admin()
    }

    /// Erase one's own account (PIPL). Residents only: staff accounts sign the grid and
    /// organisation history and are disabled by an administrator instead.
    pub fn can_erase_own_account(&self) -> bool {
        self.role == Role::Resident
    }

    /// Save grid edits at all (each grid touched is then asked `can_edit_grid`).
    pub fn can_edit_grids(&self) -> bool {
        self.is_admin() || self.role == Role::GridWorker
    }

    /// Draw or import grids of the top level (a new street or community): the whole map's
    /// administrators only; on an empty deployment this is how the map begins.
    pub fn can_add_top_level_grids(&self) -> bool {
        self.is_admin()
    }

    /// The party-unit code prefix whose participation statistics the caller may read (`""`: the
    /// whole district), or `None`.
    pub fn statistics_scope(&self) -> Option<String> {
        match (self.role, &self.scope) {
            (Role::Admin, _) => Some(String::new()),
            (Role::Organiser, Some(s)) => Some(s.to_string()),
            _ => None,
        }
    }

    /// Redraw or re-attribute the grid `grid`.
    pub fn can_edit_grid(&self, grid: &Code) -> bool {
        self.is_admin() || (self.role == Role::GridWorker && self.scope_covers(grid))
    }

    /// Add, move, rename, staff or dissolve the organisation unit `unit`.
    pub fn can_edit_unit(&self, unit: &Code) -> bool {
        self.is_admin() || (self.role == Role::Organiser && self.scope_covers(unit))
    }

    /// Publish or change events organised by the organisation unit `unit`.
    pub fn can_publish_event(&self, unit: &Code) -> bool {
        self.can_edit_unit(unit)
    }

    /// Name the grid `grid` as the place of an event or the grid of an organisation unit. Staff other
    /// than administrators may only name grids of their own area: inside their scope, or one of
    /// the grids their scope lies in (a street's service centre); never a neighbouring
    /// community's. Codes of grids and organisation units share one hierarchy (a community's committee
    /// has the community grid's code), so this is a prefix test too.
    pub fn can_link_grid(&self, grid: &Code) -> bool {
        self.is_admin()
            || (matches!(self.role, Role::Organiser | Role::GridWorker)
                && self.scope.as_ref().is_some_and(|s| grid.is_related(s)))
    }

    /// See personal data (names of members, unmasked contact fields on request) about `unit`'s people.
    pub fn can_see_unit_people(&self, unit: &Code) -> bool {
        self.can_edit_unit(unit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(role: Role, scope: Option<&str>) -> Principal {
        Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: scope.map(|s| Code::parse(s).unwrap()),
            party_member: false,
        }
    }

    #[test]
    fn roles_round_trip_through_text() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn scope_decides_edits() {
        let grid_in = Code::parse("32011300100101").unwrap();
        let grid_out = Code::parse("32011300100201").unwrap();
        let worker = p(Role::GridWorker, Some("320113001001"));
        assert!(worker.can_edit_grid(&grid_in));
        assert!(!worker.can_edit_grid(&grid_out));
        assert!(
            !worker.can_edit_unit(&grid_in),
            "a grid worker is not an organiser"
        );

        let organiser = p(Role::Organiser, Some("320113001001"));
        assert!(organiser.can_edit_unit(&grid_in));
        assert!(!organiser.can_edit_unit(&grid_out));
        assert!(!organiser.can_edit_grid(&grid_in));
        assert!(!organiser.can_administer());

        let resident = p(Role::Resident, Some("320113001001"));
        assert!(!resident.can_edit_grid(&grid_in));
        assert!(!resident.can_edit_unit(&grid_in));
        assert!(!resident.can_administer());

        let admin = p(Role::Admin, None);
        assert!(
            admin.can_edit_grid(&grid_out)
                && admin.can_edit_unit(&grid_out)
                && admin.can_administer()
        );
    }

    #[test]
    fn grids_named_as_places_must_be_of_ones_own_area() {
        let organiser = p(Role::Organiser, Some("320113001001"));
        let c = |s: &str| Code::parse(s).unwrap();
        assert!(
            organiser.can_link_grid(&c("32011300100101")),
            "a grid inside"
        );
        assert!(
            organiser.can_link_grid(&c("320113001001")),
            "its own community"
        );
        assert!(
            organiser.can_link_grid(&c("320113001")),
            "the street it lies in"
        );
        assert!(!organiser.can_link_grid(&c("320113001002")), "a neighbour");
        assert!(!organiser.can_link_grid(&c("32011300100201")));
        assert!(!p(Role::Resident, Some("320113001001")).can_link_grid(&c("320113001001")));
        assert!(p(Role::Admin, None).can_link_grid(&c("320113002")));
    }

    #[test]
    fn statistics_and_publishing_by_role() {
        assert_eq!(p(Role::Admin, None).statistics_scope(), Some(String::new()));
        assert_eq!(
            p(Role::Organiser, Some("320113001001")).statistics_scope(),
            Some("320113001001".into())
        );
        assert_eq!(
            p(Role::GridWorker, Some("320113001001")).statistics_scope(),
            None
        );
        assert_eq!(
            p(Role::Resident, Some("320113001001")).statistics_scope(),
            None
        );
        assert!(Role::Organiser.publishes_events() && Role::Admin.publishes_events());
        assert!(!Role::GridWorker.publishes_events() && !Role::Resident.publishes_events());
        assert!(p(Role::GridWorker, Some("1")).can_edit_grids());
        assert!(!p(Role::Organiser, Some("1")).can_edit_grids());
    }

    #[test]
    fn a_scoped_role_without_scope_may_touch_nothing() {
        let worker = p(Role::GridWorker, None);
        assert!(!worker.can_edit_grid(&Code::parse("1").unwrap()));
    }
}
