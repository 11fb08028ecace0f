//! The map being edited (`Work`): the coverage rules around what changed, and the edits a save sends.

use super::*;

pub(super) fn load_class(households: i64, target: i64) -> &'static str {
    if households > target * 6 / 5 {
        "load-high"
    } else if households < target * 4 / 5 {
        "load-low"
    } else {
        "load-ok"
    }
}

pub(super) fn shapes_of(w: &[Arc<GridView>]) -> Vec<Shape> {
    w.iter()
        .map(|g| Shape {
            code: g.code.clone(),
            parent: g.parent_code.clone(),
            dedicated: g.kind == "dedicated",
            boundary: g.boundary.clone(),
        })
        .collect()
}

/// The ring and vertex a handle names: `data-vertex="r.k"` (and `data-mid`, the edge from vertex
/// k) is vertex `k` of ring `r`, rings counted in `Boundary::rings` order (holes and parts too).
pub(super) fn handle_at<'a>(b: &'a Boundary, attr: &str) -> Option<(&'a Ring, usize)> {
    let (r, k) = attr.split_once('.')?;
    let ring = b.rings().nth(r.parse().ok()?)?;
    let k: usize = k.parse().ok()?;
    (k < ring.len()).then_some((ring, k))
}

/// The edited grids plus their parents, siblings and children: all a local check needs.
pub(super) fn neighbourhood(w: &[Arc<GridView>], changed: &[usize]) -> Vec<usize> {
    let mut keep: HashSet<usize> = changed.iter().copied().collect();
    let codes: HashSet<&str> = changed.iter().map(|&i| w[i].code.as_str()).collect();
    let parents: HashSet<Option<&str>> = changed
        .iter()
        .map(|&i| w[i].parent_code.as_deref())
        .collect();
    for (i, g) in w.iter().enumerate() {
        if parents.contains(&g.parent_code.as_deref())
            || parents.contains(&Some(g.code.as_str()))
            || g.parent_code.as_deref().is_some_and(|p| codes.contains(p))
        {
            keep.insert(i);
        }
    }
    let mut v: Vec<usize> = keep.into_iter().collect();
    v.sort_unstable();
    v
}

/// The rules around `changed` only (validity, overlaps, spills, and gaps of their parents).
pub(super) fn local_check(w: &[Arc<GridView>], changed: &[usize]) -> (Vec<Problem>, Vec<Coverage>) {
    let near = neighbourhood(w, changed);
    let sub: Vec<Arc<GridView>> = near.iter().map(|&i| w[i].clone()).collect();
    let shapes = shapes_of(&sub);
    let index = Index::new(&shapes);
    let local: Vec<usize> = changed
        .iter()
        .filter_map(|c| near.iter().position(|n| n == c))
        .collect();
    let mut problems = index.check_around(&local);
    let parents: Vec<usize> = changed
        .iter()
        .filter_map(|&c| w[c].parent_code.as_deref())
        .filter_map(|p| index.position(p))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let (gaps, coverage) = index.coverage_of(&parents);
    problems.extend(gaps);
    (problems, coverage)
}

/// The edits that turn `base` into `work`.
pub(super) fn edits_between(base: &[GridView], work: &[Arc<GridView>]) -> Vec<GridEdit> {
    let by_id: HashMap<i64, &GridView> = base.iter().map(|g| (g.id, g)).collect();
    let mut edits = Vec::new();
    let kept: HashSet<i64> = work.iter().map(|g| g.id).collect();
    for b in base {
        if !kept.contains(&b.id) {
            edits.push(GridEdit::Delete {
                id: b.id,
                version: b.version,
            });
        }
    }
    for g in work {
        match by_id.get(&g.id) {
            None => edits.push(GridEdit::Create { draft: g.draft() }),
            Some(b) if **b != **g => edits.push(GridEdit::Update {
                id: g.id,
                version: b.version,
                draft: g.draft(),
            }),
            Some(_) => {}
        }
    }
    edits
}
