//! The edits a unit can receive, their undo (`inverse`) and the undo stack.

use super::*;
use serde::{Deserialize, Serialize};

/// One edit of the tree. Units are named by id (codes change when a unit moves) and carry the
/// version the editor saw, so an edit based on an old version is refused, never merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum OrgCommand {
    Add {
        parent: i64,
        level: String,
        name: String,
    },
    Rename {
        id: i64,
        version: i64,
        name: String,
    },
    /// Re-parent; the unit and everything beneath it get codes under the new parent.
    Move {
        id: i64,
        version: i64,
        parent: i64,
        reason: String,
        doc_no: String,
    },
    /// Kept in history with reason and 文号; refused while units remain beneath it.
    Dissolve {
        id: i64,
        version: i64,
        reason: String,
        doc_no: String,
    },
    /// Brings a dissolved unit back (the undo of a dissolution).
    Reinstate {
        id: i64,
        version: i64,
    },
    Details {
        id: i64,
        version: i64,
        details: UnitDetails,
    },
}

impl OrgCommand {
    /// The unit the command changes (the parent for `Add`).
    pub fn unit(&self) -> i64 {
        match self {
            OrgCommand::Add { parent, .. } => *parent,
            OrgCommand::Rename { id, .. }
            | OrgCommand::Move { id, .. }
            | OrgCommand::Dissolve { id, .. }
            | OrgCommand::Reinstate { id, .. }
            | OrgCommand::Details { id, .. } => *id,
        }
    }

    /// Checks the free-text fields; tree rules are `Tree::check`.
    pub fn clean(&self) -> Result<OrgCommand, OrgError> {
        Ok(match self {
            OrgCommand::Add {
                parent,
                level,
                name,
            } => OrgCommand::Add {
                parent: *parent,
                level: level.clone(),
                name: clean_name(name)?,
            },
            OrgCommand::Rename { id, version, name } => OrgCommand::Rename {
                id: *id,
                version: *version,
                name: clean_name(name)?,
            },
            OrgCommand::Move {
                id,
                version,
                parent,
                reason,
                doc_no,
            } => OrgCommand::Move {
                id: *id,
                version: *version,
                parent: *parent,
                reason: clean_reason(reason)?,
                doc_no: clean_doc_no(doc_no)?,
            },
            OrgCommand::Dissolve {
                id,
                version,
                reason,
                doc_no,
            } => OrgCommand::Dissolve {
                id: *id,
                version: *version,
                reason: clean_reason(reason)?,
                doc_no: clean_doc_no(doc_no)?,
            },
            OrgCommand::Reinstate { id, version } => OrgCommand::Reinstate {
                id: *id,
                version: *version,
            },
            OrgCommand::Details {
                id,
                version,
                details,
            } => OrgCommand::Details {
                id: *id,
                version: *version,
                details: details.check()?,
            },
        })
    }
}

/// One undoable edit: what was sent, and the commands that take it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub forward: Vec<OrgCommand>,
    pub inverse: Vec<OrgCommand>,
}

/// Undo and redo over committed edits. Versions in stored commands are refreshed from the tree
/// when they are replayed (`with_versions`), so an undo after someone else's change is refused
/// as a conflict only when that person touched the same unit.
#[derive(Debug, Clone, Default)]
pub struct Undo {
    done: Vec<Edit>,
    undone: Vec<Edit>,
}

impl Undo {
    pub fn push(&mut self, e: Edit) {
        self.done.push(e);
        if self.done.len() > 100 {
            self.done.remove(0);
        }
        self.undone.clear();
    }
    pub fn take_undo(&mut self) -> Option<Edit> {
        self.done.pop()
    }
    pub fn take_redo(&mut self) -> Option<Edit> {
        self.undone.pop()
    }
    /// Puts an edit that was undone (and succeeded) on the redo stack.
    pub fn undone(&mut self, e: Edit) {
        self.undone.push(e);
    }
    /// Puts an edit that was redone (and succeeded) back on the undo stack without clearing redo.
    pub fn redone(&mut self, e: Edit) {
        self.done.push(e);
    }
    pub fn can_undo(&self) -> bool {
        !self.done.is_empty()
    }
    pub fn can_redo(&self) -> bool {
        !self.undone.is_empty()
    }
}

impl OrgCommand {
    /// The command that takes this one back, given the tree before it ran (its unit's version
    /// one higher, as the command raised it); `reason` is written for moves and dissolutions.
    /// `None` for an addition (its inverse needs the id the server gives the new unit) and for
    /// details (they carry their own "before": the panel keeps it).
    pub fn inverse(&self, before: &Tree, reason: &str) -> Option<OrgCommand> {
        Some(match self {
            OrgCommand::Add { .. } | OrgCommand::Details { .. } => return None,
            OrgCommand::Rename { id, version, .. } => OrgCommand::Rename {
                id: *id,
                version: version + 1,
                name: before.get(*id)?.name.clone(),
            },
            OrgCommand::Move {
                id,
                version,
                doc_no,
                ..
            } => OrgCommand::Move {
                id: *id,
                version: version + 1,
                parent: before.parent(*id)?,
                reason: reason.to_owned(),
                doc_no: doc_no.clone(),
            },
            OrgCommand::Dissolve { id, version, .. } => OrgCommand::Reinstate {
                id: *id,
                version: version + 1,
            },
            OrgCommand::Reinstate { id, version } => OrgCommand::Dissolve {
                id: *id,
                version: version + 1,
                reason: reason.to_owned(),
                doc_no: String::new(),
            },
        })
    }
}

