//! What the map draws, as views of `Ed`: the frame (SVG, zoom buttons, scale bar, messages), the
//! grids of each level (outlines per level of detail), tiles, context layers, labels, the import
//! preview, problems, the drag preview, the sketch and the vertex handles; and the legend below.

use super::*;

impl Ed {
    /// The map itself, with the messages floating over it.
    pub fn map_frame(self) -> impl IntoView {
        let Ed {
            i18n,
            message,
            svg_ref,
            mode,
            pan_offset,
            measured,
            hidden_layers,
            layers,
            proj,
            import_preview,
            ..
        } = self;
        let has_tiles = self.tile_url.with_value(Option::is_some);
        let view_box_attr = move || {
            let v = self.view_box.get();
            let h = self.view_h();
            format!(
                "{:.3} {:.3} {:.3} {:.3}",
                v.cx - v.w / 2.0,
                v.cy - h / 2.0,
                v.w,
                h
            )
        };
        view! {
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
                    on:pointerdown=move |e| self.on_down(e) on:pointermove=move |e| self.on_move(e)
                    on:pointerup=move |e| self.on_up(e) on:pointercancel=move |e| self.on_up(e) on:wheel=move |e| self.on_wheel(e)>
                    {move || self.tile_layer()}
                    {move || measured.get().then(|| self.layer(3))}
                    {move || {
                        let hidden = hidden_layers.get();
                        layers.with(|ls| ls.iter().filter(|l| !hidden.contains(&l.id)).map(|l| {
                            let d: String = l.paths.iter().map(|p| path_d(&proj, p).trim_end_matches('Z').to_owned()).collect();
                            view! { <path class="context" d=d/> }
                        }).collect_view())
                    }}
                    {move || measured.get().then(|| self.layer(2))}
                    {move || measured.get().then(|| self.layer(1))}
                    {move || self.labels()}
                    {move || self.service_layer()}
                    {move || self.field_layer()}
                    {move || {
                        let items = import_preview.get();
                        (!items.is_empty()).then(|| view! {
                            <g class="import-preview">
                                {items.into_iter().map(|d| view! { <path class=d.class d=boundary_d(&proj, &d.boundary, 0.0) fill-rule="evenodd"><title>{d.name.clone()}</title></path> }).collect_view()}
                            </g>
                        })
                    }}
                    {move || self.problem_marks()}
                    {move || self.drag_preview()}
                    {move || self.sketch_view()}
                    {move || self.handles()}
                </svg>
                <div class="zoom-buttons">
                    <button type="button" aria-label=move || i18n.t("map.zoom_in") on:click=move |_| self.zoom(1.0 / 1.6, None)>"+"</button>
                    <button type="button" aria-label=move || i18n.t("map.zoom_out") on:click=move |_| self.zoom(1.6, None)>"−"</button>
                    <button type="button" aria-label=move || i18n.t("map.fit") on:click=move |_| self.fit_all()>"⤢"</button>
                </div>
                {move || self.scale_bar()}
            </div>
        }
    }

    /// The grids of one level; each path keeps its outline per level of detail, built the first
    /// time it is shown.
    fn layer(self, level: i64) -> impl IntoView {
        let Ed {
            work,
            active_level,
            detail,
            proj,
            selected,
            base,
            target,
            ..
        } = self;
        let on = self.shown[(level - 1) as usize];
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
    }

    fn tile_layer(self) -> Option<impl IntoView> {
        let template = self.tile_url.get_value()?;
        let v = self.view_box.get();
        let z = tile_zoom(&self.proj, self.ppu());
        let tiles = tiles_at(&self.proj, v, self.view_h(), z);
        Some(view! {
            <g class="tiles" aria-hidden="true">
                {tiles.into_iter().map(|t| {
                    let href = template.replace("{z}", &t.z.to_string()).replace("{x}", &t.x.to_string()).replace("{y}", &t.y.to_string());
                    view! { <image href=href x=format!("{:.3}", t.left) y=format!("{:.3}", t.top) width=format!("{:.3}", t.size) height=format!("{:.3}", t.size) preserveAspectRatio="none"/> }
                }).collect_view()}
            </g>
        })
    }

