//! The map editor's model and its page. `Ed` is the editor's state — the map being edited (the
//! working set), its undo history, the selection, the mode and the tools as transitions of that
//! state — plus the view (view box, zoom); it is `Copy` (signals only), so the parts of the page take
//! it whole. The editing operations themselves are pure transitions of the working set in
//! `model.rs` (natively tested); `Ed::edit` runs one and records the undo step. Pointer and keyboard
//! gestures live in `gestures.rs`, what the map draws in `layers.rs`, the panels beside it in
//! `panels.rs`; `MapEditor` below puts them together.

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

/// The editor's state (see the module's comment).
#[derive(Clone, Copy)]
pub(super) struct Ed {
    pub i18n: crate::i18n::I18n,
    pub proj: Proj,
    /// The households a level-3 grid should hold (its colour on the map).
    pub target: i64,
    pub can_edit: bool,
    /// The district code new top-level grids are numbered under, parsed once.
    pub district: StoredValue<Option<domain::Code>>,
    pub tile_url: StoredValue<Option<String>>,
    /// The map as last loaded or saved, and the map being edited.
    pub base: StoredValue<Vec<GridView>>,
    pub work: RwSignal<Work>,
    pub history: StoredValue<History<Work>>,
    pub hist_tick: RwSignal<u64>,
    pub selected: RwSignal<Option<i64>>,
    pub sel_vertex: RwSignal<Option<Point>>,
    pub mode: RwSignal<Mode>,
    /// Whether the selected grid's vertex handles are shown.
    pub editing: RwSignal<bool>,
    pub gesture: RwSignal<Gesture>,
    pub pan_offset: RwSignal<(f64, f64)>,
    pub snap_px: f64,
    pub handle_px: f64,
    /// How long the last local check took (benchmarks read it from the problems panel).
    pub check_ms: RwSignal<f64>,
    pub pointers: StoredValue<Vec<(i32, f64, f64)>>,
    /// The points drawn so far (a new grid, part, hole or split line).
    pub sketch: RwSignal<Vec<Point>>,
    pub problems: RwSignal<Vec<Problem>>,
    pub coverage: RwSignal<Vec<Coverage>>,
    /// Problems of the vertex being dragged, checked on every move.
    pub live: RwSignal<Vec<Problem>>,
    pub message: RwSignal<Option<(bool, String)>>,
    pub saving: RwSignal<bool>,
    pub shown: [RwSignal<bool>; 3],
    pub active_level: RwSignal<i64>,
    pub first_level: i64,
    pub query: RwSignal<String>,
    pub view_box: RwSignal<ViewBox>,
    pub size: RwSignal<(f64, f64)>,
    pub svg_ref: NodeRef<leptos::svg::Svg>,
    pub next_temp: StoredValue<i64>,
    pub history_panel: RwSignal<Option<Result<Vec<RevisionView>, String>>>,
    pub import_preview: RwSignal<Vec<super::import::PreviewShape>>,
    pub importing: RwSignal<bool>,
    pub layers: RwSignal<Vec<api::LayerView>>,
    pub hidden_layers: RwSignal<HashSet<i64>>,
    /// The service layer (open needs and waiting wishes per grid), once switched on.
    pub service_marks: RwSignal<Option<Vec<crate::api::services::ServiceMark>>>,
    /// The field reports' hot spots (reports per grid in the last year), when that layer is on.
    pub field_spots: RwSignal<Option<Vec<crate::api::field_rates::FieldHotSpot>>>,
    /// Whether the layers are unfolded (phones; a desk always shows them).
    pub options_open: RwSignal<bool>,
    /// Whether the selected grid's sheet is folded to its title (phones).
    pub sheet_folded: RwSignal<bool>,
    /// The phone's outbox (a save made without a network waits there).
    pub outbox: Outbox,
    /// Where the map was last clicked to select (a field report can be made there).
    pub clicked: RwSignal<Option<Point>>,
    /// The grids are drawn once the map's size is known: measuring an SVG already full of paths
    /// forces a layout that the first paint then repeats.
    pub measured: RwSignal<bool>,
    pub detail: Memo<usize>,
    pub label_spots: Memo<Vec<LabelSpot>>,
    /// How many edits a save would send.
    pub pending: Memo<usize>,
}

