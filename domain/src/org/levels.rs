//! Levels: the deployment's level set (which level may hold which) and each level's term.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// Stable key stored in the database, e.g. `committee`.
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// Keys of the levels allowed directly beneath this one.
    pub children: Vec<String>,
    /// Default term length in years (换届): 5 for community level, 3 otherwise.
    pub term_years: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelSet {
    pub levels: Vec<Level>,
}

fn level(key: &str, zh: &str, en: &str, children: &[&str], term_years: u8) -> Level {
    Level {
        key: key.into(),
        name_zh: zh.into(),
        name_en: en.into(),
        children: children.iter().map(|s| s.to_string()).collect(),
        term_years,
    }
}

impl LevelSet {
    /// Qixia / Leshan: 街道党工委 → 社区党委 → 小区党支部 → 楼栋党小组 → 党员中心户.
    pub fn five_level() -> Self {
        LevelSet {
            levels: vec![
                level(
                    "working-committee",
                    "街道党工委",
                    "Street working committee",
                    &["committee"],
                    5,
                ),
                level(
                    "committee",
                    "社区党委",
                    "Community committee",
                    &["branch"],
                    5,
                ),
                level("branch", "小区党支部", "Compound branch", &["group"], 3),
                level(
                    "group",
                    "楼栋党小组",
                    "Building group",
                    &["central-household"],
                    3,
                ),
                level(
                    "central-household",
                    "党员中心户",
                    "Central household",
                    &[],
                    3,
                ),
            ],
        }
    }

    /// Tongchuan: 社区党组织 → 网格党支部 → 楼栋党小组 → 党员中心户.
    pub fn four_level() -> Self {
        LevelSet {
            levels: vec![
                level(
                    "committee",
                    "社区党组织",
                    "Community party organisation",
                    &["branch"],
                    5,
                ),
                level("branch", "网格党支部", "Grid branch", &["group"], 3),
                level(
                    "group",
                    "楼栋党小组",
                    "Building group",
                    &["central-household"],
                    3,
                ),
                level(
                    "central-household",
                    "党员中心户",
                    "Central household",
                    &[],
                    3,
                ),
            ],
        }
    }

    /// A district-wide tree as 智慧党建 systems export it: 区委 → 党工委 (street, 机关工委) →
    /// 党委 → 党总支 → 党支部 → 党小组, where committees sit inside committees (机关工委 → 局党委 →
    /// 下属单位党委) and a 党支部 hangs wherever its organisation does (under the district
    /// committee, a working committee, a committee or a general branch). Its keys are the
    /// five-level set's, so a street's tree kept in `five` fits it unchanged.
    pub fn district_wide() -> Self {
        LevelSet {
            levels: vec![
                level(
                    "district-committee",
                    "区委",
                    "District committee",
                    &["working-committee", "committee", "general-branch", "branch"],
                    5,
                ),
                level(
                    "working-committee",
                    "党工委",
                    "Working committee",
                    &["committee", "general-branch", "branch"],
                    5,
                ),
                level(
                    "committee",
                    "党委",
                    "Party committee",
                    &["committee", "general-branch", "branch"],
                    5,
                ),
                level("general-branch", "党总支", "General branch", &["branch"], 3),
                level("branch", "党支部", "Branch", &["group"], 3),
                level("group", "党小组", "Party group", &["central-household"], 3),
                level(
                    "central-household",
                    "党员中心户",
                    "Central household",
                    &[],
                    3,
                ),
            ],
        }
    }

    pub fn get(&self, key: &str) -> Option<&Level> {
        self.levels.iter().find(|l| l.key == key)
    }

    /// The level a tree's root must have.
    pub fn root(&self) -> &Level {
        &self.levels[0]
    }

    pub fn allows_child(&self, parent: &str, child: &str) -> bool {
        self.get(parent)
            .is_some_and(|p| p.children.iter().any(|c| c == child))
    }

    /// The level set stored in the `org_levels` setting: `five`, `four`, `district`, or a JSON
    /// `LevelSet`.
    pub fn from_setting(value: &str) -> Option<LevelSet> {
        match value.trim() {
            "" | "five" => Some(LevelSet::five_level()),
            "four" => Some(LevelSet::four_level()),
            "district" => Some(LevelSet::district_wide()),
            json => serde_json::from_str::<LevelSet>(json)
                .ok()
                .filter(|s| s.is_consistent()),
        }
    }

