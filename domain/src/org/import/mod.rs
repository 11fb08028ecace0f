//! Importing organisation units from what systems export: CSV, XLSX or JSON (`table.rs`), its
//! columns and type values mapped to Linli's fields and levels (`mapping.rs`), each unit placed
//! under its parent and numbered (`place.rs`), then checked against the stored tree (`plan`).
//! Linli's own layout (组织编码, 名称, 层级, 上级组织编码, 书记, 任期开始, 网格编码) is one such
//! export: its codes are kept. Reading (feature `spreadsheet`, server only) and planning are pure:
//! the server commits a plan only when it has no problems, in one transaction, so an import is all
//! or nothing.

use crate::code::Code;
use crate::event::clean_text;
use crate::org::{clean_name, parse_date, Level, LevelSet, Tree, MAX_IMPORT_ROWS, MAX_PERSON};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

mod mapping;
mod place;
mod table;
pub use mapping::*;
pub use place::Stored;
pub use table::*;

/// The header row Linli's export writes (Chinese, the users' language), which the import reads
/// back as it is.
pub fn header() -> [&'static str; 7] {
    [
        "组织编码",
        "名称",
        "层级",
        "上级组织编码",
        "书记",
        "任期开始",
        "网格编码",
    ]
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// 1-based line in the file (the header is line 1), or position of a JSON record.
    pub line: usize,
    /// The unit's id in the file (a code of Linli's, or another system's id).
    pub source_id: String,
    /// The parent's id in the file, when it has one.
    pub source_parent: Option<String>,
    /// Linli's code: the stored unit's when the row updates it, the file's id when it is one of
    /// Linli's codes under the parent, else the next free code under the parent (set by `plan`).
    pub code: String,
    pub name: String,
    /// Level key.
    pub level: String,
    /// The parent's code (set by `plan`).
    pub parent: Option<String>,
    pub secretary: Option<String>,
    /// The secretary's phone.
    pub phone: Option<String>,
    pub term_start: Option<String>,
    /// Party members the source system counts on the unit.
    pub members: Option<i64>,
    pub grid: Option<String>,
    /// True when a unit with this code exists and the row updates it.
    pub update: bool,
}

/// One thing wrong with the file; `key` is a translation key, `args` fill its placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: usize,
    pub key: String,
    pub args: Vec<(String, String)>,
}