impl Ed {
    fn new(map: GridMap) -> Ed {
        let (proj, height) = Proj::fit(&map.grids);
        let touch = if coarse_pointer() { TOUCH_SCALE } else { 1.0 };
        let size = RwSignal::new((1000.0f64, 640.0f64));
        let view_box = RwSignal::new(ViewBox {
            cx: VIEW_W / 2.0,
            cy: height / 2.0,
            w: VIEW_W * 1.04,
        });
        let base = StoredValue::new(map.grids.clone());
        // An empty map starts at the top level: the first grids drawn or imported are level 1.
        let first_level = if map.grids.is_empty() { 1i64 } else { 3 };
        let work: RwSignal<Work> = RwSignal::new(map.grids.into_iter().map(Arc::new).collect());
        Ed {
            i18n: use_i18n(),
            proj,
            target: map.target_households,
            can_edit: map.can_edit,
            district: StoredValue::new(
                map.district_code
                    .as_deref()
                    .and_then(|c| domain::Code::district(c).ok()),
            ),
            tile_url: StoredValue::new(map.tile_url),
            base,
            work,
            history: StoredValue::new(History::<Work>::new(200)),
            hist_tick: RwSignal::new(0),
            selected: RwSignal::new(None),
            sel_vertex: RwSignal::new(None),
            mode: RwSignal::new(Mode::Select),
            editing: RwSignal::new(false),
            gesture: RwSignal::new(Gesture::None),
            pan_offset: RwSignal::new((0.0, 0.0)),
            snap_px: SNAP_PX * touch,
            handle_px: HANDLE_PX * touch,
            check_ms: RwSignal::new(0.0),
            pointers: StoredValue::new(Vec::new()),
            sketch: RwSignal::new(Vec::new()),
            problems: RwSignal::new(Vec::new()),
            coverage: RwSignal::new(Vec::new()),
            live: RwSignal::new(Vec::new()),
            message: RwSignal::new(None),
            saving: RwSignal::new(false),
            shown: [
                RwSignal::new(true),
                RwSignal::new(true),
                RwSignal::new(true),
            ],
            active_level: RwSignal::new(first_level),
            first_level,
            query: RwSignal::new(String::new()),
            view_box,
            size,
            svg_ref: NodeRef::new(),
            next_temp: StoredValue::new(-1),
            history_panel: RwSignal::new(None),
            import_preview: RwSignal::new(Vec::new()),
            importing: RwSignal::new(false),
            layers: RwSignal::new(Vec::new()),
            hidden_layers: RwSignal::new(HashSet::new()),
            service_marks: RwSignal::new(None),
            clicked: RwSignal::new(None),
            outbox: Outbox::get(),
            sheet_folded: RwSignal::new(false),
            options_open: RwSignal::new(false),
            field_spots: RwSignal::new(None),
            measured: RwSignal::new(false),
            detail: Memo::new(move |_| detail_tier(size.get().0 / view_box.get().w)),
            label_spots: label_spots(proj, work),
            pending: Memo::new(move |_| {
                work.with(|w| base.with_value(|b| edits_between(b, w).len()))
            }),
        }
    }

    // ---- the view -----------------------------------------------------------------------------

    pub fn measure(self) {
        if let Some(el) = self.svg_ref.get_untracked() {
            let (_, _, w, h) = client_rect(&el);
            self.size.set((w, h));
            if !self.measured.get_untracked() {
                self.measured.set(true);
            }
        }
    }

    /// Screen pixels per map unit.
    pub fn ppu(self) -> f64 {
        self.size.get().0 / self.view_box.get().w
    }

    pub fn view_h(self) -> f64 {
        let (w, h) = self.size.get();
        self.view_box.get().w * h / w
    }

