//! Pointer and keyboard gestures on the map: pan, pinch and wheel zoom, vertex drags (checked live),
//! clicks that select, draw, split or merge, and the keys (undo/redo, Escape, Enter, arrow keys on
//! a focused vertex). Each ends in one of `Ed`'s transitions.

use super::*;

impl Ed {
    /// A vertex of a shown grid within the snapping distance of `p` (other than `exclude`), else `p`.
    fn snapped(self, p: Point, exclude: Option<Point>) -> Point {
        let tol = self.snap_px / self.ppu() * self.proj.metres_per_unit(p[1]) / 111_320.0;
        self.work.with_untracked(|w| {
            let levels: Vec<bool> = self.shown.iter().map(|s| s.get_untracked()).collect();
            let rings = w
                .iter()
                .filter(|g| levels[(g.level as usize).clamp(1, 3) - 1])
                .flat_map(|g| g.boundary.rings());
            geo::snap(rings, p, tol, exclude)
                .map(|(q, _)| q)
                .unwrap_or(p)
        })
    }

    /// The selected grid's handle named by attribute `name` of the event's target, if any.
    fn handle(self, e: &ev::PointerEvent, name: &str) -> Option<(Ring, usize)> {
        let v = data_attr(e, name)?;
        let g = self.selected.get_untracked().and_then(|id| self.grid(id))?;
        handle_at(&g.boundary, &v).map(|(ring, k)| (ring.clone(), k))
    }

    pub fn on_down(self, e: ev::PointerEvent) {
        if e.button() != 0 && e.pointer_type() == "mouse" {
            return;
        }
        capture(&e);
        self.measure();
        let (cx, cy) = (e.client_x() as f64, e.client_y() as f64);
        self.pointers.update_value(|p| {
            p.retain(|(id, ..)| *id != e.pointer_id());
            p.push((e.pointer_id(), cx, cy));
        });
        let ps = self.pointers.get_value();
        if ps.len() == 2 {
            let dist = ((ps[0].1 - ps[1].1).powi(2) + (ps[0].2 - ps[1].2).powi(2))
                .sqrt()
                .max(1.0);
            self.gesture.set(Gesture::Pinch {
                dist,
                start: self.view_box.get_untracked(),
            });
            return;
        }
        let selecting = self.mode.get_untracked() == Mode::Select;
        if selecting && data_attr(&e, "data-vertex").is_some() {
            if let Some((ring, k)) = self.handle(&e, "data-vertex") {
                let p = ring[k];
                self.sel_vertex.set(Some(p));
                self.gesture.set(Gesture::Vertex(Drag {
                    from: p,
                    to: p,
                    insert: None,
                }));
            }
            return;
        }
        if selecting && data_attr(&e, "data-mid").is_some() {
            if let Some((ring, k)) = self.handle(&e, "data-mid").filter(|(r, k)| k + 1 < r.len()) {
                let (a, b) = (ring[k], ring[k + 1]);
                let mid = [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0];
                self.gesture.set(Gesture::Vertex(Drag {
                    from: mid,
                    to: mid,
                    insert: Some((a, b)),
                }));
            }
            return;
        }
        let target = data_attr(&e, "data-id").and_then(|s| s.parse().ok());
        self.gesture.set(Gesture::Pan {
            x: cx,
            y: cy,
            start: self.view_box.get_untracked(),
            target,
            moved: false,
        });
    }

    pub fn on_move(self, e: ev::PointerEvent) {
        let (cx, cy) = (e.client_x() as f64, e.client_y() as f64);
        self.pointers.update_value(|p| {
            for q in p.iter_mut() {
                if q.0 == e.pointer_id() {
                    (q.1, q.2) = (cx, cy);
                }
            }
        });
        match self.gesture.get_untracked() {
            Gesture::None => {}
            Gesture::Pinch { dist, start } => {
                let ps = self.pointers.get_value();
                if ps.len() == 2 {
                    let d = ((ps[0].1 - ps[1].1).powi(2) + (ps[0].2 - ps[1].2).powi(2))
                        .sqrt()
                        .max(1.0);
                    self.view_box.set(start);
                    let mid = self.to_map((ps[0].1 + ps[1].1) / 2.0, (ps[0].2 + ps[1].2) / 2.0);
                    self.zoom(dist / d, Some(mid));
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
                    self.pan_offset.set((dx, dy));
                    self.gesture.set(Gesture::Pan {
                        x,
                        y,
                        start,
                        target,
                        moved: true,
                    });
                }
            }
            Gesture::Vertex(d) => {
                let (mx, my) = self.to_map(cx, cy);
                let p = self.snapped(self.proj.inv(mx, my), Some(d.from));
                let nd = Drag { to: p, ..d };
                self.check_drag(&nd);
                self.gesture.set(Gesture::Vertex(nd));
            }
        }
    }