fn problem(line: usize, key: &str, args: &[(&str, &str)]) -> Problem {
    Problem {
        line,
        key: key.into(),
        args: args
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ImportPlan {
    pub rows: Vec<ImportRow>,
    pub problems: Vec<Problem>,
}

impl ImportPlan {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Places the rows (`place.rs`: duplicate ids, unknown parents, cycles, codes) and checks them
/// against the stored tree: levels not allowed beneath their parent, changes of parent or level
/// (use "Move to…"), grids that do not exist, rows outside the caller's scope. `editable(code)`
/// says whether the caller may edit the unit `code` (asked for every row, and for the parent of
/// every new unit; `""` asks whether they may add top-level units); `grid_usable(code)` says
/// whether a row may link the grid `code`, or the problem's key. Marks rows that update an
/// existing unit.
pub fn plan(
    mut plan: ImportPlan,
    stored: &Stored,
    levels: &LevelSet,
    editable: impl Fn(&str) -> bool,
    grid_usable: impl Fn(&str) -> Result<(), &'static str>,
) -> ImportPlan {
    // A file that could not be read whole is not checked row by row: fix the file first.
    if plan
        .problems
        .iter()
        .any(|p| FILE_LEVEL.contains(&p.key.as_str()))
    {
        return plan;
    }
    let tree = stored.tree;
    let mut problems = place::place(&mut plan.rows, stored);
    let in_file: HashMap<&str, &ImportRow> =
        plan.rows.iter().map(|r| (r.code.as_str(), r)).collect();
    let level_of = |code: &str| -> Option<String> {
        in_file
            .get(code)
            .map(|r| r.level.clone())
            .or_else(|| tree.by_code(code).map(|u| u.level.clone()))
    };
    for r in &plan.rows {
        if !editable(&r.code) {
            problems.push(problem(r.line, "org_import.scope", &[("code", &r.code)]));
            continue;
        }
        let existing = tree.by_code(&r.code);
        // A new unit is an addition under its parent: the caller must be allowed to add there
        // (the parent in their scope; `editable("")` for a unit without a parent), as in the
        // tree's own "add". A code inside the scope is not enough: the parent decides where the
        // unit hangs.
        if existing.is_none() && !editable(r.parent.as_deref().unwrap_or("")) {
            problems.push(problem(
                r.line,
                "org_import.parent_scope",
                &[
                    ("code", &r.code),
                    ("parent", r.parent.as_deref().unwrap_or("")),
                ],
            ));
            continue;
        }
        if let Some(u) = existing {
            let stored_parent = u.parent.and_then(|p| tree.get(p)).map(|p| p.code.clone());
            if stored_parent != r.parent {
                problems.push(problem(
                    r.line,
                    "org_import.parent_changed",
                    &[("code", &r.code)],
                ));
            }
            if !r.level.is_empty() && u.level != r.level {
                problems.push(problem(
                    r.line,
                    "org_import.level_changed",
                    &[("code", &r.code)],
                ));
            }
        }
        // A top-level unit may be of any level (an export of committees only has committees at
        // its top, and a district committee is often typed 党委 like the committees beneath it).
        if let Some(pl) = r.parent.as_deref().and_then(level_of) {
            if !r.level.is_empty() && !pl.is_empty() && !levels.allows_child(&pl, &r.level) {
                problems.push(problem(
                    r.line,
                    "org_import.level",
                    &[
                        ("child", &levels.name(&r.level, true)),
                        ("parent", &levels.name(&pl, true)),
                    ],
                ));
            }
        }
        if let Some(g) = &r.grid {
            if let Err(key) = grid_usable(g) {
                problems.push(problem(r.line, key, &[("grid", g)]));
            }
        }
    }
    plan.problems.extend(problems);
    plan.problems.sort_by_key(|p| p.line);
    for r in &mut plan.rows {
        r.update = tree.by_code(&r.code).is_some();
    }
    plan
}

/// Rows in the order they can be written: parents before children.
pub fn write_order(rows: &[ImportRow]) -> Vec<&ImportRow> {
    let mut v: Vec<&ImportRow> = rows.iter().collect();
    v.sort_by(|a, b| a.code.len().cmp(&b.code.len()).then(a.code.cmp(&b.code)));
    v
}

#[cfg(all(test, feature = "spreadsheet"))]
mod tests {
    use super::*;
    use crate::org::OrgUnit;

    pub(super) fn stored() -> Tree {
        let u = |id, parent, code: &str, level: &str| OrgUnit {
            id,
            parent,
            code: code.into(),
            level: level.into(),
            name: format!("单位{id}"),
            secretary: None,
            grid: None,
            term_start: None,
            term_years: 3,
            members: 0,
            version: 1,
        };
        Tree::new(vec![
            u(1, None, "320113", "working-committee"),
            u(2, Some(1), "320113001", "committee"),
        ])
    }

    fn run(csv: &str) -> ImportPlan {
        let l = LevelSet::five_level();
        plan_on(
            read_csv(csv, &l),
            &stored(),
            &l,
            |_| true,
            |g| {
                if g == "320113001" {
                    Ok(())
                } else {
                    Err("org_import.grid")
                }
            },
        )
    }

    #[test]
    fn a_new_unit_needs_a_parent_the_caller_may_add_under() {
        // The organiser of 320113001001 (the scope is a code prefix) names the street committee
        // as the parent of a unit whose code starts with the scope: refused, nothing planned.
        let l = LevelSet::five_level();
        let scope = |c: &str| c.starts_with("320113001001");
        let under_street = read_csv(
            "code,name,level,parent\n3201130010019,x,committee,320113001\n",
            &l,
        );
        let p = plan_on(under_street, &stored(), &l, scope, |_| Ok(()));
        assert_eq!(keys(&p), vec![(2, "org_import.parent_scope")]);
        // Nor a new top-level unit, whatever its code.
        let root = read_csv(
            "code,name,level,parent\n3201130010019,x,working-committee,\n",
            &l,
        );
        let p = plan_on(root, &stored(), &l, scope, |_| Ok(()));
        assert_eq!(keys(&p), vec![(2, "org_import.parent_scope")]);
    }

    /// `plan` on a stored tree without imported source ids or dissolved units.
    pub(super) fn plan_on(
        read: ImportPlan,
        tree: &Tree,
        levels: &LevelSet,
        editable: impl Fn(&str) -> bool,
        grid_usable: impl Fn(&str) -> Result<(), &'static str>,
    ) -> ImportPlan {
        let (sources, taken) = (HashMap::new(), HashSet::new());
        let stored = Stored {
            tree,
            sources: &sources,
            taken: &taken,
        };
        plan(read, &stored, levels, editable, grid_usable)
    }

    pub(super) fn keys(p: &ImportPlan) -> Vec<(usize, &str)> {
        p.problems
            .iter()
            .map(|p| (p.line, p.key.as_str()))
            .collect()
    }

    #[test]
    fn a_clean_file_plans_new_rows_and_updates() {
        let p = run(
            "\u{feff}组织编码,名称,层级,上级组织编码,书记,任期开始,网格编码\n\
             32011300101,甲一支部,小区党支部,320113001,王芳,2024-03-01,320113001\n\
             3201130010101,1号楼党小组,group,32011300101,,,\n\
             320113001,甲社区党委（更名）,社区党委,320113,,,\n",
        );
        assert_eq!(keys(&p), vec![]);
        assert_eq!(p.rows.len(), 3);
        assert!(!p.rows[0].update && p.rows[2].update);
        assert_eq!(p.rows[0].level, "branch");
        assert_eq!(p.rows[1].secretary, None);
        let order: Vec<&str> = write_order(&p.rows)
            .iter()
            .map(|r| r.code.as_str())
            .collect();
        assert_eq!(order, vec!["320113001", "32011300101", "3201130010101"]);
    }

    #[test]
    fn every_problem_is_reported_with_its_line() {
        let p = run("code,name,level,parent code\n\
             32011300101,甲一支部,branch,320113001\n\
             32011300101,重复,branch,320113001\n\
             32011300199,孤儿,branch,320113009\n\
             32011300102,错层,group,320113001\n\
             4401,环一,group,440101\n\
             440101,环二,branch,4401\n\
             32011300103,,branch,320113001\n\
             32011300104,坏层,nonsense,320113001\n\
             3301,前缀,branch,320113001\n");
        let k = keys(&p);
        assert!(k.contains(&(3, "org_import.duplicate")), "{k:?}");
        assert!(k.contains(&(4, "org_import.unknown_parent")), "{k:?}");
        assert!(k.contains(&(5, "org_import.level")), "{k:?}");
        assert!(
            k.contains(&(6, "org_import.cycle")) && k.contains(&(7, "org_import.cycle")),
            "{k:?}"
        );
        assert!(k.contains(&(8, "org_import.name")), "{k:?}");
        assert!(k.contains(&(9, "org_import.unknown_level")), "{k:?}");
        // Not Linli's layout (3301 does not extend its parent's code): every unit is numbered.
        let r = p.rows.iter().find(|r| r.source_id == "3301").unwrap();
        assert!(
            r.code.len() == 11 && r.code.starts_with("320113001"),
            "{}",
            r.code
        );
        assert!(!k.iter().any(|(l, _)| *l == 10), "{k:?}");
        assert!(k.windows(2).all(|w| w[0].0 <= w[1].0), "sorted by line");
    }

    #[test]
    fn file_level_problems() {
        let p = run("名称,层级\n甲,branch\n");
        assert_eq!(keys(&p), vec![(1, "org_import.header")]);
        assert_eq!(p.problems[0].args[0].1, "组织编码");
        assert_eq!(keys(&run("")), vec![(1, "org_import.header")]);
        assert_eq!(
            keys(&run("code,name,level,parent\n")),
            vec![(1, "org_import.empty")]
        );
        let mut big = String::from("code,name,level,parent\n");
        for i in 0..MAX_IMPORT_ROWS + 5 {
            big.push_str(&format!("320113001{i:06},n,branch,320113001\n"));
        }
        let p = read_csv(&big, &LevelSet::five_level());
        assert_eq!(p.problems.len(), 1);
        assert_eq!(p.problems[0].key, "org_import.too_many");
    }

    #[test]
    fn scope_parent_and_level_changes_and_grids() {
        let l = LevelSet::five_level();
        let rows = read_csv(
            "code,name,level,parent,grid\n32011300101,x,branch,320113001,999\n320113001,y,branch,320113,\n",
            &l,
        );
        let p = plan_on(
            rows,
            &stored(),
            &l,
            |c| c.starts_with("32011300101"),
            |_| Err("org_import.grid"),
        );
        let k = keys(&p);
        assert!(k.contains(&(2, "org_import.parent_scope")), "{k:?}");
        assert!(k.contains(&(3, "org_import.scope")), "{k:?}");
        let rows = read_csv(
            "code,name,level,parent,grid\n32011300101,x,branch,320113001,999\n",
            &l,
        );
        let p = plan_on(rows, &stored(), &l, |_| true, |_| Err("org_import.grid"));
        assert_eq!(keys(&p), vec![(2, "org_import.grid")]);
        let rows = read_csv("code,name,level,parent\n320113001,y,branch,320113\n", &l);
        let p = plan_on(rows, &stored(), &l, |_| true, |_| Ok(()));
        assert!(keys(&p).contains(&(2, "org_import.level_changed")));
        // A top-level unit of a lower level: a file of committees only.
        let rows = read_csv("code,name,level,parent\n3301,y,committee,\n", &l);
        let p = plan_on(rows, &stored(), &l, |_| true, |_| Ok(()));
        assert_eq!(keys(&p), vec![]);
    }
}
