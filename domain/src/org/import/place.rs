//! Where each imported unit hangs and what Linli numbers it. An export is a parent-pointer list
//! in the source system's ids; Linli's codes are hierarchical (a child's code extends its
//! parent's), so codes are given here, parents first: a unit already imported (its source id
//! stored) or already in Linli (its code in the file) keeps its code; a new unit whose id is a
//! Linli code under its parent keeps that; every other new unit gets the next free code under its
//! parent, at one width for all its siblings.

use super::*;

/// What the import finds stored: the live tree, the source ids of units imported before (source
/// id → code) and the codes of dissolved units (never given again).
pub struct Stored<'a> {
    pub tree: &'a Tree,
    pub sources: &'a HashMap<String, String>,
    pub taken: &'a HashSet<String>,
}

/// Top-level units from a file whose ids are not codes are numbered 9xxxxx: six digits like a
/// district's code, but under no province (GB/T 2260 has no 90), so never mistaken for one.
const ROOT_PREFIX: &str = "9";
const ROOT_WIDTH: usize = 5;

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Parent<'a> {
    None,
    Row(usize),
    Stored(&'a str),
}

/// Resolves every row's parent, refuses duplicate ids, unknown parents and cycles, and gives
/// each row its code and its parent's code. Rows that cannot be placed (those with a problem and
/// the rows beneath them) are taken out; their problems are returned.
pub(super) fn place(rows: &mut Vec<ImportRow>, stored: &Stored) -> Vec<Problem> {
    let tree = stored.tree;
    let mut problems = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut bad = vec![false; rows.len()];
    for (i, r) in rows.iter().enumerate() {
        if let Some(&first) = index.get(r.source_id.as_str()) {
            problems.push(problem(
                r.line,
                "org_import.duplicate",
                &[
                    ("code", &r.source_id),
                    ("first", &rows[first].line.to_string()),
                ],
            ));
            bad[i] = true;
        } else {
            index.insert(r.source_id.as_str(), i);
        }
    }
    let stored_code = |id: &str| -> Option<&str> {
        stored
            .sources
            .get(id)
            .map(String::as_str)
            .or_else(|| tree.by_code(id).map(|u| u.code.as_str()))
    };
    // An export of part of a larger tree (a district's, whose top unit names the city committee
    // as its parent) has no row without a parent and none hung on a stored unit: the rows whose
    // parent is outside the file are then its top-level units. Otherwise such a parent is a
    // mistake.
    let hangs_outside = rows.iter().all(|r| {
        r.source_parent
            .as_deref()
            .is_some_and(|p| stored_code(p).is_none())
    });
    // Exports that name the parent by its name (上级党组织: 某某党委) rather than its id: a
    // parent that is no id is looked up among the file's names, when only one row has it.
    let mut names: HashMap<&str, Option<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        names
            .entry(r.name.as_str())
            .and_modify(|e| *e = None)
            .or_insert(Some(i));
    }
    let in_file = |p: &str| -> Option<usize> {
        index
            .get(p)
            .copied()
            .or_else(|| names.get(p).copied().flatten())
    };
    let mut parents: Vec<Parent> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        parents.push(match r.source_parent.as_deref() {
            None => Parent::None,
            Some(p) => match (in_file(p), stored_code(p)) {
                (Some(j), _) => Parent::Row(j),
                (None, Some(code)) => Parent::Stored(code),
                (None, None) if hangs_outside => Parent::None,
                (None, None) => {
                    problems.push(problem(
                        r.line,
                        "org_import.unknown_parent",
                        &[("parent", p)],
                    ));
                    bad[i] = true;
                    Parent::None
                }
            },
        });
    }
    // Following parents inside the file and coming back to the row is a cycle.
    for i in 0..rows.len() {
        let mut at = i;
        for _ in 0..=rows.len() {
            let Parent::Row(j) = parents[at] else { break };
            if j == i {
                problems.push(problem(
                    rows[i].line,
                    "org_import.cycle",
                    &[("code", &rows[i].source_id)],
                ));
                bad[i] = true;
                break;
            }
            at = j;
        }
    }
    // Linli's own layout: every id a code, every child's extending its parent's. Only then are
    // ids kept as codes (numeric ids of another system would otherwise give siblings of unequal
    // width, one inside the other by prefix).
    let layout = rows.iter().all(|r| {
        Code::parse(&r.source_id).is_ok()
            && r.source_parent
                .as_deref()
                .is_none_or(|p| r.source_id.len() > p.len() && r.source_id.starts_with(p))
    });
    if layout {
        for (i, r) in rows.iter().enumerate() {
            if stored.taken.contains(&r.source_id) && !bad[i] {
                problems.push(problem(
                    r.line,
                    "org_import.dissolved",
                    &[("code", &r.source_id)],
                ));
                bad[i] = true;
            }
        }
    }
    // Parents first: a breadth-first walk from the rows hanging on a stored unit or on nothing.
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut order: Vec<usize> = Vec::new();
    for (i, p) in parents.iter().enumerate() {
        match p {
            Parent::Row(j) => children.entry(*j).or_default().push(i),
            _ if !bad[i] => order.push(i),
            _ => {}
        }
    }
    let mut k = 0;
    while k < order.len() {
        if let Some(c) = children.get(&order[k]) {
            order.extend(c.iter().filter(|&&c| !bad[c]));
        }
        k += 1;
    }
    // New children per parent, for the width of their codes.
    let existing: Vec<Option<&str>> = rows.iter().map(|r| stored_code(&r.source_id)).collect();
    let mut new_children: HashMap<Parent, usize> = HashMap::new();
    for &i in &order {
        if existing[i].is_none() {
            *new_children.entry(parents[i]).or_default() += 1;
        }
    }
    let mut used: HashSet<String> = stored.taken.clone();
    used.extend(tree.units().iter().map(|u| u.code.clone()));
    let mut numbering: HashMap<String, (usize, u64)> = HashMap::new();
    let mut codes: Vec<Option<String>> = vec![None; rows.len()];
    for &i in &order {
        let parent_code: Option<String> = match parents[i] {
            Parent::None => None,
            Parent::Stored(c) => Some(c.to_owned()),
            Parent::Row(j) => match &codes[j] {
                Some(c) => Some(c.clone()),
                None => continue, // beneath a row that could not be numbered
            },
        };
        let code = if let Some(c) = existing[i] {
            c.to_owned()
        } else if let Some(c) = layout
            .then(|| own_code(&rows[i].source_id, parent_code.as_deref(), &used))
            .flatten()
        {
            c
        } else {
            let prefix = parent_code.as_deref().unwrap_or(ROOT_PREFIX);
            let (width, last) =
                numbering.entry(prefix.to_owned()).or_insert_with(|| {
                    let siblings: Vec<&str> = match parent_code.as_deref() {
                        Some(p) => tree
                            .by_code(p)
                            .map(|u| {
                                tree.children(u.id)
                                    .iter()
                                    .filter_map(|c| tree.get(*c))
                                    .map(|c| c.code.as_str())
                                    .collect()
                            })
                            .unwrap_or_default(),
                        None => Vec::new(),
                    };
                    let width = siblings.first().map(|c| c.len() - prefix.len()).unwrap_or(
                        match parent_code {
                            None => ROOT_WIDTH,
                            Some(_) => new_children[&parents[i]].to_string().len().max(2),
                        },
                    );
                    // After the highest sequence in use at that width, dissolved units' included.
                    let last = siblings
                        .iter()
                        .copied()
                        .chain(stored.taken.iter().map(String::as_str))
                        .filter(|c| c.len() == prefix.len() + width)
                        .filter_map(|c| c.strip_prefix(prefix))
                        .filter_map(|seq| seq.parse::<u64>().ok())
                        .max()
                        .unwrap_or(0);
                    (width, last)
                });
            let mut next = None;
            while (*last + 1).to_string().len() <= *width {
                *last += 1;
                let c = format!("{prefix}{:0w$}", *last, w = *width);
                if !used.contains(&c) {
                    next = Some(c);
                    break;
                }
            }
            match next.filter(|c| c.len() <= crate::code::MAX_CODE_LEN) {
                Some(c) => c,
                None => {
                    problems.push(problem(
                        rows[i].line,
                        "org_import.code_full",
                        &[("parent", prefix)],
                    ));
                    continue;
                }
            }
        };
        used.insert(code.clone());
        rows[i].parent = parent_code;
        codes[i] = Some(code);
    }
    for (r, c) in rows.iter_mut().zip(&codes) {
        r.code = c.clone().unwrap_or_default();
    }
    rows.retain(|r| !r.code.is_empty());
    problems
}

