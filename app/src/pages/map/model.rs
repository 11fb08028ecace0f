//! The map's editing operations as transitions of `Work` (the map being edited): each takes the
//! work and what the user did and returns the ids of the grids it changed (to check again), or a
//! refusal in words (a translation key and its arguments). No signals and no DOM: the editor
//! (`editor.rs`) calls them, records undo history and redraws; the tests below run natively.

use super::*;

/// A vertex being dragged: from where, to where, and the edge it is being inserted into, if any.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Drag {
    pub from: Point,
    pub to: Point,
    pub insert: Option<(Point, Point)>,
}

/// Why an edit was not made: a translation key and its arguments.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Refusal {
    pub key: String,
    pub args: Vec<(&'static str, String)>,
}

impl Refusal {
    fn of(key: &str, grid: &str) -> Refusal {
        Refusal {
            key: key.to_owned(),
            args: vec![("grid", grid.to_owned()), ("other", String::new())],
        }
    }
}

type Edited = Result<Vec<i64>, Refusal>;

fn position(w: &Work, id: i64) -> Result<usize, Refusal> {
    w.iter()
        .position(|g| g.id == id)
        .ok_or_else(|| Refusal::of("map.nothing_selected", ""))
}

/// Every grid that has vertex `p` (in any part or hole) must be the editor's.
fn all_editable(w: &Work, p: Point) -> Result<(), Refusal> {
    if w.iter()
        .filter(|g| g.boundary.has_vertex(p))
        .all(|g| g.editable)
    {
        Ok(())
    } else {
        Err(Refusal::of("map.shared_outside", ""))
    }
}

/// Puts edited boundaries back (by index) and returns the ids of the grids changed.
fn put_back(w: &mut Work, mut boundaries: Vec<Boundary>, changed: &[usize]) -> Vec<i64> {
    changed
        .iter()
        .map(|&i| {
            let g = GridView {
                boundary: std::mem::take(&mut boundaries[i]),
                ..(*w[i]).clone()
            };
            w[i] = Arc::new(g);
            w[i].id
        })
        .collect()
}

/// Moves (and first inserts, for a drag from an edge's middle) a vertex in every grid that has it.
pub(super) fn move_vertex(w: &mut Work, d: &Drag) -> Edited {
    all_editable(w, d.from)?;
    let mut bs: Vec<Boundary> = w.iter().map(|g| g.boundary.clone()).collect();
    if let Some((a, b)) = d.insert {
        geo::insert_boundary_vertex(&mut bs, a, b, d.from);
    }
    let changed = geo::move_boundary_vertex(&mut bs, d.from, d.to);
    Ok(put_back(w, bs, &changed))
}

/// Removes a vertex from every grid that has it.
pub(super) fn remove_vertex(w: &mut Work, p: Point) -> Edited {
    all_editable(w, p)?;
    let mut bs: Vec<Boundary> = w.iter().map(|g| g.boundary.clone()).collect();
    let changed = geo::remove_boundary_vertex(&mut bs, p).map_err(|e| Refusal::of(e.key(), ""))?;
    Ok(put_back(w, bs, &changed))
}

/// Adds the drawn ring (open: the points clicked) to grid `id` as a hole or as a new part.
pub(super) fn add_ring(w: &mut Work, id: i64, points: &[Point], hole: bool) -> Edited {
    let i = position(w, id)?;
    if points.len() < 3 {
        return Err(Refusal::of("map.draw_more", ""));
    }
    let g = &w[i];
    let mut ring = points.to_vec();
    ring.push(ring[0]);
    let boundary = if hole {
        g.boundary.with_hole(&ring)
    } else {
        g.boundary.with_part(&ring)
    }
    .map_err(|e| Refusal::of(e.key(), &g.name))?;
    w[i] = Arc::new(GridView {
        boundary,
        ..(*w[i]).clone()
    });
    Ok(vec![id])
}

/// Removes the ring of grid `id` through vertex `p`: fills a hole, or drops a part.
pub(super) fn remove_ring(w: &mut Work, id: i64, p: Point) -> Edited {
    let i = position(w, id)?;
    let boundary = w[i]
        .boundary
        .without_ring_at(p)
        .map_err(|_| Refusal::of("map.ring_last", &w[i].name))?;
    w[i] = Arc::new(GridView {
        boundary,
        ..(*w[i]).clone()
    });
    Ok(vec![id])
}

/// A grid drawn in the editor and not saved yet: basic, without counts or workers, the editor's.
pub(super) fn new_grid(
    id: i64,
    code: String,
    parent_code: Option<String>,
    level: i64,
    name: String,
    boundary: Boundary,
) -> GridView {
    GridView {
        id,
        version: 0,
        code,
        parent_code,
        level,
        name,
        kind: "basic".into(),
        households: 0,
        population: 0,
        workers: String::new(),
        valid_from: None,
        valid_to: None,
        unit_code: None,
        unit_name: None,
        updated_by: String::new(),
        updated_at: String::new(),
        editable: true,
        boundary,
        source_code: String::new(),
    }
}