    /// The live check of a vertex drag: the grids that have the vertex (or the edge it is
    /// inserted into) and their neighbourhood only; the rest of the map is not copied.
    fn check_drag(self, d: &Drag) {
        self.work.with_untracked(|w| {
            let mut moved: Vec<(usize, Boundary)> = w
                .iter()
                .enumerate()
                .filter(|(_, g)| {
                    g.boundary.has_vertex(d.from)
                        || d.insert.is_some_and(|(a, b)| g.boundary.has_edge(a, b))
                })
                .map(|(i, g)| (i, g.boundary.clone()))
                .collect();
            for (_, b) in moved.iter_mut() {
                let one = std::slice::from_mut(b);
                if let Some((a, b)) = d.insert {
                    geo::insert_boundary_vertex(one, a, b, d.from);
                }
                geo::move_boundary_vertex(one, d.from, d.to);
            }
            let mut copy = w.clone();
            let changed: Vec<usize> = moved.iter().map(|(i, _)| *i).collect();
            for (i, b) in moved {
                let mut g = (*copy[i]).clone();
                g.boundary = b;
                copy[i] = Arc::new(g);
            }
            let (p, _) = local_check(&copy, &changed);
            self.live
                .set(p.into_iter().filter(|p| p.blocks_save()).collect());
        });
    }

    pub fn on_up(self, e: ev::PointerEvent) {
        self.pointers
            .update_value(|p| p.retain(|(id, ..)| *id != e.pointer_id()));
        let g = self.gesture.get_untracked();
        self.gesture.set(Gesture::None);
        match g {
            Gesture::Vertex(d) => {
                self.live.set(vec![]);
                self.commit_move(d);
            }
            Gesture::Pan {
                moved: true, start, ..
            } => {
                let (dx, dy) = self.pan_offset.get_untracked();
                let (w, _) = self.size.get_untracked();
                let k = start.w / w;
                self.view_box.set(ViewBox {
                    cx: start.cx - dx * k,
                    cy: start.cy - dy * k,
                    w: start.w,
                });
                self.pan_offset.set((0.0, 0.0));
            }
            Gesture::Pan {
                moved: false,
                target,
                ..
            } => {
                let (mx, my) = self.to_map(e.client_x() as f64, e.client_y() as f64);
                self.click(self.proj.inv(mx, my), target);
            }
            _ => {}
        }
    }

    /// A click (a pointer down and up without moving) at `p`, on grid `target` if any.
    fn click(self, p: Point, target: Option<i64>) {
        let sketch = self.sketch;
        match self.mode.get_untracked() {
            Mode::Draw | Mode::Part | Mode::Hole => {
                let first = sketch.with_untracked(|s| s.first().copied());
                let q = self.snapped(p, None);
                let near_first = first.is_some_and(|f| {
                    let (fx, fy) = self.proj.fwd(f);
                    let (qx, qy) = self.proj.fwd(q);
                    ((fx - qx).powi(2) + (fy - qy).powi(2)).sqrt() * self.ppu() < self.snap_px
                });
                if near_first && sketch.with_untracked(|s| s.len() >= 3) {
                    self.finish_draw();
                } else {
                    sketch.update(|s| s.push(q));
                }
            }
            Mode::Split => {
                let q = self.snapped(p, None);
                let on_ring = self
                    .selected
                    .get_untracked()
                    .and_then(|id| self.grid(id))
                    .is_some_and(|g| g.boundary.has_vertex(q));
                let n = sketch.with_untracked(|s| s.len());
                if n == 0 && !on_ring {
                    self.say(false, self.i18n.t("map.split_start"));
                } else {
                    sketch.update(|s| s.push(q));
                    if n > 0 && on_ring {
                        self.finish_split();
                    }
                }
            }
            Mode::Merge => {
                if let Some(t) = target {
                    self.merge_with(t);
                }
            }
            Mode::Select => {
                self.clicked.set(Some(p));
                self.select(target)
            }
        }
    }

    pub fn on_wheel(self, e: ev::WheelEvent) {
        e.prevent_default();
        let at = self.to_map(e.client_x() as f64, e.client_y() as f64);
        self.zoom((e.delta_y() * 0.0015).exp(), Some(at));
    }

    /// The editor's keys anywhere on the page (not while typing in a field).
    pub fn on_key(self, e: ev::KeyboardEvent) {
        if typing_in_field(&e) {
            return;
        }
        let ctrl = e.ctrl_key() || e.meta_key();
        match e.key().as_str() {
            "z" | "Z" if ctrl && e.shift_key() => {
                e.prevent_default();
                self.redo();
            }
            "z" | "Z" if ctrl => {
                e.prevent_default();
                self.undo();
            }
            "y" | "Y" if ctrl => {
                e.prevent_default();
                self.redo();
            }
            "Escape" => {
                self.sketch.set(vec![]);
                self.mode.set(Mode::Select);
                self.gesture.set(Gesture::None);
                self.live.set(vec![]);
            }
            "Enter"
                if matches!(
                    self.mode.get_untracked(),
                    Mode::Draw | Mode::Part | Mode::Hole
                ) =>
            {
                self.finish_draw()
            }
            _ => {}
        }
    }

    /// Arrow keys nudge the focused vertex `p` by a pixel (ten with Shift); Delete removes it.
    pub fn vertex_key(self, e: ev::KeyboardEvent, p: Point) {
        let step = if e.shift_key() { 10.0 } else { 1.0 } / self.ppu();
        let (dx, dy) = match e.key().as_str() {
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            "Delete" | "Backspace" => {
                e.prevent_default();
                self.sel_vertex.set(Some(p));
                self.remove_selected_vertex();
                return;
            }
            _ => return,
        };
        e.prevent_default();
        let (x, y) = self.proj.fwd(p);
        let to = self.proj.inv(x + dx, y + dy);
        self.commit_move(Drag {
            from: p,
            to,
            insert: None,
        });
    }
}