/// The command with the unit's version as the tree has it now (for replaying undo/redo).
pub fn with_version(c: &OrgCommand, version: i64) -> OrgCommand {
    let mut c = c.clone();
    match &mut c {
        OrgCommand::Add { .. } => {}
        OrgCommand::Rename { version: v, .. }
        | OrgCommand::Move { version: v, .. }
        | OrgCommand::Dissolve { version: v, .. }
        | OrgCommand::Reinstate { version: v, .. }
        | OrgCommand::Details { version: v, .. } => *v = version,
    }
    c
}

#[cfg(test)]
mod tests {
    use crate::org::testing::*;
    use crate::org::*;

    #[test]
    fn every_edit_but_additions_and_details_has_an_inverse() {
        let t = tree();
        let rename = OrgCommand::Rename {
            id: 4,
            version: 1,
            name: "新名".into(),
        };
        assert_eq!(
            rename.inverse(&t, "撤销"),
            Some(OrgCommand::Rename {
                id: 4,
                version: 2,
                name: "甲一支部".into()
            })
        );
        let moved = OrgCommand::Move {
            id: 4,
            version: 1,
            parent: 3,
            reason: "调整".into(),
            doc_no: "栖委〔2026〕1号".into(),
        };
        assert_eq!(
            moved.inverse(&t, "撤销"),
            Some(OrgCommand::Move {
                id: 4,
                version: 2,
                parent: 2,
                reason: "撤销".into(),
                doc_no: "栖委〔2026〕1号".into(),
            })
        );
        let dissolve = OrgCommand::Dissolve {
            id: 6,
            version: 1,
            reason: "x".into(),
            doc_no: String::new(),
        };
        assert_eq!(
            dissolve.inverse(&t, "撤销"),
            Some(OrgCommand::Reinstate { id: 6, version: 2 })
        );
        let back = OrgCommand::Reinstate { id: 6, version: 2 };
        assert!(matches!(
            back.inverse(&t, "撤销"),
            Some(OrgCommand::Dissolve {
                id: 6,
                version: 3,
                ..
            })
        ));
        let add = OrgCommand::Add {
            parent: 4,
            level: "group".into(),
            name: "x".into(),
        };
        assert_eq!(add.inverse(&t, ""), None);
        let unknown = OrgCommand::Rename {
            id: 99,
            version: 1,
            name: "x".into(),
        };
        assert_eq!(unknown.inverse(&t, ""), None);
    }

    #[test]
    fn commands_clean_their_text() {
        let long = "党".repeat(MAX_NAME + 1);
        let c = OrgCommand::Rename {
            id: 1,
            version: 1,
            name: long,
        };
        assert_eq!(c.clean(), Err(OrgError::Name));
        let c = OrgCommand::Rename {
            id: 1,
            version: 1,
            name: "  <b>x</b>  ".into(),
        };
        assert_eq!(
            c.clean(),
            Ok(OrgCommand::Rename {
                id: 1,
                version: 1,
                name: "<b>x</b>".into()
            }),
            "markup is kept as text and escaped when shown"
        );
        let c = OrgCommand::Dissolve {
            id: 1,
            version: 1,
            reason: " ".into(),
            doc_no: "".into(),
        };
        assert_eq!(c.clean(), Err(OrgError::Reason));
        let d = UnitDetails {
            term_start: Some("2026-02-30".into()),
            term_years: 5,
            grid: None,
            roles: vec![],
        };
        assert_eq!(d.check(), Err(OrgError::Date));
        let d = UnitDetails {
            term_start: None,
            term_years: 3,
            grid: None,
            roles: vec![RoleHolder {
                id: None,
                role: "boss".into(),
                person_name: "王".into(),
                phone: String::new(),
                resident_unit: String::new(),
            }],
        };
        assert_eq!(d.check(), Err(OrgError::Role));
        let json = serde_json::to_string(&OrgCommand::Reinstate { id: 3, version: 2 }).unwrap();
        assert_eq!(json, r#"{"op":"reinstate","id":3,"version":2}"#);
    }

    #[test]
    fn undo_stack_moves_edits_between_done_and_undone() {
        let e = Edit {
            forward: vec![OrgCommand::Reinstate { id: 1, version: 1 }],
            inverse: vec![],
        };
        let mut h = Undo::default();
        h.push(e.clone());
        let x = h.take_undo().unwrap();
        h.undone(x);
        assert!(h.can_redo() && !h.can_undo());
        let y = h.take_redo().unwrap();
        h.redone(y);
        assert!(h.can_undo() && !h.can_redo());
        assert_eq!(
            with_version(&e.forward[0], 7),
            OrgCommand::Reinstate { id: 1, version: 7 }
        );
    }
}