    /// A point on the screen (client pixels) in map units.
    pub fn to_map(self, cx: f64, cy: f64) -> (f64, f64) {
        let (left, top, w, h) = self
            .svg_ref
            .get_untracked()
            .map(|el| client_rect(&el))
            .unwrap_or((0.0, 0.0, 1000.0, 640.0));
        // The viewBox as drawn (its aspect follows `size`), letterboxed into the element as SVG's
        // default `xMidYMid meet` does, so this stays right even if `size` is a frame behind.
        let v = self.view_box.get_untracked();
        let (sw, sh) = self.size.get_untracked();
        let vh = v.w * sh / sw;
        let k = (w / v.w).min(h / vh);
        let (ox, oy) = (left + (w - v.w * k) / 2.0, top + (h - vh * k) / 2.0);
        (
            v.cx - v.w / 2.0 + (cx - ox) / k,
            v.cy - vh / 2.0 + (cy - oy) / k,
        )
    }

    /// Fits `bs` into the map's upper `top` share (the rest may be under the grid's sheet).
    pub fn fit_boundaries(self, bs: Vec<&Boundary>, pad: f64, top: f64) {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in bs.into_iter().flat_map(|b| b.points()) {
            let (x, y) = self.proj.fwd(*p);
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        if x0 > x1 {
            return;
        }
        let (sw, sh) = self.size.get_untracked();
        let w = ((x1 - x0).max((y1 - y0) * sw / (sh * top)) * pad).max(2.0);
        let view_h = w * sh / sw;
        self.view_box.set(ViewBox {
            cx: (x0 + x1) / 2.0,
            cy: (y0 + y1) / 2.0 + (0.5 - top / 2.0) * view_h,
            w,
        });
    }

    pub fn fit_all(self) {
        self.work.with_untracked(|w| {
            self.fit_boundaries(w.iter().map(|g| &g.boundary).collect(), 1.04, 1.0)
        })
    }

    pub fn fly_to(self, id: i64) {
        self.work.with_untracked(|w| {
            if let Some(g) = w.iter().find(|g| g.id == id) {
                // On a phone the selected grid's sheet covers the map's foot.
                let top = if sheet_layout() { 0.55 } else { 1.0 };
                self.fit_boundaries(vec![&g.boundary], 2.2, top);
            }
        });
    }

    pub fn fly_to_point(self, p: Point) {
        let (x, y) = self.proj.fwd(p);
        self.view_box.update(|v| {
            v.cx = x;
            v.cy = y;
            v.w = v.w.min(VIEW_W / 6.0);
        });
    }

    pub fn zoom(self, factor: f64, at: Option<(f64, f64)>) {
        self.view_box.update(|v| {
            let (px, py) = at.unwrap_or((v.cx, v.cy));
            let w = (v.w * factor).clamp(VIEW_W / 4000.0, VIEW_W * 8.0);
            let f = w / v.w;
            v.cx = px - (px - v.cx) * f;
            v.cy = py - (py - v.cy) * f;
            v.w = w;
        });
    }

    // ---- editing ------------------------------------------------------------------------------

    pub fn grid(self, id: i64) -> Option<Arc<GridView>> {
        self.work
            .with_untracked(|w| w.iter().find(|g| g.id == id).cloned())
    }

    /// Keeps the map as it is now as an undo step.
    pub fn record(self) {
        let before = self.work.get_untracked();
        self.history.update_value(|h| h.record(before));
        self.hist_tick.update(|t| *t += 1);
    }

    /// The coverage rules around the grids that changed.
    pub fn recheck(self, changed_ids: Vec<i64>) {
        self.work.with_untracked(|w| {
            let idx: Vec<usize> = changed_ids
                .iter()
                .filter_map(|id| w.iter().position(|g| g.id == *id))
                .collect();
            if idx.is_empty() {
                self.problems.set(vec![]);
                return;
            }
            let t0 = now_ms();
            let (p, c) = local_check(w, &idx);
            self.check_ms.set(now_ms() - t0);
            self.problems.set(p);
            self.coverage.set(c);
        });
    }

    pub fn say(self, ok: bool, text: String) {
        self.message.set(Some((ok, text)));
    }

    /// Runs one editing operation (`model.rs`) on a copy of the map; keeps it, with an undo step,
    /// when it succeeds, and says why when it does not. Returns the ids it changed.
    pub fn edit(self, op: &dyn Fn(&mut Work) -> Result<Vec<i64>, Refusal>) -> Option<Vec<i64>> {
        let mut w = self.work.get_untracked();
        match op(&mut w) {
            Ok(ids) => {
                self.record();
                self.work.set(w);
                self.recheck(ids.clone());
                Some(ids)
            }
            Err(r) => {
                self.say(false, self.i18n.tf(&r.key, &r.args));
                None
            }
        }
    }

    pub fn commit_move(self, d: Drag) {
        if geo::same(d.from, d.to) && d.insert.is_none() {
            return;
        }
        if self.edit(&|w| model::move_vertex(w, &d)).is_some() {
            self.sel_vertex.set(Some(d.to));
        }
    }

    pub fn remove_selected_vertex(self) {
        let Some(p) = self.sel_vertex.get_untracked() else {
            return;
        };
        if self.edit(&|w| model::remove_vertex(w, p)).is_some() {
            self.sel_vertex.set(None);
        }
    }

    fn step_history(self, forward: bool) {
        let cur = self.work.get_untracked();
        let to = self
            .history
            .try_update_value(|h| if forward { h.redo(cur) } else { h.undo(cur) })
            .flatten();
        if let Some(to) = to {
            self.work.set(to);
            self.hist_tick.update(|t| *t += 1);
            self.recheck(self.selected.get_untracked().into_iter().collect());
        }
    }

    pub fn undo(self) {
        self.step_history(false)
    }

    pub fn redo(self) {
        self.step_history(true)
    }

    pub fn can_undo(self) -> bool {
        self.hist_tick.track();
        self.history.with_value(|h| h.can_undo())
    }

    pub fn can_redo(self) -> bool {
        self.hist_tick.track();
        self.history.with_value(|h| h.can_redo())
    }

    /// A temporary id for a grid not saved yet (negative, never reused in this editor).
    fn take_temp_id(self) -> i64 {
        let id = self.next_temp.get_value();
        self.next_temp.set_value(id - 1);
        id
    }

    /// Starts drawing in mode `m` (or stops, when already drawing in it).
    pub fn toggle_drawing(self, m: Mode) {
        self.sketch.set(vec![]);
        let next = if self.mode.get_untracked() == m {
            Mode::Select
        } else {
            m
        };
        self.mode.set(next);
        match next {
            Mode::Select => {}
            Mode::Split => self.say(true, self.i18n.t("map.split_hint")),
            Mode::Merge => self.say(true, self.i18n.t("map.merge_hint")),
            _ => self.say(true, self.i18n.t("map.draw_hint")),
        }
    }

    /// Finishes drawing a part or a hole of the selected grid.
    fn finish_ring(self, hole: bool) {
        let Some(id) = self.selected.get_untracked() else {
            return;
        };
        let pts = self.sketch.get_untracked();
        if self.edit(&|w| model::add_ring(w, id, &pts, hole)).is_some() {
            self.sketch.set(vec![]);
            self.mode.set(Mode::Select);
            let key = if hole {
                "map.hole_added"
            } else {
                "map.part_added"
            };
            self.say(true, self.i18n.t(key));
        }
    }

    /// Removes the ring through the selected vertex: fills a hole, or drops a part.
    pub fn remove_selected_ring(self) {
        let (Some(p), Some(id)) = (
            self.sel_vertex.get_untracked(),
            self.selected.get_untracked(),
        ) else {
            return;
        };
        if self.edit(&|w| model::remove_ring(w, id, p)).is_some() {
            self.sel_vertex.set(None);
            self.say(true, self.i18n.t("map.ring_removed"));
        }
    }

    /// Finishes what is being drawn: a part or a hole of the selected grid, or a new grid of the
    /// active level inside the grid of the level above.
    pub fn finish_draw(self) {
        let i18n = self.i18n;
        match self.mode.get_untracked() {
            Mode::Part => return self.finish_ring(false),
            Mode::Hole => return self.finish_ring(true),
            _ => {}
        }
        let pts = self.sketch.get_untracked();
        let level = self.active_level.get_untracked();
        let n = -self.next_temp.get_value();
        let name = format!("{} {n}", i18n.t("map.new_grid"));
        let id = self.next_temp.get_value();
        let made = self.edit(&|w| {
            let district = self.district.get_value();
            model::draw(w, &pts, level, id, &name, district.as_ref())
        });
        if made.is_some() {
            self.take_temp_id();
            self.sketch.set(vec![]);
            self.mode.set(Mode::Select);
            self.selected.set(Some(id));
            self.say(true, i18n.t("map.drawn"));
        }
    }

    pub fn finish_split(self) {
        let Some(id) = self.selected.get_untracked() else {
            return;
        };
        let line = self.sketch.get_untracked();
        let Some(name) = self
            .grid(id)
            .map(|g| format!("{}{}", g.name, self.i18n.t("map.split_suffix")))
        else {
            return;
        };
        let new_id = self.next_temp.get_value();
        let made = self.edit(&|w| {
            let district = self.district.get_value();
            let new = NewGrid {
                id: new_id,
                name: name.clone(),
            };
            model::split(w, id, &line, new, district.as_ref())
        });
        if made.is_some() {
            self.take_temp_id();
            self.say(true, self.i18n.t("map.split_done"));
        }
        self.sketch.set(vec![]);
        self.mode.set(Mode::Select);
    }

    pub fn merge_with(self, other: i64) {
        let Some(id) = self.selected.get_untracked() else {
            return;
        };
        self.mode.set(Mode::Select);
        if self.edit(&|w| model::merge(w, id, other)).is_some() {
            self.say(true, self.i18n.t("map.merge_done"));
        }
    }

    pub fn delete_selected(self) {
        let Some(g) = self.selected.get_untracked().and_then(|id| self.grid(id)) else {
            return;
        };
        if self.edit(&|w| model::delete(w, g.id)).is_some() {
            self.selected.set(None);
            self.editing.set(false);
            let text = self.i18n.tf("map.deleted", &[("grid", g.name.clone())]);
            self.say(true, text);
        }
    }

    /// Applies the attribute form of grid `id`.
    pub fn apply_form(self, id: i64, draft: domain::grid::GridDraft) {
        if self
            .edit(&|w| model::set_attributes(w, id, &draft))
            .is_some()
        {
            self.say(true, self.i18n.t("map.applied"));
        }
    }

    /// Selects grid `id` (or nothing), closing what belonged to the grid selected before.
    pub fn select(self, id: Option<i64>) {
        if id != self.selected.get_untracked() {
            self.editing.set(false);
            self.sel_vertex.set(None);
            self.history_panel.set(None);
        }
        self.selected.set(id);
    }

    /// Starts again from the map as the server has it now (after a save, an import or a restore).
    pub fn reload(self, m: GridMap) {
        let keep = self
            .selected
            .get_untracked()
            .and_then(|id| self.grid(id))
            .map(|g| g.code.clone());
        self.base.set_value(m.grids.clone());
        let fresh: Work = m.grids.into_iter().map(Arc::new).collect();
        self.selected
            .set(keep.and_then(|c| fresh.iter().find(|g| g.code == c).map(|g| g.id)));
        self.work.set(fresh);
        self.history.update_value(|h| h.clear());
        self.hist_tick.update(|t| *t += 1);
        self.problems.set(vec![]);
        self.history_panel.set(None);
    }

    pub fn save(self) {
        let i18n = self.i18n;
        let edits = self
            .work
            .with_untracked(|w| self.base.with_value(|b| edits_between(b, w)));
        if edits.is_empty() {
            self.say(true, i18n.t("map.nothing_to_save"));
            return;
        }
        if self.outbox.grids_waiting() {
            self.say(false, i18n.t("map.save_waiting"));
            return;
        }
        let Ok(json) = serde_json::to_string(&edits) else {
            return;
        };
        // Sent at once with a key; without a network the same save (its key, the versions it was
        // made on) waits in the outbox, and the map reloads when the outbox has sent it.
        let count = edits.len();
        let item = Pending::new(
            Job::Grids {
                edits: json.clone(),
                count,
            },
            (now_ms() / 1000.0) as i64,
        );
        self.saving.set(true);
        let outbox = self.outbox;
        leptos::task::spawn_local(async move {
            let r = api::grids_save(json, item.key.clone()).await;
            if self.message.is_disposed() {
                return; // the page was left meanwhile
            }
            self.saving.set(false);
            match r {
                Ok(m) => {
                    self.reload(m);
                    self.say(true, i18n.t("map.saved"));
                }
                Err(crate::api::AppError::Request(_)) => {
                    outbox.add(item);
                    // Handed to the outbox: what is edited from now on is a new change.
                    let now: Vec<GridView> = self
                        .work
                        .with_untracked(|w| w.iter().map(|g| (**g).clone()).collect());
                    self.base.set_value(now);
                    self.work.update(|_| ());
                    self.say(
                        true,
                        i18n.tf("map.save_queued", &[("n", count.to_string())]),
                    );
                }
                Err(e) => self.say(false, error_message(i18n, &e)),
            }
        });
    }

    /// When the outbox has sent a grid save made here, or the server refused it (someone else
    /// changed those grids meanwhile), the map is read again: it shows what is saved, and the
    /// outbox says what was not.
    pub fn follow_outbox(self) {
        let outbox = self.outbox;
        Effect::new(move |seen: Option<(usize, usize)>| {
            let sent = outbox
                .sent
                .with(|s| s.iter().filter(|d| matches!(d, Sent::Grids(_))).count());
            let refused = outbox.items.with(|i| {
                i.iter()
                    .filter(|p| p.state == Sending::Failed && matches!(p.job, Job::Grids { .. }))
                    .count()
            });
            let Some((sent_before, refused_before)) = seen else {
                return (sent, refused);
            };
            let (ok, key) = if sent > sent_before {
                (true, "map.saved")
            } else if refused > refused_before {
                (false, "map.outbox_refused")
            } else {
                return (sent, refused);
            };
            // Edits made since would be lost by a reload: the user deals with them first.
            if self.pending.get_untracked() > 0 {
                self.say(ok, self.i18n.t("map.outbox_sent"));
                return (sent, refused);
            }
            leptos::task::spawn_local(async move {
                if let Ok(m) = api::grids_list().await {
                    if !self.message.is_disposed() {
                        self.reload(m);
                        self.say(ok, self.i18n.t(key));
                    }
                }
            });
            (sent, refused)
        });
    }

    /// Restores revision `rid` of grid `id` (refused while edits are unsaved).
    pub fn restore(self, id: i64, rid: i64) {
        let i18n = self.i18n;
        if self.pending.get_untracked() > 0 {
            self.say(false, i18n.t("map.save_first"));
            return;
        }
        let version = self.grid(id).map(|g| g.version).unwrap_or(0);
        leptos::task::spawn_local(async move {
            let r = api::grid_restore(rid, version).await;
            if self.message.is_disposed() {
                return;
            }
            match r {
                Ok(m) => {
                    self.reload(m);
                    self.say(true, i18n.t("map.restored"));
                }
                Err(e) => self.say(false, error_message(i18n, &e)),
            }
        });
    }

    pub fn full_check(self) {
        self.work.with_untracked(|w| {
            let shapes = shapes_of(w);
            let report = Index::new(&shapes).check_all();
            let n = report.problems.len();
            self.problems.set(report.problems);
            self.coverage.set(report.coverage);
            self.say(n == 0, self.i18n.tf("map.checked", &[("n", n.to_string())]));
        });
    }
}

/// Where new top-level grids get their codes: under the district code, or that none is set.
pub(super) fn district_note(ed: Ed) -> impl IntoView {
    let i18n = ed.i18n;
    move || match ed.district.get_value() {
        Some(code) => i18n.tf("map.district_set", &[("code", code.as_str().to_owned())]),
        None => i18n.t("map.district_unset"),
    }
}

#[component]
pub(super) fn MapEditor(map: GridMap) -> impl IntoView {
    let ed = Ed::new(map);
    let Ed {
        i18n,
        work,
        svg_ref,
        layers,
        selected,
        importing,
        can_edit,
        ..
    } = ed;
    leptos::task::spawn_local(async move {
        if let Ok(l) = api::map_layers().await {
            if !layers.is_disposed() {
                layers.set(l);
            }
        }
    });
    // Follow the map element's size (layout changes too, not only window resizes), so the
    // viewBox always has the element's aspect and pointer positions map exactly.
    Effect::new(move |_| {
        if let Some(el) = svg_ref.get() {
            ed.measure();
            observe_size(&el, move || ed.measure());
        }
    });
    ed.follow_outbox();
    // A newly selected grid opens its sheet; working on the map (its vertices, drawing a grid,
    // a part, a hole, a split line) folds it to its title and the boundary's tools, so touches
    // land on the map; it opens again when that work ends.
    let folded = ed.sheet_folded;
    Effect::new(move |_| {
        selected.track();
        folded.set(false);
    });
    let (editing, mode) = (ed.editing, ed.mode);
    Effect::new(move |seen: Option<bool>| {
        let working = editing.get() || mode.get() != Mode::Select;
        if seen.is_some_and(|w| w != working) {
            folded.set(working);
        }
        working
    });
    Effect::new(move |_| follow_header_height());
    let resize = window_event_listener(ev::resize, move |_| ed.measure());
    on_cleanup(move || resize.remove());
    let keys = window_event_listener(ev::keydown, move |e| ed.on_key(e));
    on_cleanup(move || keys.remove());
    // `/map?grid=CODE` (from an organisation unit's panel) selects that grid and flies to it.
    let url_query = leptos_router::hooks::use_query_map();
    Effect::new(move |_| {
        let code = url_query.read().get("grid").unwrap_or_default();
        if code.is_empty() {
            return;
        }
        if let Some(id) = work.with_untracked(|w| w.iter().find(|g| g.code == code).map(|g| g.id)) {
            selected.set(Some(id));
            ed.fly_to(id);
        }
    });

    view! {
        <div class="map-layout">
            <div class="map-main">
                {ed.bar()}
                {ed.controls()}
                {move || (can_edit && work.with(|w| !w.iter().any(|g| g.level == 1))).then(|| view! {
                    <div class="note map-start">
                        {work.with(Vec::is_empty).then(|| view! { <p>{move || i18n.t("map.empty")}</p> })}
                        <p>{district_note(ed)}</p>
                    </div>
                })}
                {ed.map_frame()}
                {ed.legend()}
            </div>
            <div class="map-side">
                <Show when=move || ed.outbox.items.with(|i| !i.is_empty()) || ed.outbox.sent.with(|s| !s.is_empty())>
                    <crate::pages::field::OutboxList/>
                </Show>
                {move || importing.get().then(|| view! {
                    <super::import::ImportPanel ed=ed
                        on_done=Callback::new(move |m: GridMap| {
                            let n = m.grids.len();
                            ed.reload(m);
                            importing.set(false);
                            ed.say(true, i18n.tf("import.done", &[("n", n.to_string())]));
                        })/>
                })}
                {ed.grid_panel()}
                {ed.problems_panel()}
                {ed.grid_list()}
            </div>
        </div>
    }
}
