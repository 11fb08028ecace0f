//! The tree in memory: visible rows, search, moves checked before the drop, counts.

use super::*;
use crate::code::Code;
use std::collections::{HashMap, HashSet};

/// One row of the flattened, visible tree: what a virtualised tree renders, with the ARIA
/// position every rendered item must carry (not all items are in the DOM).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VisibleRow {
    pub id: i64,
    /// 1-based (`aria-level`).
    pub depth: usize,
    pub setsize: usize,
    pub posinset: usize,
    pub has_children: bool,
    pub expanded: bool,
}

/// The live units, indexed for the editor's and the server's questions.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    units: Vec<OrgUnit>,
    index: HashMap<i64, usize>,
    children: HashMap<i64, Vec<i64>>,
    roots: Vec<i64>,
}

impl Tree {
    pub fn new(mut units: Vec<OrgUnit>) -> Tree {
        units.sort_by(|a, b| a.code.cmp(&b.code));
        let index: HashMap<i64, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
        let mut roots = Vec::new();
        for u in &units {
            match u.parent.filter(|p| index.contains_key(p)) {
                Some(p) => children.entry(p).or_default().push(u.id),
                None => roots.push(u.id),
            }
        }
        Tree {
            units,
            index,
            children,
            roots,
        }
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    pub fn units(&self) -> &[OrgUnit] {
        &self.units
    }

    pub fn get(&self, id: i64) -> Option<&OrgUnit> {
        self.index.get(&id).map(|&i| &self.units[i])
    }

    pub fn by_code(&self, code: &str) -> Option<&OrgUnit> {
        self.units
            .binary_search_by(|u| u.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.units[i])
    }

    pub fn roots(&self) -> &[i64] {
        &self.roots
    }

    pub fn children(&self, id: i64) -> &[i64] {
        self.children.get(&id).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn parent(&self, id: i64) -> Option<i64> {
        self.get(id)
            .and_then(|u| u.parent)
            .filter(|p| self.index.contains_key(p))
    }

    /// The unit's ancestors, nearest first.
    pub fn ancestors(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut at = self.parent(id);
        while let Some(p) = at {
            if out.contains(&p) || out.len() > self.units.len() {
                break;
            }
            out.push(p);
            at = self.parent(p);
        }
        out
    }

    /// True when `id` is `of` or lies beneath it.
    pub fn is_within(&self, id: i64, of: i64) -> bool {
        id == of || self.ancestors(id).contains(&of)
    }

    /// The unit and everything beneath it, in tree order.
    pub fn subtree(&self, id: i64) -> Vec<i64> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.children(n).iter().rev());
        }
        out
    }

    /// The rows to render: roots, then the children of every expanded unit. With `only`, just those
    /// units are shown (search results and their ancestors), all opened.
    pub fn visible(&self, expanded: &HashSet<i64>, only: Option<&HashSet<i64>>) -> Vec<VisibleRow> {
        let keep = |id: &i64| only.is_none_or(|o| o.contains(id));
        let mut out = Vec::new();
        let mut stack: Vec<(i64, usize, usize, usize)> = Vec::new();
        let push_level =
            |stack: &mut Vec<(i64, usize, usize, usize)>, ids: &[i64], depth: usize| {
                let shown: Vec<i64> = ids.iter().copied().filter(keep).collect();
                let n = shown.len();
                for (i, id) in shown.into_iter().enumerate().rev() {
                    stack.push((id, depth, n, i + 1));
                }
            };
        push_level(&mut stack, &self.roots, 1);
        while let Some((id, depth, setsize, posinset)) = stack.pop() {
            let kids = self.children(id);
            let has_children = if only.is_some() {
                kids.iter().any(keep)
            } else {
                !kids.is_empty()
            };
            let open = has_children && (only.is_some() || expanded.contains(&id));
            out.push(VisibleRow {
                id,
                depth,
                setsize,
                posinset,
                has_children,
                expanded: open,
            });
            if open {
                push_level(&mut stack, kids, depth + 1);
            }
        }
        out
    }

    /// Units whose name contains `query` (ignoring case) or whose code starts with it, in tree order.
    pub fn search(&self, query: &str) -> Vec<i64> {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return Vec::new();
        }
        self.units
            .iter()
            .filter(|u| u.code.starts_with(&q) || u.name.to_lowercase().contains(&q))
            .map(|u| u.id)
            .collect()
    }

    /// The matches and every ancestor of a match: what a filtered tree shows.
    pub fn reveal(&self, matches: &[i64]) -> HashSet<i64> {
        let mut keep = HashSet::new();
        for &m in matches {
            if keep.insert(m) {
                for a in self.ancestors(m) {
                    if !keep.insert(a) {
                        break;
                    }
                }
            }
        }
        keep
    }

    /// Every unit that has children (expand all).
    pub fn parents(&self) -> HashSet<i64> {
        self.children.keys().copied().collect()
    }

    /// Number of units per level key.
    pub fn count_by_level(&self) -> HashMap<String, usize> {
        let mut m = HashMap::new();
        for u in &self.units {
            *m.entry(u.level.clone()).or_insert(0) += 1;
        }
        m
    }

    /// Party members recorded on each unit and everything beneath it.
    pub fn members_under(&self) -> HashMap<i64, i64> {
        let mut total: HashMap<i64, i64> = self.units.iter().map(|u| (u.id, u.members)).collect();
        // Deepest first, adding each unit's total into its parent.
        let mut order: Vec<(usize, i64)> = Vec::with_capacity(self.units.len());
        let mut stack: Vec<(i64, usize)> = self.roots.iter().map(|&r| (r, 0)).collect();
        while let Some((id, d)) = stack.pop() {
            order.push((d, id));
            stack.extend(self.children(id).iter().map(|&c| (c, d + 1)));
        }
        order.sort_by(|a, b| b.0.cmp(&a.0));
        for (_, id) in order {
            if let Some(p) = self.parent(id) {
                let own = total[&id];
                *total.entry(p).or_insert(0) += own;
            }
        }
        total
    }

    /// May `ids` move beneath `target`? Every rule the server applies, in the order a user can fix
    /// them: the target's level must allow each unit's level, no unit may go beneath itself, and
    /// the caller must be allowed to edit each unit and the target (`editable` by code).
    pub fn can_move(
        &self,
        levels: &LevelSet,
        ids: &[i64],
        target: i64,
        editable: impl Fn(&str) -> bool,
    ) -> Result<(), OrgError> {
        let t = self.get(target).ok_or(OrgError::UnknownUnit)?;
        if !editable(&t.code) {
            return Err(OrgError::OutOfScope {
                unit: t.name.clone(),
            });
        }
        for &id in ids {
            let u = self.get(id).ok_or(OrgError::UnknownUnit)?;
            if self.is_within(target, id) {
                return Err(OrgError::Cycle {
                    unit: u.name.clone(),
                });
            }
            if !levels.allows_child(&t.level, &u.level) {
                return Err(OrgError::LevelNotAllowed {
                    child: levels.name(&u.level, true),
                    parent: levels.name(&t.level, true),
                });
            }
            if !editable(&u.code) {
                return Err(OrgError::OutOfScope {
                    unit: u.name.clone(),
                });
            }
            if u.parent == Some(target) {
                return Err(OrgError::SameParent {
                    unit: u.name.clone(),
                });
            }
        }
        Ok(())
    }

    /// May a unit of `level` be added beneath `parent`?
    pub fn can_add(
        &self,
        levels: &LevelSet,
        parent: i64,
        level: &str,
        editable: impl Fn(&str) -> bool,
    ) -> Result<(), OrgError> {
        let p = self.get(parent).ok_or(OrgError::UnknownUnit)?;
        if !editable(&p.code) {
            return Err(OrgError::OutOfScope {
                unit: p.name.clone(),
            });
        }
        if !levels.allows_child(&p.level, level) {
            return Err(OrgError::LevelNotAllowed {
                child: levels.name(level, true),
                parent: levels.name(&p.level, true),
            });
        }
        Ok(())
    }

    /// May the unit be dissolved? Not while live units remain beneath it.
    pub fn can_dissolve(&self, id: i64, editable: impl Fn(&str) -> bool) -> Result<(), OrgError> {
        let u = self.get(id).ok_or(OrgError::UnknownUnit)?;
        if !editable(&u.code) {
            return Err(OrgError::OutOfScope {
                unit: u.name.clone(),
            });
        }
        if !self.children(id).is_empty() {
            return Err(OrgError::HasChildren {
                unit: u.name.clone(),
            });
        }
        Ok(())
    }

    /// The codes a move gives: the unit becomes the next child of `target` (its old code is never
    /// reused by a sibling because codes of dissolved units stay taken: pass them in `taken`), and
    /// everything beneath it keeps its suffix under the new prefix. Returns `(id, old, new)`.
    pub fn recode(&self, id: i64, target: i64, taken: &[String]) -> Vec<(i64, String, String)> {
        let (Some(u), Some(t)) = (self.get(id), self.get(target)) else {
            return Vec::new();
        };
        let Ok(tcode) = Code::parse(&t.code) else {
            return Vec::new();
        };
        let siblings = self
            .children(target)
            .iter()
            .filter_map(|c| self.get(*c))
            .map(|c| c.code.as_str())
            .chain(taken.iter().map(String::as_str));
        let width = u.code.len()
            - self
                .parent(id)
                .and_then(|p| self.get(p))
                .map_or(0, |p| p.code.len());
        let new_code = tcode.next_child(siblings, Some(width)).to_string();
        let old = u.code.clone();
        self.subtree(id)
            .into_iter()
            .filter_map(|n| self.get(n))
            .map(|n| {
                (
                    n.id,
                    n.code.clone(),
                    format!("{new_code}{}", &n.code[old.len()..]),
                )
            })
            .collect()
    }

    /// The code of a new child of `parent`, after its children and the `taken` codes.
    pub fn new_child_code(&self, parent: i64, level: &str, taken: &[String]) -> Option<String> {
        let p = self.get(parent)?;
        let pcode = Code::parse(&p.code).ok()?;
        let width = self
            .children(parent)
            .first()
            .and_then(|c| self.get(*c))
            .map(|c| c.code.len() - p.code.len())
            .unwrap_or(if level == "committee" { 3 } else { 2 });
        let siblings = self
            .children(parent)
            .iter()
            .filter_map(|c| self.get(*c))
            .map(|c| c.code.as_str())
            .chain(taken.iter().map(String::as_str));
        Some(pcode.next_child(siblings, Some(width)).to_string())
    }
}