    /// The names of the active level's grids that are in view and wide enough on screen.
    fn labels(self) -> Vec<impl IntoView> {
        let k = self.ppu();
        let lvl = self.active_level.get();
        if !self.shown[(lvl - 1) as usize].get() {
            return Vec::new();
        }
        let v = self.view_box.get();
        let (half_w, half_h) = (v.w / 2.0, self.view_h() / 2.0);
        let in_view =
            move |x: f64, y: f64| (x - v.cx).abs() <= half_w && (y - v.cy).abs() <= half_h;
        self.label_spots.with(|spots| {
            spots
                .iter()
                .filter(|s| s.level == lvl && s.width * k > 70.0 && in_view(s.x, s.y))
                .map(|s| {
                    view! { <text x=format!("{:.2}", s.x) y=format!("{:.2}", s.y) class="grid-label" font-size=format!("{:.3}", 12.0 / k)>{s.name.clone()}</text> }
                })
                .collect::<Vec<_>>()
        })
    }

    /// The selected grid's vertex handles (every ring's: outer rings, holes, every part, named
    /// "ring.vertex") and edge midpoints, while its boundary is being edited.
    fn handles(self) -> Option<impl IntoView> {
        let Ed {
            i18n,
            work,
            proj,
            sel_vertex,
            ..
        } = self;
        if !self.editing.get() || self.mode.get() == Mode::Merge {
            return None;
        }
        let id = self.selected.get()?;
        let g = work.with(|w| w.iter().find(|g| g.id == id).cloned())?;
        if !g.editable {
            return None;
        }
        let r = self.handle_px / self.ppu();
        let sel = sel_vertex.get();
        let rings: Vec<(usize, Ring)> = g.boundary.rings().cloned().enumerate().collect();
        let mids = rings.iter().flat_map(|(ri, ring)| {
            ring.windows(2).enumerate().map(move |(k, e)| {
                let (x, y) = proj.fwd([(e[0][0] + e[1][0]) / 2.0, (e[0][1] + e[1][1]) / 2.0]);
                view! { <circle class="mid" cx=format!("{x:.3}") cy=format!("{y:.3}") r=format!("{:.3}", r * 0.6) data-mid=format!("{ri}.{k}")/> }
            })
        }).collect_view();
        // The vertices are numbered on through the rings for the keyboard's labels.
        let mut number = 0usize;
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
                    on:keydown=move |e| self.vertex_key(e, p)/>
            }
        }).collect_view();
        Some(view! {
            <g class="handles">
                {mids}
                {vertices}
            </g>
        })
    }

    /// The grids a vertex drag changes, as they would be, red while the live check objects.
    fn drag_preview(self) -> Option<impl IntoView> {
        let Gesture::Vertex(d) = self.gesture.get() else {
            return None;
        };
        let paths = self.work.with_untracked(|w| {
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
                    boundary_d(&self.proj, &one[0], 0.0)
                })
                .collect::<Vec<_>>()
        });
        let bad = !self.live.get().is_empty();
        Some(view! {
            <g class="preview" class:bad=bad>
                {paths.into_iter().map(|d| view! { <path d=d/> }).collect_view()}
            </g>
        })
    }

    /// The points drawn so far.
    fn sketch_view(self) -> Option<impl IntoView> {
        let s = self.sketch.get();
        if s.is_empty() {
            return None;
        }
        let proj = self.proj;
        let pts: Vec<String> = s
            .iter()
            .map(|p| {
                let (x, y) = proj.fwd(*p);
                format!("{x:.3},{y:.3}")
            })
            .collect();
        let r = self.handle_px * 0.7 / self.ppu();
        Some(view! {
            <g class="sketch">
                <polyline points=pts.join(" ")/>
                {s.iter().map(|p| {
                    let (x, y) = proj.fwd(*p);
                    view! { <circle cx=format!("{x:.3}") cy=format!("{y:.3}") r=format!("{r:.3}")/> }
                }).collect_view()}
            </g>
        })
    }

    /// Gaps as areas, other problems as rings at where they are.
    /// The service layer: a badge per grid with open needs or waiting wishes, their count in it.
    /// Not a target of its own (the map's gestures stay the grid's); the grid's panel lists them.
    fn service_layer(self) -> Option<impl IntoView> {
        let marks = self.service_marks.get()?;
        let k = self.ppu();
        let r = 11.0 / k;
        Some(self.label_spots.with(|spots| {
            let items: Vec<_> = marks
                .iter()
                .filter_map(|m| {
                    let s = spots.iter().find(|s| s.code == m.grid_code)?;
                    let n = m.needs + m.wishes;
                    Some(view! {
                        <g class="service-mark" data-grid=m.grid_code.clone() data-needs=m.needs.to_string()>
                            <circle cx=format!("{:.3}", s.x) cy=format!("{:.3}", s.y - 2.2 * r) r=format!("{r:.3}")/>
                            <text x=format!("{:.3}", s.x) y=format!("{:.3}", s.y - 2.2 * r) font-size=format!("{:.3}", 11.0 / k)
                                text-anchor="middle" dominant-baseline="central">{n}</text>
                        </g>
                    })
                })
                .collect();
            view! { <g class="service-layer">{items}</g> }
        }))
    }

    /// The field reports' hot spots: a square per grid under its label with the year's count,
    /// darker where more was reported (thirds of the busiest grid's count).
    fn field_layer(self) -> Option<impl IntoView> {
        let spots = self.field_spots.get()?;
        let k = self.ppu();
        let r = 11.0 / k;
        let most = spots.iter().map(|s| s.total).max().unwrap_or(1).max(1);
        Some(self.label_spots.with(|labels| {
            let items: Vec<_> = spots
                .iter()
                .filter_map(|h| {
                    let s = labels.iter().find(|s| s.code == h.grid)?;
                    let heat = 1 + (h.total * 3 - 1) / most;
                    Some(view! {
                        <g class=format!("field-mark heat-{heat}") data-grid=h.grid.clone() data-total=h.total.to_string()>
                            <rect x=format!("{:.3}", s.x - 1.4 * r) y=format!("{:.3}", s.y + 1.2 * r) width=format!("{:.3}", 2.8 * r)
                                height=format!("{:.3}", 2.0 * r) rx=format!("{:.3}", 0.4 * r)/>
                            <text x=format!("{:.3}", s.x) y=format!("{:.3}", s.y + 2.2 * r) font-size=format!("{:.3}", 11.0 / k)
                                text-anchor="middle" dominant-baseline="central">{h.total}</text>
                        </g>
                    })
                })
                .collect();
            view! { <g class="field-layer">{items}</g> }
        }))
    }

    fn problem_marks(self) -> impl IntoView {
        let proj = self.proj;
        let r = self.handle_px * 1.4 / self.ppu();
        let all: Vec<Problem> = self
            .problems
            .get()
            .into_iter()
            .chain(self.live.get())
            .collect();
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
    }

    fn scale_bar(self) -> impl IntoView {
        let i18n = self.i18n;
        let v = self.view_box.get();
        let lat = self.proj.inv(v.cx, v.cy)[1];
        let m_per_px = self.proj.metres_per_unit(lat) / self.ppu();
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
    }

    /// The load colours and the export of the active level.
    pub fn legend(self) -> impl IntoView {
        let Ed {
            i18n,
            target,
            active_level,
            ..
        } = self;
        view! {
            <div class="legend" aria-label=move || i18n.t("map.legend")>
                <span class="legend-item"><span class="swatch load-low"></span>{move || i18n.tf("map.load_low", &[("n", (target * 4 / 5).to_string())])}</span>
                <span class="legend-item"><span class="swatch load-ok"></span>{move || i18n.tf("map.load_ok", &[("a", (target * 4 / 5).to_string()), ("b", (target * 6 / 5).to_string())])}</span>
                <span class="legend-item"><span class="swatch load-high"></span>{move || i18n.tf("map.load_high", &[("n", (target * 6 / 5).to_string())])}</span>
                <span class="legend-item"><span class="swatch gap-swatch"></span>{move || i18n.t("map.legend_gap")}</span>
                {move || self.service_marks.with(Option::is_some).then(|| view! {
                    <span class="legend-item"><span class="swatch service-swatch"></span>{move || i18n.t("map.legend_services")}</span>
                })}
                {move || self.field_spots.with(Option::is_some).then(|| view! {
                    <span class="legend-item"><span class="swatch field-swatch"></span>{move || i18n.t("map.legend_field")}</span>
                })}
                <a href=move || format!("/feeds/grids.geojson?level={}", active_level.get()) download="grids.geojson">{move || i18n.t("map.export_level")}</a>
            </div>
        }
    }
}

/// Where a grid's label goes and how wide the grid is (map units).
#[derive(Clone, PartialEq)]
pub(super) struct LabelSpot {
    level: i64,
    width: f64,
    x: f64,
    y: f64,
    name: String,
    code: String,
}

/// The label spots of every grid, computed once per change of the map (not on every pan or zoom).
pub(super) fn label_spots(proj: Proj, work: RwSignal<Work>) -> Memo<Vec<LabelSpot>> {
    Memo::new(move |_| {
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
                    LabelSpot {
                        level: g.level,
                        width: x1 - x0,
                        x,
                        y,
                        name: g.name.clone(),
                        code: g.code.clone(),
                    }
                })
                .collect()
        })
    })
}
