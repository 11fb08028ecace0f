//! Units and trees the organisation tests share.

use super::*;

pub fn u(id: i64, parent: Option<i64>, code: &str, level: &str, name: &str) -> OrgUnit {
    OrgUnit {
        id,
        parent,
        code: code.into(),
        level: level.into(),
        name: name.into(),
        secretary: None,
        grid: None,
        term_start: None,
        term_years: 3,
        members: 1,
        version: 1,
    }
}

/// 街道 1 → 社区 2, 3 → 支部 4 (under 2), 5 (under 3) → 小组 6 (under 4).
pub fn tree() -> Tree {
    Tree::new(vec![
        u(6, Some(4), "3201130010101", "group", "1号楼党小组"),
        u(1, None, "320113", "working-committee", "栖霞街道党工委"),
        u(2, Some(1), "320113001", "committee", "甲社区党委"),
        u(3, Some(1), "320113002", "committee", "乙社区党委"),
        u(4, Some(2), "32011300101", "branch", "甲一支部"),
        u(5, Some(3), "32011300201", "branch", "乙一支部"),
    ])
}