#[cfg(test)]
mod tests {
    use crate::org::testing::*;
    use crate::org::*;
    use std::collections::HashSet;

    #[test]
    fn visible_rows_carry_aria_positions() {
        let t = tree();
        let rows = t.visible(&HashSet::new(), None);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].depth, rows[0].setsize, rows[0].posinset),
            (1, 1, 1)
        );
        assert!(rows[0].has_children && !rows[0].expanded);
        let rows = t.visible(&HashSet::from([1, 2]), None);
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            vec![1, 2, 4, 3],
            "tree order, children after their parent"
        );
        let r3 = rows.iter().find(|r| r.id == 3).unwrap();
        assert_eq!((r3.depth, r3.setsize, r3.posinset), (2, 2, 2));
        let r4 = rows.iter().find(|r| r.id == 4).unwrap();
        assert_eq!((r4.depth, r4.setsize, r4.posinset), (3, 1, 1));
        assert!(r4.has_children && !r4.expanded);
        let all = t.visible(&t.parents(), None);
        assert_eq!(all.len(), 6);
        assert!(all.iter().filter(|r| !r.has_children).all(|r| !r.expanded));
    }

    #[test]
    fn search_reveals_ancestors_only() {
        let t = tree();
        let m = t.search("小组");
        assert_eq!(m, vec![6]);
        let keep = t.reveal(&m);
        assert_eq!(keep, HashSet::from([6, 4, 2, 1]));
        let rows = t.visible(&HashSet::new(), Some(&keep));
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(
            ids,
            vec![1, 2, 4, 6],
            "opened along the path, siblings hidden"
        );
        assert_eq!(rows[1].setsize, 1, "set size counts shown siblings");
        assert_eq!(t.search("3201130020"), vec![5], "code prefix matches");
        assert!(t.search("  ").is_empty());
    }

    #[test]
    fn moves_check_level_cycle_scope_before_the_drop() {
        let t = tree();
        let l = LevelSet::five_level();
        let all = |_: &str| true;
        assert_eq!(t.can_move(&l, &[4], 3, all), Ok(()));
        assert!(matches!(
            t.can_move(&l, &[4], 1, all),
            Err(OrgError::LevelNotAllowed { .. })
        ));
        assert!(matches!(
            t.can_move(&l, &[2], 6, all),
            Err(OrgError::Cycle { .. })
        ));
        assert!(matches!(
            t.can_move(&l, &[2], 2, all),
            Err(OrgError::Cycle { .. })
        ));
        assert!(matches!(
            t.can_move(&l, &[4], 2, all),
            Err(OrgError::SameParent { .. })
        ));
        let only_a = |c: &str| c.starts_with("320113001");
        assert!(matches!(
            t.can_move(&l, &[4], 3, only_a),
            Err(OrgError::OutOfScope { unit }) if unit == "乙社区党委"
        ));
        assert_eq!(t.can_move(&l, &[4, 99], 3, all), Err(OrgError::UnknownUnit));
        assert!(matches!(t.can_add(&l, 4, "group", all), Ok(())));
        assert!(matches!(
            t.can_add(&l, 4, "committee", all),
            Err(OrgError::LevelNotAllowed { .. })
        ));
        assert!(matches!(
            t.can_dissolve(4, all),
            Err(OrgError::HasChildren { .. })
        ));
        assert_eq!(t.can_dissolve(6, all), Ok(()));
    }

    #[test]
    fn a_move_recodes_the_subtree_under_the_new_parent() {
        let t = tree();
        let codes = t.recode(4, 3, &[]);
        assert_eq!(
            codes,
            vec![
                (4, "32011300101".to_string(), "32011300202".to_string()),
                (6, "3201130010101".to_string(), "3201130020201".to_string()),
            ]
        );
        let codes = t.recode(4, 3, &["32011300202".to_string()]);
        assert_eq!(
            codes[0].2, "32011300203",
            "codes of dissolved units stay taken"
        );
        assert_eq!(
            t.new_child_code(4, "group", &[]).as_deref(),
            Some("3201130010102")
        );
        assert_eq!(
            t.new_child_code(5, "group", &[]).as_deref(),
            Some("3201130020101")
        );
    }

    #[test]
    fn counts_per_level_and_members_beneath() {
        let t = tree();
        assert_eq!(t.count_by_level()["committee"], 2);
        let m = t.members_under();
        assert_eq!(m[&1], 6);
        assert_eq!(m[&2], 3);
        assert_eq!(m[&6], 1);
    }

    #[test]
    fn committees_inside_committees_move_and_nest_but_never_beneath_themselves() {
        // 区委 → 机关工委 → 局党委 → 下属单位党委 → 党支部, and a 党支部 straight under the 区委.
        let levels = LevelSet::district_wide();
        let t = Tree::new(vec![
            u(1, None, "320113", "district-committee", "栖霞区委"),
            u(2, Some(1), "320113001", "working-committee", "区级机关工委"),
            u(3, Some(2), "32011300101", "committee", "区教育局党委"),
            u(
                4,
                Some(3),
                "3201130010101",
                "committee",
                "区教育局下属学校党委",
            ),
            u(5, Some(4), "320113001010101", "branch", "某小学党支部"),
            u(6, Some(1), "320113002", "branch", "区委直属党支部"),
        ]);
        let all = |_: &str| true;
        assert_eq!(t.can_add(&levels, 4, "committee", all), Ok(()));
        assert_eq!(t.can_add(&levels, 1, "branch", all), Ok(()));
        assert!(
            t.can_add(&levels, 5, "branch", all).is_err(),
            "a branch holds groups"
        );
        // The school committee moves up beside its bureau: a committee under a working committee.
        assert_eq!(t.can_move(&levels, &[4], 2, all), Ok(()));
        // The bureau's committee may not go beneath its own school committee.
        assert!(matches!(
            t.can_move(&levels, &[3], 4, all),
            Err(OrgError::Cycle { .. })
        ));
    }
}
