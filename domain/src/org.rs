//! Party organisation levels. The level set is deployment configuration (Qixia uses five levels,
//! Tongchuan four), so rules ask the `LevelSet` rather than naming levels in code.

use serde::{Deserialize, Serialize};

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

    /// Depth of a level key (0 for the root level).
    pub fn depth(&self, key: &str) -> Option<usize> {
        self.levels.iter().position(|l| l.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
