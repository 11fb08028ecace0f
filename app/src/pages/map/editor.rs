//! The map editor component. Why one file of ~1,450 lines: its pointer gestures, keyboard,
//! drawing and panels are closures over one set of signals (the map being edited, its history,
//! selection, view box, gesture), and each reads most of the others; cutting it into components
//! would pass that whole set around. What can stand alone lives elsewhere: the rules
//! (`domain::grid`, `domain::geometry`), the editing operations as transitions of the map being
//! edited (`model.rs`: moves, vertex and ring removal, parts and holes, split, merge, delete —
//! natively tested; here `edit` runs one and records the undo step), the projection and paths
//! (`projection.rs`), what a save sends and the local checks (`work.rs`), DOM reads (`dom.rs`), the
//! attribute form (`grid_form.rs`) and the import panel (`import.rs`). The file reads top to bottom:
//! state, view and zoom, editing operations, pointer and keyboard, drawing, side panels, the view.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    Select,
    Draw,
    /// Drawing a new part of the selected grid (an exclave).
    Part,
    /// Drawing a hole in the selected grid.
    Hole,
    Split,
    Merge,
}

/// What a pointer gesture on the map is doing.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Gesture {
    None,
    Pan {
        x: f64,
        y: f64,
        start: ViewBox,
        target: Option<i64>,
        moved: bool,
    },
    Vertex(Drag),
    Pinch {
        dist: f64,
        start: ViewBox,
    },
}

