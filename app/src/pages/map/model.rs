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

/// The new grid a split makes: its temporary id and name (its code follows its siblings').
pub(super) struct NewGrid {
    pub id: i64,
    pub name: String,
}

/// The code of a new grid among its siblings in `w` (`domain::grid::new_code`), or why none is left.
fn code_for(
    w: &Work,
    parent: Option<&str>,
    level: i64,
    district: Option<&domain::Code>,
) -> Result<String, Refusal> {
    domain::grid::new_code(w, parent, level, district).map_err(|key| Refusal::of(key, ""))
}

/// Adds the grid drawn (open: the points clicked) at `level`, inside the grid of the level above
/// that it overlaps most (none at level 1), as a new basic grid with temporary id `id`.
pub(super) fn draw(
    w: &mut Work,
    points: &[Point],
    level: i64,
    id: i64,
    name: &str,
    district: Option<&domain::Code>,
) -> Edited {
    if points.len() < 3 {
        return Err(Refusal::of("map.draw_more", ""));
    }
    let boundary = Boundary::from(geo::normalise(points));
    boundary
        .validate()
        .map_err(|e| Refusal::of(e.key(), name))?;
    let parent = match domain::grid::parent_for(w, level, &boundary) {
        Some(p) => Some(p.code.clone()),
        None if level > 1 => return Err(Refusal::of("map.no_parent", "")),
        None => None,
    };
    let code = code_for(w, parent.as_deref(), level, district)?;
    w.push(Arc::new(new_grid(
        id,
        code,
        parent,
        level,
        name.to_owned(),
        boundary,
    )));
    Ok(vec![id])
}

/// Applies the attribute form to grid `id`: checked as the server will check it, and its code
/// not another grid's.
pub(super) fn set_attributes(w: &mut Work, id: i64, draft: &domain::grid::GridDraft) -> Edited {
    let i = position(w, id)?;
    let c = draft
        .check()
        .map_err(|e| Refusal::of(e.key(), draft.name.trim()))?;
    if w.iter().any(|x| x.id != id && x.code == c.code.as_str()) {
        return Err(Refusal::of("err.grid_code_taken", ""));
    }
    let old = (*w[i]).clone();
    w[i] = Arc::new(GridView {
        code: c.code.as_str().to_owned(),
        name: c.name,
        kind: c.kind.as_str().into(),
        households: c.households,
        population: c.population,
        workers: c.workers,
        valid_from: c.valid_from,
        valid_to: c.valid_to,
        source_code: c.source_code,
        ..old
    });
    Ok(vec![id])
}

/// Splits grid `id` along `line`; the piece beyond the line becomes `new` (same level, parent,
/// kind and workers; no households yet; the old system's code stays with the grid that keeps its
/// identity).
pub(super) fn split(
    w: &mut Work,
    id: i64,
    line: &[Point],
    new: NewGrid,
    district: Option<&domain::Code>,
) -> Edited {
    let i = position(w, id)?;
    let g = (*w[i]).clone();
    let (a, b) =
        geo::split_boundary(&g.boundary, line).map_err(|e| Refusal::of(e.key(), &g.name))?;
    let code = code_for(w, g.parent_code.as_deref(), g.level, district)?;
    w.push(Arc::new(GridView {
        id: new.id,
        version: 0,
        code,
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
            name: "新".into(),
        };
        assert_eq!(
            split(&mut w, 3, &[p(1., 0.), p(2., 1.)], new, None),
            Ok(vec![3, -1])
        );
        assert_eq!(w.len(), 4);
        assert_eq!(w[3].code, "103", "the next of its siblings' codes");
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

    #[test]
    fn a_drawn_grid_goes_under_the_grid_it_overlaps_most_with_the_next_code() {
        let mut w = work();
        // Mostly over the community, a little outside it.
        let pts = [p(0.2, 0.2), p(2.1, 0.2), p(2.1, 0.8), p(0.2, 0.8)];
        assert_eq!(draw(&mut w, &pts, 3, -1, "新网格 1", None), Ok(vec![-1]));
        let g = w.last().unwrap();
        assert_eq!(
            (g.parent_code.as_deref(), g.code.as_str()),
            (Some("1"), "103")
        );
        let far = [p(5., 5.), p(6., 5.), p(6., 6.)];
        assert_eq!(
            draw(&mut w, &far, 3, -2, "新网格 2", None).unwrap_err().key,
            "map.no_parent"
        );
        let line = [p(0., 0.), p(1., 0.), p(2., 0.)];
        assert_eq!(
            draw(&mut w, &line, 3, -2, "新网格 2", None)
                .unwrap_err()
                .key,
            geo::Invalid::ZeroArea.key()
        );
    }

    #[test]
    fn a_parent_whose_codes_ran_out_refuses_a_new_child_instead_of_widening() {
        let mut w = work();
        for k in 3..=99 {
            w.push(grid(
                100 + k,
                &format!("1{k:02}"),
                Some("1"),
                3,
                vec![p(5., 5.), p(6., 5.), p(6., 6.)],
            ));
        }
        let pts = [p(0.2, 0.2), p(0.8, 0.2), p(0.8, 0.8), p(0.2, 0.8)];
        let before = w.clone();
        assert_eq!(
            draw(&mut w, &pts, 3, -1, "新网格 1", None).unwrap_err().key,
            domain::grid::CODE_FULL
        );
        let new = NewGrid {
            id: -1,
            name: "新".into(),
        };
        assert_eq!(
            split(&mut w, 3, &[p(1., 0.), p(2., 1.)], new, None)
                .unwrap_err()
                .key,
            domain::grid::CODE_FULL
        );
        assert_eq!(w, before, "nothing changed");
    }

    #[test]
    fn the_attribute_form_is_checked_and_a_taken_code_refused() {
        let mut w = work();
        let mut d = domain::grid::GridDraft {
            code: "102".into(),
            parent_code: Some("1".into()),
            level: 3,
            name: "东片".into(),
            kind: "basic".into(),
            households: 120,
            population: 300,
            workers: "李四".into(),
            valid_from: None,
            valid_to: None,
            boundary: w[1].boundary.clone(),
            source_code: "SQ-1-1".into(),
        };
        assert_eq!(
            set_attributes(&mut w, 2, &d).unwrap_err().key,
            "err.grid_code_taken"
        );
        d.code = "101".into();
        assert_eq!(set_attributes(&mut w, 2, &d), Ok(vec![2]));
        assert_eq!(
            (
                w[1].name.as_str(),
                w[1].households,
                w[1].source_code.as_str()
            ),
            ("东片", 120, "SQ-1-1")
        );
        d.name = " ".into();
        assert!(set_attributes(&mut w, 2, &d).is_err());
        assert_eq!(w[1].name, "东片");
    }
}