/// The file's id as the unit's code, when it extends the parent's code and is free.
fn own_code(id: &str, parent: Option<&str>, used: &HashSet<String>) -> Option<String> {
    let c = Code::parse(id).ok()?;
    let fits = match parent {
        Some(p) => c.as_str().len() > p.len() && c.as_str().starts_with(p),
        None => true,
    };
    (fits && !used.contains(c.as_str())).then(|| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgUnit;

    fn unit(id: i64, parent: Option<i64>, code: &str, level: &str) -> OrgUnit {
        crate::org::testing::u(id, parent, code, level, &format!("单位{id}"))
    }

    /// `place` on `tree` with nothing imported or dissolved before.
    fn place_on(tree: &Tree, rows: &mut Vec<ImportRow>) -> Vec<Problem> {
        let (sources, taken) = (HashMap::new(), HashSet::new());
        place(
            rows,
            &Stored {
                tree,
                sources: &sources,
                taken: &taken,
            },
        )
    }

    fn row(line: usize, id: &str, parent: Option<&str>) -> ImportRow {
        ImportRow {
            line,
            source_id: id.into(),
            source_parent: parent.map(str::to_owned),
            code: String::new(),
            name: format!("n{id}"),
            level: "branch".into(),
            parent: None,
            secretary: None,
            phone: None,
            term_start: None,
            members: None,
            grid: None,
            update: false,
        }
    }

    fn codes(rows: &[ImportRow]) -> Vec<(&str, &str, Option<&str>)> {
        rows.iter()
            .map(|r| (r.source_id.as_str(), r.code.as_str(), r.parent.as_deref()))
            .collect()
    }

    #[test]
    fn a_parent_pointer_export_is_numbered_parents_first() {
        let tree = Tree::new(vec![]);
        // Children listed before their parents, as exports sorted by name are.
        let mut rows = vec![
            row(2, "a-3", Some("a-1")),
            row(3, "a-2", Some("a-1")),
            row(4, "a-1", Some("0")),
            row(5, "a-4", Some("a-3")),
        ];
        rows[2].source_parent = None;
        let p = place_on(&tree, &mut rows);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            codes(&rows),
            vec![
                ("a-3", "90000101", Some("900001")),
                ("a-2", "90000102", Some("900001")),
                ("a-1", "900001", None),
                ("a-4", "9000010101", Some("90000101")),
            ]
        );
    }

    #[test]
    fn stored_units_keep_their_codes_and_new_ones_follow_their_siblings() {
        let tree = Tree::new(vec![
            unit(1, None, "320113", "working-committee"),
            unit(2, Some(1), "320113001", "committee"),
            unit(3, Some(2), "32011300107", "branch"),
        ]);
        let sources = HashMap::from([("S-2".to_owned(), "320113001".to_owned())]);
        let taken = HashSet::from(["32011300108".to_owned()]);
        let s = Stored {
            tree: &tree,
            sources: &sources,
            taken: &taken,
        };
        let mut rows = vec![
            row(2, "S-2", None),                // imported before: an update
            row(3, "S-9", Some("S-2")),         // new under it
            row(4, "32011300150", Some("S-2")), // not Linli's layout: numbered too
            row(5, "320113", None),             // Linli's code of a stored unit
            row(6, "S-10", Some("320113001")),  // a parent named by its Linli code:
                                                // after 07, and 08 is taken
        ];
        let p = place(&mut rows, &s);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(
            codes(&rows),
            vec![
                ("S-2", "320113001", None),
                ("S-9", "32011300110", Some("320113001")),
                ("32011300150", "32011300111", Some("320113001")),
                ("320113", "320113", None),
                ("S-10", "32011300109", Some("320113001")),
            ]
        );
        // Linli's own layout keeps its codes.
        let mut rows = vec![
            row(2, "32011300150", Some("320113001")),
            row(3, "3201130015001", Some("32011300150")),
        ];
        assert!(place(&mut rows, &s).is_empty());
        assert_eq!(
            codes(&rows),
            vec![
                ("32011300150", "32011300150", Some("320113001")),
                ("3201130015001", "3201130015001", Some("32011300150")),
            ]
        );
    }

    #[test]
    fn duplicates_unknown_parents_and_cycles_are_refused_with_what_hangs_beneath() {
        let tree = Tree::new(vec![]);
        let mut rows = vec![
            row(2, "1", None),
            row(3, "1", None),
            row(4, "2", Some("404")),
            row(5, "3", Some("2")),
            row(6, "4", Some("5")),
            row(7, "5", Some("4")),
            row(8, "6", Some("6")),
        ];
        let p = place_on(&tree, &mut rows);
        let keys: Vec<(usize, &str)> = p.iter().map(|p| (p.line, p.key.as_str())).collect();
        assert_eq!(
            keys,
            vec![
                (3, "org_import.duplicate"),
                (4, "org_import.unknown_parent"),
                (6, "org_import.cycle"),
                (7, "org_import.cycle"),
                (8, "org_import.cycle"),
            ]
        );
        assert_eq!(
            codes(&rows),
            vec![("1", "900001", None)],
            "only the first row is placed"
        );
    }

    #[test]
    fn an_export_of_part_of_a_tree_starts_at_the_rows_whose_parent_is_outside() {
        let tree = Tree::new(vec![]);
        // The district committee's parent is the city committee, which is not in the export.
        let mut rows = vec![row(2, "d1", Some("city")), row(3, "b1", Some("d1"))];
        assert!(place_on(&tree, &mut rows).is_empty());
        assert_eq!(
            codes(&rows),
            vec![("d1", "900001", None), ("b1", "90000101", Some("900001"))]
        );
        // With a top-level row in the file, a parent nobody knows is a mistake.
        let mut rows = vec![row(2, "d1", None), row(3, "b1", Some("d9"))];
        let p = place_on(&tree, &mut rows);
        assert_eq!(p[0].key, "org_import.unknown_parent");
    }

    #[test]
    fn a_parent_named_by_its_name_is_found_when_the_name_is_unique() {
        let tree = Tree::new(vec![]);
        let mut rows = vec![
            row(2, "1", None),
            row(3, "2", Some("n1")),
            row(4, "3", Some("n2")),
        ];
        let p = place_on(&tree, &mut rows);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(rows[2].parent.as_deref(), Some(rows[1].code.as_str()));
        // Two rows of the same name: the name says nothing.
        let mut rows = vec![
            row(2, "1", None),
            row(3, "2", Some("1")),
            row(4, "3", Some("n9")),
        ];
        rows[1].name = "n9".into();
        rows[0].name = "n9".into();
        let p = place_on(&tree, &mut rows);
        assert_eq!(p[0].key, "org_import.unknown_parent");
    }

    #[test]
    fn a_hundred_siblings_get_three_digits_and_a_full_parent_is_refused() {
        let tree = Tree::new(vec![
            unit(1, None, "320113", "working-committee"),
            unit(2, Some(1), "32011301", "committee"),
            unit(3, Some(2), "3201130101", "branch"),
        ]);
        let mut rows = vec![row(1, "p", None)];
        rows.extend((0..100).map(|i| row(i + 2, &format!("c{i}"), Some("p"))));
        assert!(place_on(&tree, &mut rows).is_empty());
        assert_eq!(rows[1].code, "900001001");
        assert_eq!(rows[100].code, "900001100");
        // Under a stored unit whose children use two digits, the 100th child has no code.
        let mut rows: Vec<ImportRow> = (0..99)
            .map(|i| row(i + 2, &format!("x{i}"), Some("32011301")))
            .collect();
        let p = place_on(&tree, &mut rows);
        assert_eq!(rows.len(), 98);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].key, "org_import.code_full");
        assert_eq!(p[0].line, 100);
    }
}