#[component]
pub(super) fn MapEditor(map: GridMap) -> impl IntoView {
    let i18n = use_i18n();
    let (proj, height) = Proj::fit(&map.grids);
    let target = map.target_households;
    let can_edit = map.can_edit;
    let district_code = map.district_code.clone();
    let import_district = map.district_code.clone();
    let district = StoredValue::new(
        map.district_code
            .as_deref()
            .and_then(|c| domain::Code::district(c).ok()),
    );
    // An empty map starts at the top level: the first grids drawn or imported are level 1.
    let first_level = if map.grids.is_empty() { 1i64 } else { 3 };
    let tile_url = map.tile_url.clone();
    let has_tiles = tile_url.is_some();
    let base = StoredValue::new(map.grids.clone());
    let work: RwSignal<Work> = RwSignal::new(map.grids.into_iter().map(Arc::new).collect());
    let history = StoredValue::new(History::<Work>::new(200));
    let hist_tick = RwSignal::new(0u64);
    let selected = RwSignal::new(None::<i64>);
    let sel_vertex = RwSignal::new(None::<Point>);
    let mode = RwSignal::new(Mode::Select);
    let editing = RwSignal::new(false);
    let gesture = RwSignal::new(Gesture::None);
    let pan_offset = RwSignal::new((0.0f64, 0.0f64));
    let touch = if coarse_pointer() { TOUCH_SCALE } else { 1.0 };
    let (snap_px, handle_px) = (SNAP_PX * touch, HANDLE_PX * touch);
    // How long the last local check took (benchmarks read it from the problems panel).
    let check_ms = RwSignal::new(0.0f64);
    let pointers = StoredValue::new(Vec::<(i32, f64, f64)>::new());
    let sketch = RwSignal::new(Vec::<Point>::new());
    let problems = RwSignal::new(Vec::<Problem>::new());
    let coverage = RwSignal::new(Vec::<Coverage>::new());
    let live = RwSignal::new(Vec::<Problem>::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let saving = RwSignal::new(false);
    let shown = [
        RwSignal::new(true),
        RwSignal::new(true),
        RwSignal::new(true),
    ];
    let active_level = RwSignal::new(first_level);
    let query = RwSignal::new(String::new());
    let view_box = RwSignal::new(ViewBox {
        cx: VIEW_W / 2.0,
        cy: height / 2.0,
        w: VIEW_W * 1.04,
    });
    let size = RwSignal::new((1000.0f64, 640.0f64));
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let next_temp = StoredValue::new(-1i64);
    let history_panel = RwSignal::new(None::<Result<Vec<RevisionView>, String>>);
    let import_preview = RwSignal::new(Vec::<super::import::PreviewShape>::new());
    let layers = RwSignal::new(Vec::<api::LayerView>::new());
    let hidden_layers = RwSignal::new(HashSet::<i64>::new());
    leptos::task::spawn_local(async move {
        if let Ok(l) = api::map_layers().await {
            if !layers.is_disposed() {
                layers.set(l);
            }
        }
    });
    let importing = RwSignal::new(false);

    // The grids are drawn once the map's size is known: measuring an SVG already full of paths
    // forces a layout that the first paint then repeats.
    let measured = RwSignal::new(false);
    let measure = move || {
        if let Some(el) = svg_ref.get_untracked() {
            let (_, _, w, h) = client_rect(&el);
            size.set((w, h));
            if !measured.get_untracked() {
                measured.set(true);
            }
        }
    };
    // Follow the map element's size (layout changes too, not only window resizes), so the
    // viewBox always has the element's aspect and pointer positions map exactly.
    Effect::new(move |_| {
        if let Some(el) = svg_ref.get() {
            measure();
            observe_size(&el, measure);
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let ppu = move || size.get().0 / view_box.get().w;
    let detail = Memo::new(move |_| detail_tier(ppu()));
    let view_h = move || {
        let (w, h) = size.get();
        view_box.get().w * h / w
    };
    let view_box_attr = move || {
        let v = view_box.get();
        let h = view_h();
        format!(
            "{:.3} {:.3} {:.3} {:.3}",
            v.cx - v.w / 2.0,
            v.cy - h / 2.0,
            v.w,
            h
        )
    };
    let to_map = move |cx: f64, cy: f64| -> (f64, f64) {
        let (left, top, w, h) = svg_ref
            .get_untracked()
            .map(|el| client_rect(&el))
            .unwrap_or((0.0, 0.0, 1000.0, 640.0));
        // The viewBox as drawn (its aspect follows `size`), letterboxed into the element as SVG's
        // default `xMidYMid meet` does, so this stays right even if `size` is a frame behind.
        let v = view_box.get_untracked();
        let (sw, sh) = size.get_untracked();
        let vh = v.w * sh / sw;
        let k = (w / v.w).min(h / vh);
        let (ox, oy) = (left + (w - v.w * k) / 2.0, top + (h - vh * k) / 2.0);
        (
            v.cx - v.w / 2.0 + (cx - ox) / k,
            v.cy - vh / 2.0 + (cy - oy) / k,
        )
    };
    let fit_boundaries = move |bs: Vec<&Boundary>, pad: f64| {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in bs.into_iter().flat_map(|b| b.points()) {
            let (x, y) = proj.fwd(*p);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        if x0 > x1 {
            return;
        }
        let (sw, sh) = size.get_untracked();
        let w = ((x1 - x0).max((y1 - y0) * sw / sh) * pad).max(2.0);
        view_box.set(ViewBox {
            cx: (x0 + x1) / 2.0,
            cy: (y0 + y1) / 2.0,
            w,
        });
    };
    let fit_all = move || {
        work.with_untracked(|w| fit_boundaries(w.iter().map(|g| &g.boundary).collect(), 1.04))
    };
    let fly_to = move |id: i64| {
        work.with_untracked(|w| {
            if let Some(g) = w.iter().find(|g| g.id == id) {
                fit_boundaries(vec![&g.boundary], 2.2);
            }
        });
    };
    // `/map?grid=CODE` (from an organisation unit's panel) selects that grid and flies to it.
    let url_query = leptos_router::hooks::use_query_map();
    Effect::new(move |_| {
        let code = url_query.read().get("grid").unwrap_or_default();
        if code.is_empty() {
            return;
        }
        if let Some(id) = work.with_untracked(|w| w.iter().find(|g| g.code == code).map(|g| g.id)) {
            selected.set(Some(id));
            fly_to(id);
        }
    });
    let fly_to_point = move |p: Point| {
        let (x, y) = proj.fwd(p);
        view_box.update(|v| {
            v.cx = x;
            v.cy = y;
            v.w = v.w.min(VIEW_W / 6.0);
        });
    };
    let zoom = move |factor: f64, at: Option<(f64, f64)>| {
        view_box.update(|v| {
            let (px, py) = at.unwrap_or((v.cx, v.cy));
            let w = (v.w * factor).clamp(VIEW_W / 4000.0, VIEW_W * 8.0);
            let f = w / v.w;
            v.cx = px - (px - v.cx) * f;
            v.cy = py - (py - v.cy) * f;
            v.w = w;
        });
    };

    // ---- editing state ------------------------------------------------------------------
    let index_of = move |id: i64| work.with_untracked(|w| w.iter().position(|g| g.id == id));
    let record = move || {
        let before = work.get_untracked();
        history.update_value(|h| h.record(before));
        hist_tick.update(|t| *t += 1);
    };
    let recheck = move |changed_ids: Vec<i64>| {
        work.with_untracked(|w| {
            let idx: Vec<usize> = changed_ids
                .iter()
                .filter_map(|id| w.iter().position(|g| g.id == *id))
                .collect();
            if idx.is_empty() {
                problems.set(vec![]);
                return;
            }
            let t0 = now_ms();
            let (p, c) = local_check(w, &idx);
            check_ms.set(now_ms() - t0);
            problems.set(p);
            coverage.set(c);
        });
    };
    let say = move |ok: bool, text: String| message.set(Some((ok, text)));
    let err_key = move |key: &str, grid: &str| {
        i18n.tf(key, &[("grid", grid.to_owned()), ("other", String::new())])
    };
    let refuse = move |r: Refusal| say(false, i18n.tf(&r.key, &r.args));
    // Runs one editing operation (`model.rs`) on a copy of the map; keeps it, with an undo step,
    // when it succeeds, and says why when it does not. Returns the ids it changed.
    let edit = move |op: &dyn Fn(&mut Work) -> Result<Vec<i64>, Refusal>| -> Option<Vec<i64>> {
        let mut w = work.get_untracked();
        match op(&mut w) {
            Ok(ids) => {
                record();
                work.set(w);
                recheck(ids.clone());
                Some(ids)
            }
            Err(r) => {
                refuse(r);
                None
            }
        }
    };
    let commit_move = move |d: Drag| {
        if geo::same(d.from, d.to) && d.insert.is_none() {
            return;
        }
        if edit(&|w| model::move_vertex(w, &d)).is_some() {
            sel_vertex.set(Some(d.to));
        }
    };
    let remove_selected_vertex = move || {
        let Some(p) = sel_vertex.get_untracked() else {
            return;
        };
        if edit(&|w| model::remove_vertex(w, p)).is_some() {
            sel_vertex.set(None);
        }
    };
    let undo = move || {
        let cur = work.get_untracked();
        if let Some(prev) = history.try_update_value(|h| h.undo(cur)).flatten() {
            work.set(prev);
            hist_tick.update(|t| *t += 1);
            let id = selected.get_untracked().into_iter().collect();
            recheck(id);
        }
    };
    let redo = move || {
        let cur = work.get_untracked();
        if let Some(next) = history.try_update_value(|h| h.redo(cur)).flatten() {
            work.set(next);
            hist_tick.update(|t| *t += 1);
            let id = selected.get_untracked().into_iter().collect();
            recheck(id);
        }
    };
    let can_undo = move || {
        hist_tick.track();
        history.with_value(|h| h.can_undo())
    };
    let can_redo = move || {
        hist_tick.track();
        history.with_value(|h| h.can_redo())
    };
    let pending = Memo::new(move |_| work.with(|w| base.with_value(|b| edits_between(b, w).len())));

    let new_code = move |w: &Work, parent: Option<&str>, level: i64| -> String {
        district.with_value(|d| domain::grid::new_code(w, parent, level, d.as_ref()))
    };
    let add_grid = move |w: &mut Work, template: GridView| -> i64 {
        let id = next_temp.get_value();
        next_temp.set_value(id - 1);
        w.push(Arc::new(GridView {
            id,
            version: 0,
            ..template
        }));
        id
    };

    // Finish drawing a part or a hole of the selected grid.
    let finish_ring = move |hole: bool| {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let pts = sketch.get_untracked();
        if edit(&|w| model::add_ring(w, id, &pts, hole)).is_some() {
            sketch.set(vec![]);
            mode.set(Mode::Select);
            say(
                true,
                i18n.t(if hole {
                    "map.hole_added"
                } else {
                    "map.part_added"
                }),
            );
        }
    };
    // Remove the ring through the selected vertex: fill a hole, or drop a part.
    let remove_selected_ring = move || {
        let (Some(p), Some(id)) = (sel_vertex.get_untracked(), selected.get_untracked()) else {
            return;
        };
        if edit(&|w| model::remove_ring(w, id, p)).is_some() {
            sel_vertex.set(None);
            say(true, i18n.t("map.ring_removed"));
        }
    };
    // Finish drawing a new grid of the active level inside the grid of the level above.
    let finish_draw = move || {
        match mode.get_untracked() {
            Mode::Part => return finish_ring(false),
            Mode::Hole => return finish_ring(true),
            _ => {}
        }
        let pts = sketch.get_untracked();
        if pts.len() < 3 {
            say(false, i18n.t("map.draw_more"));
            return;
        }
        let boundary = Boundary::from(geo::normalise(&pts));
        if let Err(e) = boundary.validate() {
            say(false, err_key(e.key(), &i18n.t("map.new_grid")));
            return;
        }
        let level = active_level.get_untracked();
        let mut w = work.get_untracked();
        let parent = match domain::grid::parent_for(&w, level, &boundary) {
            Some(p) => Some(p.code.clone()),
            None if level > 1 => {
                say(false, i18n.t("map.no_parent"));
                return;
            }
            None => None,
        };
        let code = new_code(&w, parent.as_deref(), level);
        let n = -next_temp.get_value();
        record();
        let name = format!("{} {n}", i18n.t("map.new_grid"));
        let id = add_grid(&mut w, new_grid(0, code, parent, level, name, boundary));
        work.set(w);
        sketch.set(vec![]);
        mode.set(Mode::Select);
        selected.set(Some(id));
        recheck(vec![id]);
        say(true, i18n.t("map.drawn"));
    };
    let finish_split = move || {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let line = sketch.get_untracked();
        let Some((code, name)) = work.with_untracked(|w| {
            w.iter().find(|g| g.id == id).map(|g| {
                (
                    new_code(w, g.parent_code.as_deref(), g.level),
                    format!("{}{}", g.name, i18n.t("map.split_suffix")),
                )
            })
        }) else {
            return;
        };
        let new_id = next_temp.get_value();
        let made = edit(&|w| {
            let new = NewGrid {
                id: new_id,
                code: code.clone(),
                name: name.clone(),
            };
            model::split(w, id, &line, new)
        });
        if made.is_some() {
            next_temp.set_value(new_id - 1);
            say(true, i18n.t("map.split_done"));
        }
        sketch.set(vec![]);
        mode.set(Mode::Select);
    };
    let merge_with = move |other: i64| {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        mode.set(Mode::Select);
        if edit(&|w| model::merge(w, id, other)).is_some() {
            say(true, i18n.t("map.merge_done"));
        }
    };
    let delete_selected = move || {
        let Some(id) = selected.get_untracked() else {
            return;
        };
        let name = work.with_untracked(|w| w.iter().find(|g| g.id == id).map(|g| g.name.clone()));
        if edit(&|w| model::delete(w, id)).is_some() {
            selected.set(None);
            editing.set(false);
            say(
                true,
                i18n.tf("map.deleted", &[("grid", name.clone().unwrap_or_default())]),
            );
        }
    };
    let reload = move |m: GridMap| {
        let keep = selected.get_untracked().and_then(|id| {
            work.with_untracked(|w| w.iter().find(|g| g.id == id).map(|g| g.code.clone()))
        });
        base.set_value(m.grids.clone());
        let fresh: Work = m.grids.into_iter().map(Arc::new).collect();
        selected.set(keep.and_then(|c| fresh.iter().find(|g| g.code == c).map(|g| g.id)));
        work.set(fresh);
        history.update_value(|h| h.clear());
        hist_tick.update(|t| *t += 1);
        problems.set(vec![]);
        history_panel.set(None);
    };
    let save = move || {
        let edits = work.with_untracked(|w| base.with_value(|b| edits_between(b, w)));
        if edits.is_empty() {
            say(true, i18n.t("map.nothing_to_save"));
            return;
        }
        let Ok(json) = serde_json::to_string(&edits) else {
            return;
        };
        saving.set(true);
        leptos::task::spawn_local(async move {
            let r = api::grids_save(json).await;
            if message.is_disposed() {
                return; // the page was left meanwhile
            }
            saving.set(false);
            match r {
                Ok(m) => {
                    reload(m);
                    say(true, i18n.t("map.saved"));
                }
                Err(e) => say(false, error_message(i18n, &e)),
            }
        });
    };
    let full_check = move || {
        work.with_untracked(|w| {
            let shapes = shapes_of(w);
            let report = Index::new(&shapes).check_all();
            let n = report.problems.len();
            problems.set(report.problems);
            coverage.set(report.coverage);
            say(n == 0, i18n.tf("map.checked", &[("n", n.to_string())]));
        });
    };

    // ---- pointer and keyboard ---------------------------------------------------------------
    let snap_tol_deg = move |lat: f64| snap_px / ppu() * proj.metres_per_unit(lat) / 111_320.0;
    let snapped = move |p: Point, exclude: Option<Point>| -> Point {
        let tol = snap_tol_deg(p[1]);
        work.with_untracked(|w| {
            let levels: Vec<bool> = shown.iter().map(|s| s.get_untracked()).collect();
            let rings = w
                .iter()
                .filter(|g| levels[(g.level as usize).clamp(1, 3) - 1])
                .flat_map(|g| g.boundary.rings());
            geo::snap(rings, p, tol, exclude)
                .map(|(q, _)| q)
                .unwrap_or(p)
        })
    };
    let on_down = move |e: ev::PointerEvent| {
        if e.button() != 0 && e.pointer_type() == "mouse" {
            return;
        }
        capture(&e);
        measure();
        let (cx, cy) = (e.client_x() as f64, e.client_y() as f64);
        pointers.update_value(|p| {
            p.retain(|(id, ..)| *id != e.pointer_id());
            p.push((e.pointer_id(), cx, cy));
        });
        let ps = pointers.get_value();
        if ps.len() == 2 {
            let dist = ((ps[0].1 - ps[1].1).powi(2) + (ps[0].2 - ps[1].2).powi(2))
                .sqrt()
                .max(1.0);
            gesture.set(Gesture::Pinch {
                dist,
                start: view_box.get_untracked(),
            });
            return;
        }
        let selecting = mode.get_untracked() == Mode::Select;
        if let Some(v) = data_attr(&e, "data-vertex").filter(|_| selecting) {
            let w = work.get_untracked();
            let Some(g) = selected
                .get_untracked()
                .and_then(|id| w.iter().find(|g| g.id == id).cloned())
            else {
                return;
            };
            if let Some(p) = handle_at(&g.boundary, &v).map(|(ring, k)| ring[k]) {
                sel_vertex.set(Some(p));
                gesture.set(Gesture::Vertex(Drag {
                    from: p,
                    to: p,
                    insert: None,
                }));
            }
            return;
        }
        if let Some(v) = data_attr(&e, "data-mid").filter(|_| selecting) {
            let w = work.get_untracked();
            let Some(g) = selected
                .get_untracked()
                .and_then(|id| w.iter().find(|g| g.id == id).cloned())
            else {
                return;
            };
            if let Some((ring, k)) = handle_at(&g.boundary, &v).filter(|(r, k)| k + 1 < r.len()) {
                let (a, b) = (ring[k], ring[k + 1]);
                let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
                gesture.set(Gesture::Vertex(Drag {
                    from: mid,
                    to: mid,
                    insert: Some((a, b)),
                }));
            }
            return;
        }
        let target = data_attr(&e, "data-id").and_then(|s| s.parse().ok());
        gesture.set(Gesture::Pan {
            x: cx,
            y: cy,
            start: view_box.get_untracked(),
            target,
            moved: false,
        });
    };
    let on_move = move |e: ev::PointerEvent| {
        let (cx, cy) = (e.client_x() as f64, e.client_y() as f64);
        pointers.update_value(|p| {
            for q in p.iter_mut() {
                if q.0 == e.pointer_id() {
                    (q.1, q.2) = (cx, cy);
                }
            }
        });
        match gesture.get_untracked() {
            Gesture::None => {}
            Gesture::Pinch { dist, start } => {
                let ps = pointers.get_value();
                if ps.len() == 2 {
                    let d = ((ps[0].1 - ps[1].1).powi(2) + (ps[0].2 - ps[1].2).powi(2))
                        .sqrt()
                        .max(1.0);
                    view_box.set(start);
                    let mid = to_map((ps[0].1 + ps[1].1) / 2.0, (ps[0].2 + ps[1].2) / 2.0);
                    zoom(dist / d, Some(mid));
                }
            }
            Gesture::Pan {
                x,
                y,
                start,
                target,
                moved,
            } => {
                let (dx, dy) = (cx - x, cy - y);
                if moved || dx.abs() + dy.abs() > 4.0 {
                    // While dragging, the drawn map only moves as a composited layer (a CSS
                    // transform, nothing re-rasterised); the viewBox follows when the drag ends.
                    pan_offset.set((dx, dy));
                    gesture.set(Gesture::Pan {
                        x,
                        y,
                        start,
                        target,
                        moved: true,
                    });
                }
            }
            Gesture::Vertex(d) => {
                let (mx, my) = to_map(cx, cy);
                let p = snapped(proj.inv(mx, my), Some(d.from));
                let nd = Drag { to: p, ..d };
                // Live check of the edited neighbourhood only.
                work.with_untracked(|w| {
                    let mut moved: Vec<(usize, Boundary)> = w
                        .iter()
                        .enumerate()
                        .filter(|(_, g)| {
                            g.boundary.has_vertex(nd.from)
                                || nd.insert.is_some_and(|(a, b)| g.boundary.has_edge(a, b))
                        })
                        .map(|(i, g)| (i, g.boundary.clone()))
                        .collect();
                    for (_, b) in moved.iter_mut() {
                        let one = std::slice::from_mut(b);
                        if let Some((a, b)) = nd.insert {
                            geo::insert_boundary_vertex(one, a, b, nd.from);
                        }
                        geo::move_boundary_vertex(one, nd.from, nd.to);
                    }
                    let mut copy = w.clone();
                    let changed: Vec<usize> = moved.iter().map(|(i, _)| *i).collect();
                    for (i, b) in moved {
                        let mut g = (*copy[i]).clone();
                        g.boundary = b;
                        copy[i] = Arc::new(g);
                    }
                    let (p, _) = local_check(&copy, &changed);
                    live.set(p.into_iter().filter(|p| p.blocks_save()).collect());
                });
                gesture.set(Gesture::Vertex(nd));
            }
        }
    };
    let on_up = move |e: ev::PointerEvent| {
        pointers.update_value(|p| p.retain(|(id, ..)| *id != e.pointer_id()));
        let g = gesture.get_untracked();
        gesture.set(Gesture::None);
        match g {
            Gesture::Vertex(d) => {
                live.set(vec![]);
                commit_move(d);
            }
            Gesture::Pan {
                moved: true, start, ..
            } => {
                let (dx, dy) = pan_offset.get_untracked();
                let (w, _) = size.get_untracked();
                let k = start.w / w;
                view_box.set(ViewBox {
                    cx: start.cx - dx * k,
                    cy: start.cy - dy * k,
                    w: start.w,
                });
                pan_offset.set((0.0, 0.0));
            }
            Gesture::Pan {
                moved: false,
                target,
                ..
            } => {
                let (mx, my) = to_map(e.client_x() as f64, e.client_y() as f64);
                let p = proj.inv(mx, my);
                match mode.get_untracked() {
                    Mode::Draw | Mode::Part | Mode::Hole => {
                        let first = sketch.with_untracked(|s| s.first().copied());
                        let q = snapped(p, None);
                        let near_first = first.is_some_and(|f| {
                            let (fx, fy) = proj.fwd(f);
                            let (qx, qy) = proj.fwd(q);
                            ((fx - qx).powi(2) + (fy - qy).powi(2)).sqrt() * ppu() < snap_px
                        });
                        if near_first && sketch.with_untracked(|s| s.len() >= 3) {
                            finish_draw();
                        } else {
                            sketch.update(|s| s.push(q));
                        }
                    }
                    Mode::Split => {
                        let q = snapped(p, None);
                        let on_ring = selected
                            .get_untracked()
                            .and_then(index_of)
                            .is_some_and(|i| work.with_untracked(|w| w[i].boundary.has_vertex(q)));
                        let n = sketch.with_untracked(|s| s.len());
                        if n == 0 && !on_ring {
                            say(false, i18n.t("map.split_start"));
                        } else {
                            sketch.update(|s| s.push(q));
                            if n > 0 && on_ring {
                                finish_split();
                            }
                        }
                    }
                    Mode::Merge => {
                        if let Some(t) = target {
                            merge_with(t);
                        }
                    }
                    Mode::Select => {
                        if target != selected.get_untracked() {
                            editing.set(false);
                            sel_vertex.set(None);
                            history_panel.set(None);
                        }
                        selected.set(target);
                    }
                }
            }
            _ => {}
        }
    };
    let on_wheel = move |e: ev::WheelEvent| {
        e.prevent_default();
        let at = to_map(e.client_x() as f64, e.client_y() as f64);
        zoom((e.delta_y() * 0.0015).exp(), Some(at));
    };
    let keys = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
        if typing_in_field(&e) {
            return;
        }
        let ctrl = e.ctrl_key() || e.meta_key();
        match e.key().as_str() {
            "z" | "Z" if ctrl && e.shift_key() => {
                e.prevent_default();
                redo();
            }
            "z" | "Z" if ctrl => {
                e.prevent_default();
                undo();
            }
            "y" | "Y" if ctrl => {
                e.prevent_default();
                redo();
            }
            "Escape" => {
                sketch.set(vec![]);
                mode.set(Mode::Select);
                gesture.set(Gesture::None);
                live.set(vec![]);
            }
            "Enter" if matches!(mode.get_untracked(), Mode::Draw | Mode::Part | Mode::Hole) => {
                finish_draw()
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    // Arrow keys nudge the focused vertex by a pixel (ten with Shift); Delete removes it.
    let vertex_key = move |e: ev::KeyboardEvent, p: Point| {
        let step = if e.shift_key() { 10.0 } else { 1.0 } / ppu();
        let (dx, dy) = match e.key().as_str() {
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            "Delete" | "Backspace" => {
                e.prevent_default();
                sel_vertex.set(Some(p));
                remove_selected_vertex();
                return;
            }
            _ => return,
        };
        e.prevent_default();
        let (x, y) = proj.fwd(p);
        let to = proj.inv(x + dx, y + dy);
        commit_move(Drag {
            from: p,
            to,
            insert: None,
        });
    };

    // ---- drawing ------------------------------------------------------------------------------
    let layer = move |level: i64| {
        let on = shown[(level - 1) as usize];
        let items = move || {
            work.with(|w| {
                w.iter()
                    .filter(|g| g.level == level)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        };
        view! {
            <g class=move || format!("level level-{level}{}", if active_level.get() == level { " active" } else { "" })
                style:display=move || if on.get() { "inline" } else { "none" }>
                <For each=items key=|g| (g.id, Arc::as_ptr(g) as usize) children=move |g| {
                    let id = g.id;
                    let mine = g.clone();
                    let class = if level == 3 { format!("grid {}", load_class(g.households, target)) } else { "grid".to_owned() };
                    // Outlines per level of detail, each built the first time it is shown.
                    let outline: [std::sync::OnceLock<String>; DETAIL_TIERS] = Default::default();
                    let shape = g.clone();
                    let d = move || {
                        let t = detail.get();
                        outline[t].get_or_init(|| boundary_d(&proj, &shape.boundary, detail_tolerance(t))).clone()
                    };
                    view! {
                        <path d=d class=class data-id=id.to_string() fill-rule="evenodd"
                            class:selected=move || selected.get() == Some(id)
                            class:dirty=move || base.with_value(|b| !b.iter().any(|x| x.id == id && *x == *mine))>
                            <title>{format!("{} · {}", g.name, g.code)}</title>
                        </path>
                    }
                }/>
            </g>
        }
    };
    let tile_layer = move || {
        let template = tile_url.clone()?;
        let v = view_box.get();
        let z = tile_zoom(&proj, ppu());
        let tiles = tiles_at(&proj, v, view_h(), z);
        Some(view! {
            <g class="tiles" aria-hidden="true">
                {tiles.into_iter().map(|t| {
                    let href = template.replace("{z}", &t.z.to_string()).replace("{x}", &t.x.to_string()).replace("{y}", &t.y.to_string());
                    view! { <image href=href x=format!("{:.3}", t.left) y=format!("{:.3}", t.top) width=format!("{:.3}", t.size) height=format!("{:.3}", t.size) preserveAspectRatio="none"/> }
                }).collect_view()}
            </g>
        })
    };
    // Where each grid's label goes and how wide the grid is, computed once per change of the map
    // (not on every pan or zoom step).
    let label_spots = Memo::new(move |_| {
        work.with(|w| {
            w.iter()
                .map(|g| {
                    // Mercator x is linear in longitude: no projection needed for the width.
                    let [x0, _, x1, _] = g.boundary.bbox();
                    let (x0, x1) = (proj.fwd([x0, 0.0]).0, proj.fwd([x1, 0.0]).0);
                    // A point inside (not in a hole) for grids with holes or parts; the cheap
                    // vertex mean for the rest.
                    let at = if g.boundary.is_simple() {
                        geo::mean_point(g.boundary.outer())
                    } else {
                        g.boundary.label_point()
                    };
                    let (x, y) = proj.fwd(at);
                    (g.level, x1 - x0, x, y, g.name.clone())
                })
                .collect::<Vec<_>>()
        })
    });
    let labels = move || {
        let k = ppu();
        let lvl = active_level.get();
        if !shown[(lvl - 1) as usize].get() {
            return Vec::new();
        }
        // Only grids whose label spot is in view (zoomed in, a few dozen of the district's).
        let v = view_box.get();
        let (half_w, half_h) = (v.w / 2.0, view_h() / 2.0);
        let in_view =
            move |x: f64, y: f64| (x - v.cx).abs() <= half_w && (y - v.cy).abs() <= half_h;
        label_spots.with(|spots| {
            spots
                .iter()
                // Only label grids wide enough on screen for their name.
                .filter(|(level, width, x, y, _)| *level == lvl && width * k > 70.0 && in_view(*x, *y))
                .map(|(_, _, x, y, name)| {
                    view! { <text x=format!("{x:.2}") y=format!("{y:.2}") class="grid-label" font-size=format!("{:.3}", 12.0 / k)>{name.clone()}</text> }
                })
                .collect::<Vec<_>>()
        })
    };
    let handles = move || {
        if !editing.get() || mode.get() == Mode::Merge {
            return None;
        }
        let id = selected.get()?;
        let g = work.with(|w| w.iter().find(|g| g.id == id).cloned())?;
        if !g.editable {
            return None;
        }
        let r = handle_px / ppu();
        let sel = sel_vertex.get();
        // Every ring's handles (outer rings, holes, every part), named "ring.vertex"; the
        // vertices are numbered on through the rings for the keyboard's labels.
        let rings: Vec<(usize, Ring)> = g.boundary.rings().cloned().enumerate().collect();
        let mut number = 0usize;
        let mids = rings.iter().flat_map(|(ri, ring)| {
            ring.windows(2).enumerate().map(move |(k, e)| {
                let (x, y) = proj.fwd([(e[0][0] + e[1][0]) / 2.0, (e[0][1] + e[1][1]) / 2.0]);
                view! { <circle class="mid" cx=format!("{x:.3}") cy=format!("{y:.3}") r=format!("{:.3}", r * 0.6) data-mid=format!("{ri}.{k}")/> }
            })
        }).collect_view();
        let vertices = rings.iter().flat_map(|(ri, ring)| {
            let ri = *ri;
            ring[..ring.len().saturating_sub(1)].iter().copied().enumerate().map(move |(k, p)| (ri, k, p))
        }).map(|(ri, k, p)| {
            number += 1;
            let (x, y) = proj.fwd(p);
            // How many grids share this vertex, and whether any of them is outside the caller's reach.
            let (shared, locked) = work.with_untracked(|w| {
                w.iter()
                    .filter(|o| o.boundary.has_vertex(p))
                    .fold((0usize, false), |(n, l), o| (n + 1, l || !o.editable))
            });
            let label = format!("{} {}", i18n.t("map.vertex"), number);
            view! {
                <circle class="vertex" class:chosen=sel.is_some_and(|s| geo::same(s, p)) class:locked=locked data-shared=shared.to_string() cx=format!("{x:.3}") cy=format!("{y:.3}") r=format!("{r:.3}")
                    data-vertex=format!("{ri}.{k}") tabindex="0" role="button" aria-label=label
                    on:focus=move |_| sel_vertex.set(Some(p))
                    on:keydown=move |e| vertex_key(e, p)/>
            }
        }).collect_view();
        Some(view! {
            <g class="handles">
                {mids}
                {vertices}
            </g>
        })
    };
    let drag_preview = move || match gesture.get() {
        Gesture::Vertex(d) => {
            let paths = work.with_untracked(|w| {
                w.iter()
                    .filter(|g| match d.insert {
                        None => g.boundary.has_vertex(d.from),
                        Some((a, b)) => g.boundary.has_edge(a, b),
                    })
                    .map(|g| {
                        let mut one = [g.boundary.clone()];
                        if let Some((a, b)) = d.insert {
                            geo::insert_boundary_vertex(&mut one, a, b, d.from);
                        }
                        geo::move_boundary_vertex(&mut one, d.from, d.to);
                        boundary_d(&proj, &one[0], 0.0)
                    })
                    .collect::<Vec<_>>()
            });
            let bad = !live.get().is_empty();
            Some(view! {
                <g class="preview" class:bad=bad>
                    {paths.into_iter().map(|d| view! { <path d=d/> }).collect_view()}
                </g>
            })
        }
        _ => None,
    };
    let sketch_view = move || {
        let s = sketch.get();
        if s.is_empty() {
            return None;
        }
        let pts: Vec<String> = s
            .iter()
            .map(|p| {
                let (x, y) = proj.fwd(*p);
                format!("{x:.3},{y:.3}")
            })
            .collect();
        let r = handle_px * 0.7 / ppu();
        Some(view! {
            <g class="sketch">
                <polyline points=pts.join(" ")/>
                {s.iter().map(|p| {
                    let (x, y) = proj.fwd(*p);
                    view! { <circle cx=format!("{x:.3}") cy=format!("{y:.3}") r=format!("{r:.3}")/> }
                }).collect_view()}
            </g>
        })
    };
    let problem_marks = move || {
        let r = handle_px * 1.4 / ppu();
        let all: Vec<Problem> = problems.get().into_iter().chain(live.get()).collect();
        view! {
            <g class="problems-layer">
                {all.into_iter().map(|p| {
                    match p {
                        Problem::Gap { ring, .. } => view! { <path class="gap" d=path_d(&proj, &ring)/> }.into_any(),
                        other => {
                            let (x, y) = proj.fwd(other.at());
                            view! { <circle class="issue" cx=format!("{x:.3}") cy=format!("{y:.3}") r=format!("{r:.3}")/> }.into_any()
                        }
                    }
                }).collect_view()}
            </g>
        }
    };
    let scale_bar = move || {
        let v = view_box.get();
        let lat = proj.inv(v.cx, v.cy)[1];
        let m_per_px = proj.metres_per_unit(lat) / ppu();
        let nice = [
            5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0, 20000.0,
        ];
        let len = nice
            .iter()
            .copied()
            .rev()
            .find(|l| l / m_per_px <= 120.0)
            .unwrap_or(5.0);
        let px = len / m_per_px;
        let text = if len >= 1000.0 {
            format!("{} km", len / 1000.0)
        } else {
            format!("{len} m")
        };
        view! { <div class="scale-bar" aria-label=move || i18n.t("map.scale")><span style:width=format!("{px:.0}px")></span>{text}</div> }
    };

    // ---- side panels --------------------------------------------------------------------------
    let problem_text = move |p: &Problem| -> String {
        let name = |code: &str| {
            work.with_untracked(|w| {
                w.iter()
                    .find(|g| g.code == code)
                    .map(|g| format!("{}（{}）", g.name, g.code))
                    .unwrap_or_else(|| code.to_owned())
            })
        };
        let (key, args) = p.message(name);
        i18n.tf(key, &args)
    };
    let problems_panel = move || {
        let list = problems.get();
        let cov = coverage.get();
        view! {
            <section class="card problems" aria-live="polite" data-check-ms=move || format!("{:.1}", check_ms.get())>
                <h2>{move || i18n.t("map.problems")}</h2>
                <button type="button" on:click=move |_| full_check()>{move || i18n.t("map.check_all")}</button>
                {if list.is_empty() {
                    view! { <p class="muted">{move || i18n.t("map.no_problems")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="problem-list">
                            {list.into_iter().map(|p| {
                                let text = problem_text(&p);
                                let at = p.at();
                                let code = p.codes().first().map(|c| c.to_string());
                                let class = if p.blocks_save() { "problem bad" } else { "problem" };
                                view! {
                                    <li><button type="button" class=class on:click=move |_| {
                                        fly_to_point(at);
                                        if let Some(c) = &code {
                                            let id = work.with_untracked(|w| w.iter().find(|g| &g.code == c).map(|g| g.id));
                                            selected.set(id);
                                        }
                                    }>{text}</button></li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                {(!cov.is_empty()).then(|| view! {
                    <table class="coverage">
                        <thead><tr><th>{move || i18n.t("map.parent")}</th><th>{move || i18n.t("map.children")}</th><th>{move || i18n.t("map.coverage")}</th></tr></thead>
                        <tbody>
                            {cov.into_iter().take(50).map(|c| {
                                let name = work.with_untracked(|w| w.iter().find(|g| g.code == c.parent).map(|g| g.name.clone()).unwrap_or(c.parent.clone()));
                                view! { <tr><td>{name}</td><td>{c.children}</td><td>{format!("{:.2}%", c.covered_pct)}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </section>
        }
    };

    let panel = move || {
        let id = selected.get()?;
        let g = work.with(|w| w.iter().find(|g| g.id == id).cloned())?;
        let stats = work.with(|w| {
            let kids: Vec<&Arc<GridView>> = w
                .iter()
                .filter(|k| k.parent_code.as_deref() == Some(g.code.as_str()))
                .collect();
            (!kids.is_empty()).then(|| (kids.len(), kids.iter().map(|k| k.households).sum::<i64>()))
        });
        let area = g.boundary.area_m2();
        let gv: GridView = (*g).clone();
        Some(view! {
            <aside class="panel card" aria-live="polite">
                <h2>{g.name.clone()}</h2>
                <dl class="facts">
                    <dt>{move || i18n.t("grid.code")}</dt><dd>{g.code.clone()}</dd>
                    {(!g.source_code.is_empty()).then(|| view! {
                        <dt>{move || i18n.t("grid.source_code")}</dt><dd>{g.source_code.clone()}</dd>
                    })}
                    <dt>{move || i18n.t("grid.level")}</dt><dd>{let l = g.level; move || i18n.t(&format!("grid.level{l}"))}</dd>
                    <dt>{move || i18n.t("grid.kind")}</dt><dd>{let k = g.kind.clone(); move || i18n.t(&format!("grid.kind.{k}"))}</dd>
                    <dt>{move || i18n.t("grid.households")}</dt><dd>{g.households}</dd>
                    <dt>{move || i18n.t("grid.population")}</dt><dd>{g.population}</dd>
                    <dt>{move || i18n.t("grid.area")}</dt><dd>{format!("{:.2} km²", area / 1e6)}</dd>
                    {(!g.workers.is_empty()).then(|| view! { <dt>{move || i18n.t("grid.workers")}</dt><dd>{g.workers.clone()}</dd> })}
                    {g.unit_name.clone().map(|n| view! {
                        <dt>{move || i18n.t("grid.unit")}</dt>
                        <dd><a href=format!("/orgs?unit={}", g.unit_code.clone().unwrap_or_default())>{n}</a></dd>
                    })}
                    {stats.map(|(n, h)| view! {
                        <dt>{move || i18n.t("map.children")}</dt><dd>{n}</dd>
                        <dt>{move || i18n.t("map.child_households")}</dt><dd>{h}</dd>
                    })}
                    {(g.valid_from.is_some() || g.valid_to.is_some()).then(|| view! {
                        <dt>{move || i18n.t("grid.valid")}</dt>
                        <dd>{format!("{} – {}", g.valid_from.clone().unwrap_or_default(), g.valid_to.clone().unwrap_or_default())}</dd>
                    })}
                    {(!g.updated_by.is_empty()).then(|| view! {
                        <dt>{move || i18n.t("grid.updated")}</dt><dd>{format!("{} · {} · v{}", g.updated_by, g.updated_at, g.version)}</dd>
                    })}
                </dl>
                <div class="actions">
                    {(g.editable).then(|| view! {
                        <button type="button" aria-pressed=move || editing.get().to_string() on:click=move |_| editing.update(|e| *e = !*e)>
                            {move || i18n.t(if editing.get() { "map.stop_editing" } else { "map.edit_boundary" })}
                        </button>
                    })}
                    {(g.editable).then(|| {
                        // Parts and holes: draw one on the map (click near the first point or press
                        // Enter to close it), or remove the ring through the selected vertex.
                        let draw = move |m: Mode| {
                            sketch.set(vec![]);
                            let next = if mode.get_untracked() == m { Mode::Select } else { m };
                            mode.set(next);
                            if next != Mode::Select {
                                say(true, i18n.t("map.draw_hint"));
                            }
                        };
                        view! {
                            <button type="button" aria-pressed=move || (mode.get() == Mode::Part).to_string() on:click=move |_| draw(Mode::Part)>{move || i18n.t("map.add_part")}</button>
                            <button type="button" aria-pressed=move || (mode.get() == Mode::Hole).to_string() on:click=move |_| draw(Mode::Hole)>{move || i18n.t("map.add_hole")}</button>
                            <button type="button" disabled=move || sel_vertex.get().is_none() on:click=move |_| remove_selected_ring()>{move || i18n.t("map.remove_ring")}</button>
                        }
                    })}
                    {(g.id > 0 && can_edit).then(|| view! {
                        <button type="button" on:click=move |_| {
                            history_panel.set(Some(Ok(vec![])));
                            leptos::task::spawn_local(async move {
                                let r = api::grid_history(id).await.map_err(|e| error_message(i18n, &e));
                                if history_panel.is_disposed() {
                                    return;
                                }
                                history_panel.set(Some(r));
                            });
                        }>{move || i18n.t("map.history")}</button>
                    })}
                    <a class="button" href=format!("/feeds/grids.geojson?root={}", g.code) download=format!("{}.geojson", g.code)>{move || i18n.t("map.export_subtree")}</a>
                    <button type="button" on:click=move |_| selected.set(None)>{move || i18n.t("common.close")}</button>
                </div>
                {(g.editable).then(|| view! { <GridForm grid=gv.clone() on_apply=Callback::new(move |draft: domain::grid::GridDraft| {
                    let mut w = work.get_untracked();
                    let Some(i) = w.iter().position(|x| x.id == id) else { return };
                    match draft.check() {
                        Err(e) => say(false, err_key(e.key(), draft.name.trim())),
                        Ok(c) => {
                            if w.iter().any(|x| x.id != id && x.code == c.code.as_str()) {
                                say(false, i18n.t("err.grid_code_taken"));
                                return;
                            }
                            record();
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
                            work.set(w);
                            say(true, i18n.t("map.applied"));
                        }
                    }
                }) on_delete=Callback::new(move |_| delete_selected())/> })}
                {move || history_panel.get().map(|h| match h {
                    Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
                    Ok(revs) => view! {
                        <section class="history">
                            <h3>{move || i18n.t("map.history")}</h3>
                            {revs.is_empty().then(|| view! { <p class="muted">{move || i18n.t("map.no_history")}</p> })}
                            <ol>
                                {revs.into_iter().map(|r| {
                                    let rid = r.id;
                                    let summary = r.after.as_ref().or(r.before.as_ref()).map(|d| format!("{} · {} {} · {} {}", d.name, d.households, i18n.t("grid.households"), d.boundary.vertex_count().saturating_sub(d.boundary.ring_count()), i18n.t("map.vertices"))).unwrap_or_default();
                                    let can_restore = r.before.is_some();
                                    view! {
                                        <li>
                                            <div><strong>{let a = r.action.clone(); move || i18n.t(&format!("map.action.{a}"))}</strong>{format!(" · {} · {} · v{}", r.at, r.actor, r.version)}</div>
                                            <div class="muted">{summary}</div>
                                            {can_restore.then(|| view! {
                                                <button type="button" on:click=move |_| {
                                                    if pending.get_untracked() > 0 {
                                                        say(false, i18n.t("map.save_first"));
                                                        return;
                                                    }
                                                    let version = work.with_untracked(|w| w.iter().find(|g| g.id == id).map(|g| g.version).unwrap_or(0));
                                                    leptos::task::spawn_local(async move {
                                                        let r = api::grid_restore(rid, version).await;
                                                        if message.is_disposed() {
                                                            return;
                                                        }
                                                        match r {
                                                            Ok(m) => { reload(m); say(true, i18n.t("map.restored")); }
                                                            Err(e) => say(false, error_message(i18n, &e)),
                                                        }
                                                    });
                                                }>{move || i18n.t("map.restore")}</button>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </section>
                    }.into_any(),
                })}
            </aside>
        })
    };

    let list = move || {
        let q = query.get().trim().to_lowercase();
        work.with(|w| {
            w.iter()
                .filter(|g| {
                    if q.is_empty() {
                        g.level == 3
                    } else {
                        g.name.to_lowercase().contains(&q)
                            || g.code.contains(&q)
                            || g.source_code.to_lowercase().contains(&q)
                    }
                })
                .take(200)
                .map(|g| {
                    let id = g.id;
                    let label = if g.source_code.is_empty() {
                        format!("{} · {}", g.name, g.code)
                    } else {
                        format!("{} · {} · {}", g.name, g.code, g.source_code)
                    };
                    let households = g.households;
                    view! {
                        <li>
                            <button type="button" class="row" aria-pressed=move || (selected.get() == Some(id)).to_string()
                                on:click=move |_| { selected.set(Some(id)); editing.set(false); history_panel.set(None); fly_to(id); }>
                                <span>{label}</span>
                                <span class=format!("badge {}", load_class(households, target))>{households}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view()
        })
    };

    let tools = move || {
        can_edit.then(|| view! {
            <div class="toolbar" role="toolbar" aria-label=move || i18n.t("map.tools")>
                <button type="button" aria-pressed=move || (mode.get() == Mode::Draw).to_string()
                    on:click=move |_| { sketch.set(vec![]); mode.set(if mode.get_untracked() == Mode::Draw { Mode::Select } else { Mode::Draw }); say(true, i18n.t("map.draw_hint")); }>
                    {move || i18n.t("map.draw")}
                </button>
                <button type="button" disabled=move || selected.get().is_none() aria-pressed=move || (mode.get() == Mode::Split).to_string()
                    on:click=move |_| { sketch.set(vec![]); mode.set(Mode::Split); say(true, i18n.t("map.split_hint")); }>
                    {move || i18n.t("map.split")}
                </button>
                <button type="button" disabled=move || selected.get().is_none() aria-pressed=move || (mode.get() == Mode::Merge).to_string()
                    on:click=move |_| { mode.set(Mode::Merge); say(true, i18n.t("map.merge_hint")); }>
                    {move || i18n.t("map.merge")}
                </button>
                <button type="button" disabled=move || sel_vertex.get().is_none() || !editing.get() on:click=move |_| remove_selected_vertex()>
                    {move || i18n.t("map.delete_vertex")}
                </button>
                <button type="button" disabled=move || !can_undo() on:click=move |_| undo() title="Ctrl+Z">{move || i18n.t("map.undo")}</button>
                <button type="button" disabled=move || !can_redo() on:click=move |_| redo() title="Ctrl+Shift+Z">{move || i18n.t("map.redo")}</button>
                <button type="button" aria-pressed=move || importing.get().to_string()
                    on:click=move |_| { importing.update(|v| *v = !*v); import_preview.set(vec![]); }>
                    {move || i18n.t("import.title")}
                </button>
                <button type="button" class="primary" disabled=move || pending.get() == 0 || saving.get() on:click=move |_| save()>
                    {move || i18n.tf("map.save", &[("n", pending.get().to_string())])}
                </button>
            </div>
        })
    };

    view! {
        <div class="map-layout">
            <div class="map-main">
                <div class="map-controls">
                    <fieldset class="toggles">
                        <legend>{move || i18n.t("map.levels")}</legend>
                        {(1..=3).map(|l| {
                            let on = shown[l - 1];
                            view! {
                                <label class="check">
                                    <input type="checkbox" prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev))/>
                                    {move || i18n.t(&format!("grid.level{l}"))}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    {move || (!layers.with(Vec::is_empty)).then(|| view! {
                        <fieldset class="toggles">
                            <legend>{move || i18n.t("map.context_layers")}</legend>
                            {layers.get().into_iter().map(|l| {
                                let id = l.id;
                                view! {
                                    <label class="check">
                                        <input type="checkbox" prop:checked=move || !hidden_layers.get().contains(&id)
                                            on:change=move |ev| { let on = event_target_checked(&ev); hidden_layers.update(|h| { if on { h.remove(&id); } else { h.insert(id); } }); }/>
                                        {l.name.clone()}
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                    })}
                    <label class="level-pick">{move || i18n.t("map.active_level")}
                        <select on:change=move |ev| { active_level.set(event_target_value(&ev).parse().unwrap_or(3)); }>
                            {(1..=3).map(|l| view! { <option value=l.to_string() selected=l == first_level>{move || i18n.t(&format!("grid.level{l}"))}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                {tools}
                {move || (can_edit && work.with(|w| !w.iter().any(|g| g.level == 1))).then(|| {
                    let district_code = district_code.clone();
                    view! {
                        <div class="note map-start">
                            {work.with(Vec::is_empty).then(|| view! { <p>{move || i18n.t("map.empty")}</p> })}
                            <p>{move || match &district_code {
                                Some(code) => i18n.tf("map.district_set", &[("code", code.clone())]),
                                None => i18n.t("map.district_unset"),
                            }}</p>
                        </div>
                    }
                })}
                <div class="map-frame">
                    // Messages float over the map so they never shift it under the pointer.
                    {move || message.get().map(|(ok, text)| view! {
                        <p class=if ok { "note toast" } else { "error toast" } role=if ok { "status" } else { "alert" }>
                            <span>{text}</span>
                            <button type="button" class="toast-close" aria-label=move || i18n.t("common.close") on:click=move |_| message.set(None)>"×"</button>
                        </p>
                    })}
                    <svg class="map" node_ref=svg_ref viewBox=view_box_attr role="application" aria-label=move || i18n.t("map.title")
                        class:drawing=move || mode.get() != Mode::Select
                        class:with-tiles=has_tiles
                        style:transform=move || {
                            let (dx, dy) = pan_offset.get();
                            (dx != 0.0 || dy != 0.0).then(|| format!("translate({dx:.1}px, {dy:.1}px)"))
                        }
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up on:wheel=on_wheel>
                        {tile_layer}
                        {move || measured.get().then(|| layer(3))}
                        {move || {
                            let hidden = hidden_layers.get();
                            layers.with(|ls| ls.iter().filter(|l| !hidden.contains(&l.id)).map(|l| {
                                let d: String = l.paths.iter().map(|p| path_d(&proj, p).trim_end_matches('Z').to_owned()).collect();
                                view! { <path class="context" d=d/> }
                            }).collect_view())
                        }}
                        {move || measured.get().then(|| layer(2))}
                        {move || measured.get().then(|| layer(1))}
                        {labels}
                        {move || {
                            let items = import_preview.get();
                            (!items.is_empty()).then(|| view! {
                                <g class="import-preview">
                                    {items.into_iter().map(|d| view! { <path class=d.class d=boundary_d(&proj, &d.boundary, 0.0) fill-rule="evenodd"><title>{d.name.clone()}</title></path> }).collect_view()}
                                </g>
                            })
                        }}
                        {problem_marks}
                        {drag_preview}
                        {sketch_view}
                        {handles}
                    </svg>
                    <div class="zoom-buttons">
                        <button type="button" aria-label=move || i18n.t("map.zoom_in") on:click=move |_| zoom(1.0 / 1.6, None)>"+"</button>
                        <button type="button" aria-label=move || i18n.t("map.zoom_out") on:click=move |_| zoom(1.6, None)>"−"</button>
                        <button type="button" aria-label=move || i18n.t("map.fit") on:click=move |_| fit_all()>"⤢"</button>
                    </div>
                    {scale_bar}
                </div>
                <div class="legend" aria-label=move || i18n.t("map.legend")>
                    <span class="legend-item"><span class="swatch load-low"></span>{move || i18n.tf("map.load_low", &[("n", (target * 4 / 5).to_string())])}</span>
                    <span class="legend-item"><span class="swatch load-ok"></span>{move || i18n.tf("map.load_ok", &[("a", (target * 4 / 5).to_string()), ("b", (target * 6 / 5).to_string())])}</span>
                    <span class="legend-item"><span class="swatch load-high"></span>{move || i18n.tf("map.load_high", &[("n", (target * 6 / 5).to_string())])}</span>
                    <span class="legend-item"><span class="swatch gap-swatch"></span>{move || i18n.t("map.legend_gap")}</span>
                    <a href=move || format!("/feeds/grids.geojson?level={}", active_level.get()) download="grids.geojson">{move || i18n.t("map.export_level")}</a>
                </div>
            </div>
            <div class="map-side">
                {move || importing.get().then(|| view! {
                    <super::import::ImportPanel work=work preview=import_preview layers=layers district=import_district.clone()
                        on_done=Callback::new(move |m: GridMap| {
                            let n = m.grids.len();
                            reload(m);
                            importing.set(false);
                            say(true, i18n.tf("import.done", &[("n", n.to_string())]));
                        })
                        on_fit=Callback::new(move |_| {
                            import_preview.with_untracked(|p| fit_boundaries(p.iter().map(|d| &d.boundary).collect(), 1.1));
                        })/>
                })}
                {panel}
                {problems_panel}
                <label class="search">{move || i18n.t("map.search")}
                    <input type="search" bind:value=query placeholder=move || i18n.t("map.search_hint")/>
                </label>
                <ul class="grid-list" aria-label=move || i18n.t("map.list")>{list}</ul>
            </div>
        </div>
    }
}