/// The new grid a split or a drawing makes: its temporary id, code and name.
pub(super) struct NewGrid {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Splits grid `id` along `line`; the piece beyond the line becomes `new` (same level, parent,
/// kind and workers; no households yet; the old system's code stays with the grid that keeps its
/// identity).
pub(super) fn split(w: &mut Work, id: i64, line: &[Point], new: NewGrid) -> Edited {
    let i = position(w, id)?;
    let g = (*w[i]).clone();
    let (a, b) =
        geo::split_boundary(&g.boundary, line).map_err(|e| Refusal::of(e.key(), &g.name))?;
    w.push(Arc::new(GridView {
        id: new.id,
        version: 0,
        code: new.code,
        name: new.name,
        households: 0,
        population: 0,
        unit_code: None,
        unit_name: None,
        boundary: b,
        source_code: String::new(),
        ..g.clone()
    }));
    w[i] = Arc::new(GridView { boundary: a, ..g });
    Ok(vec![id, new.id])
}

/// Merges grid `other` into grid `id` (siblings; `other` without children): one boundary, the
/// counts added.
pub(super) fn merge(w: &mut Work, id: i64, other: i64) -> Edited {
    let (i, j) = (position(w, id)?, position(w, other)?);
    let (a, b) = ((*w[i]).clone(), (*w[j]).clone());
    match domain::grid::can_merge(w, &a, &b, b.editable) {
        Ok(()) => {}
        Err(domain::grid::MergeRefusal::NotSiblings) => {
            return Err(Refusal::of("map.merge_siblings", ""))
        }
        Err(domain::grid::MergeRefusal::HasChildren) => {
            return Err(Refusal::of("err.grid_has_children", &b.name))
        }
    }
    let boundary = geo::merge_boundaries(&a.boundary, &b.boundary)
        .map_err(|e| Refusal::of(e.key(), &a.name))?;
    w[i] = Arc::new(GridView {
        boundary,
        households: a.households + b.households,
        population: a.population + b.population,
        ..a
    });
    w.remove(j);
    Ok(vec![id])
}

/// Deletes grid `id` (not while it has children); returns its former siblings, whose parent's
/// gap shows at once.
pub(super) fn delete(w: &mut Work, id: i64) -> Edited {
    let i = position(w, id)?;
    let g = w[i].clone();
    if domain::grid::has_children(w, &g.code) {
        return Err(Refusal::of("err.grid_has_children", &g.name));
    }
    w.remove(i);
    Ok(w.iter()
        .filter(|x| x.parent_code == g.parent_code && x.level == g.level)
        .map(|x| x.id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(id: i64, code: &str, parent: Option<&str>, level: i64, ring: Ring) -> Arc<GridView> {
        Arc::new(GridView {
            version: 1,
            households: 10,
            population: 20,
            ..new_grid(
                id,
                code.into(),
                parent.map(Into::into),
                level,
                format!("网格{code}"),
                geo::normalise(&ring).into(),
            )
        })
    }

    fn p(x: f64, y: f64) -> Point {
        [118.0 + x * 0.01, 32.0 + y * 0.01]
    }

    /// A community 2×1 and its two halves, sharing the middle edge.
    fn work() -> Work {
        vec![
            grid(
                1,
                "1",
                None,
                2,
                vec![
                    p(0., 0.),
                    p(1., 0.),
                    p(2., 0.),
                    p(2., 1.),
                    p(1., 1.),
                    p(0., 1.),
                ],
            ),
            grid(
                2,
                "101",
                Some("1"),
                3,
                vec![p(0., 0.), p(1., 0.), p(1., 1.), p(0., 1.)],
            ),
            grid(
                3,
                "102",
                Some("1"),
                3,
                vec![p(1., 0.), p(2., 0.), p(2., 1.), p(1., 1.)],
            ),
        ]
    }

    #[test]
    fn a_shared_vertex_moves_in_every_grid_and_a_locked_one_is_refused() {
        let mut w = work();
        let d = Drag {
            from: p(1., 0.),
            to: p(1.1, 0.),
            insert: None,
        };
        assert_eq!(move_vertex(&mut w, &d), Ok(vec![1, 2, 3]));
        assert!(w.iter().all(|g| !g.boundary.has_vertex(p(1., 0.))));
        let mut locked = work();
        locked[2] = Arc::new(GridView {
            editable: false,
            ..(*locked[2]).clone()
        });
        assert_eq!(
            move_vertex(&mut locked, &d).unwrap_err().key,
            "map.shared_outside"
        );
        assert_eq!(
            locked,
            work()
                .into_iter()
                .enumerate()
                .map(|(i, g)| if i == 2 { locked[2].clone() } else { g })
                .collect::<Work>()
        );
    }

    #[test]
    fn split_then_merge_gives_the_grid_back_and_delete_waits_for_children() {
        let mut w = work();
        let new = NewGrid {
            id: -1,
            code: "103".into(),
            name: "新".into(),
        };
        assert_eq!(
            split(&mut w, 3, &[p(1., 0.), p(2., 1.)], new),
            Ok(vec![3, -1])
        );
        assert_eq!(w.len(), 4);
        assert_eq!(merge(&mut w, 3, -1), Ok(vec![3]));
        assert_eq!(w.len(), 3);
        assert!((w[2].boundary.area_m2() / work()[2].boundary.area_m2() - 1.0).abs() < 1e-6);
        assert_eq!(delete(&mut w, 1).unwrap_err().key, "err.grid_has_children");
        assert_eq!(delete(&mut w, 3), Ok(vec![2]));
    }

    #[test]
    fn a_hole_is_cut_and_filled_and_the_last_part_stays() {
        let mut w = work();
        let hole = [p(0.25, 0.25), p(0.75, 0.25), p(0.75, 0.75), p(0.25, 0.75)];
        assert_eq!(add_ring(&mut w, 2, &hole, true), Ok(vec![2]));
        assert_eq!(w[1].boundary.hole_count(), 1);
        assert_eq!(remove_ring(&mut w, 2, p(0.25, 0.25)), Ok(vec![2]));
        assert_eq!(w[1].boundary.hole_count(), 0);
        assert_eq!(
            remove_ring(&mut w, 2, p(0., 0.)).unwrap_err().key,
            "map.ring_last"
        );
        assert_eq!(
            add_ring(&mut w, 2, &hole[..2], true).unwrap_err().key,
            "map.draw_more"
        );
    }
}