    /// Non-empty, unique keys, children naming known levels. A level may be allowed beneath
    /// itself (a committee inside a committee): the tree's rules refuse cycles of units, not of
    /// levels.
    pub fn is_consistent(&self) -> bool {
        let keys: HashSet<&str> = self.levels.iter().map(|l| l.key.as_str()).collect();
        !self.levels.is_empty()
            && keys.len() == self.levels.len()
            && self.levels.iter().all(|l| {
                !l.key.is_empty()
                    && (1..=10).contains(&l.term_years)
                    && l.children.iter().all(|c| keys.contains(c.as_str()))
            })
    }

    /// The name of a level in the UI's language, or the key itself for an unknown level.
    pub fn name(&self, key: &str, zh: bool) -> String {
        self.get(key)
            .map(|l| {
                if zh {
                    l.name_zh.clone()
                } else {
                    l.name_en.clone()
                }
            })
            .unwrap_or_else(|| key.to_owned())
    }

    /// Default term length for a level (3 years when the level is unknown).
    pub fn term_years(&self, key: &str) -> u8 {
        self.get(key).map(|l| l.term_years).unwrap_or(3)
    }

    /// Depth of a level key (0 for the root level).
    pub fn depth(&self, key: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.key == key)
    }
}

/// Longest unit name (characters). Names are plain text: markup is kept as typed and shown escaped.
pub const MAX_NAME: usize = 60;
/// Longest person name, role holder's resident unit, move/dissolve reason and document number.
pub const MAX_PERSON: usize = 40;
pub const MAX_REASON: usize = 200;
pub const MAX_DOC_NO: usize = 60;
/// The most units one import may carry.
pub const MAX_IMPORT_ROWS: usize = 20_000;

#[cfg(test)]
mod tests {
    use crate::org::*;

    #[test]
    fn five_level_chain() {
        let s = LevelSet::five_level();
        assert_eq!(s.root().name_zh, "街道党工委");
        assert!(s.allows_child("working-committee", "committee"));
        assert!(s.allows_child("group", "central-household"));
        assert!(
            !s.allows_child("committee", "group"),
            "levels cannot be skipped"
        );
        assert!(!s.allows_child("central-household", "group"));
        assert!(!s.allows_child("nonsense", "group"));
        assert_eq!(s.get("committee").unwrap().term_years, 5);
        assert_eq!(s.get("branch").unwrap().term_years, 3);
    }

    #[test]
    fn four_level_chain_is_just_configuration() {
        let s = LevelSet::four_level();
        assert_eq!(s.levels.len(), 4);
        assert_eq!(s.depth("central-household"), Some(3));
        assert!(s.allows_child("committee", "branch"));
        assert!(s.get("working-committee").is_none());
    }

    #[test]
    fn level_sets_come_from_the_setting() {
        assert_eq!(LevelSet::from_setting(""), Some(LevelSet::five_level()));
        assert_eq!(LevelSet::from_setting("four"), Some(LevelSet::four_level()));
        let json = serde_json::to_string(&LevelSet::four_level()).unwrap();
        assert_eq!(LevelSet::from_setting(&json), Some(LevelSet::four_level()));
        let mut broken = LevelSet::four_level();
        broken.levels[0].children = vec!["nowhere".into()];
        let json = serde_json::to_string(&broken).unwrap();
        assert_eq!(
            LevelSet::from_setting(&json),
            None,
            "children must name levels"
        );
        assert_eq!(LevelSet::from_setting("{"), None);
    }

    #[test]
    fn the_district_wide_set_nests_committees_and_hangs_branches_at_any_depth() {
        let s = LevelSet::district_wide();
        assert!(s.is_consistent());
        assert_eq!(LevelSet::from_setting("district"), Some(s.clone()));
        assert!(
            s.allows_child("committee", "committee"),
            "机关工委 → 局党委"
        );
        for parent in [
            "district-committee",
            "working-committee",
            "committee",
            "general-branch",
        ] {
            assert!(s.allows_child(parent, "branch"), "{parent}");
        }
        assert!(!s.allows_child("branch", "branch"));
        assert!(!s.allows_child("group", "branch"));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(LevelSet::from_setting(&json), Some(s));
    }
}
