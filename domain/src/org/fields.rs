//! A unit's details: role holders (secretary, …) and contact fields.

use super::*;
use crate::code::Code;
use crate::event::clean_text;
use serde::{Deserialize, Serialize};

/// Someone holding a role on a unit, as the details form submits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolder {
    /// The stored row this edits; `None` for a new one.
    pub id: Option<i64>,
    pub role: String,
    pub person_name: String,
    /// Full number for a new or changed phone; the masked form shown in the form keeps the stored one.
    pub phone: String,
    /// The resident unit (驻区单位) a part-time member comes from.
    pub resident_unit: String,
}

impl RoleHolder {
    pub fn check(&self) -> Result<RoleHolder, OrgError> {
        if !ROLES.contains(&self.role.as_str()) {
            return Err(OrgError::Role);
        }
        let person_name = clean_text(&self.person_name, MAX_PERSON, false)
            .filter(|n| !n.is_empty())
            .ok_or(OrgError::Person)?;
        let resident_unit =
            clean_text(&self.resident_unit, MAX_PERSON, false).ok_or(OrgError::Person)?;
        let phone = self.phone.trim().to_owned();
        if phone.chars().count() > 20
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || "+-* ".contains(c))
        {
            return Err(OrgError::Person);
        }
        Ok(RoleHolder {
            id: self.id,
            role: self.role.clone(),
            person_name,
            phone,
            resident_unit,
        })
    }
}

/// Details of a unit the organiser edits in its panel (name and place in the tree have their own commands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitDetails {
    pub term_start: Option<String>,
    pub term_years: u8,
    pub grid: Option<String>,
    pub roles: Vec<RoleHolder>,
}

impl UnitDetails {
    pub fn check(&self) -> Result<UnitDetails, OrgError> {
        let term_start = match self.term_start.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(d) => {
                parse_date(d)?;
                Some(d.to_owned())
            }
        };
        if !(1..=10).contains(&self.term_years) {
            return Err(OrgError::TermYears);
        }
        let grid = match self.grid.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(g) => Some(
                Code::parse(g)
                    .map_err(|_| OrgError::UnknownUnit)?
                    .to_string(),
            ),
        };
        if self.roles.len() > 500 {
            return Err(OrgError::Role);
        }
        let roles = self
            .roles
            .iter()
            .map(RoleHolder::check)
            .collect::<Result<_, _>>()?;
        Ok(UnitDetails {
            term_start,
            term_years: self.term_years,
            grid,
            roles,
        })
    }
}
