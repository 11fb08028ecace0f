//! The controls and panels around the map, as views of `Ed`: levels and context layers shown, the
//! active level, the toolbar, the selected grid's panel (facts, tools for parts and holes, the
//! attribute form, history and restore), the problems and coverage, and the searchable list.

use super::*;

impl Ed {
    /// Which levels and context layers are shown, and the level new grids are drawn at.
    pub fn controls(self) -> impl IntoView {
        let Ed {
            i18n,
            layers,
            hidden_layers,
            active_level,
            first_level,
            ..
        } = self;
        view! {
            <div class="map-controls" id="map-controls" class:open=move || self.options_open.get()>
                <fieldset class="toggles">
                    <legend>{move || i18n.t("map.levels")}</legend>
                    {(1..=3).map(|l| {
                        let on = self.shown[l - 1];
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
                <fieldset class="toggles">
                    <legend>{move || i18n.t("map.overlays")}</legend>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || self.service_marks.with(Option::is_some)
                            on:change=move |ev| self.show_services(event_target_checked(&ev))/>
                        {move || i18n.t("map.service_layer_toggle")}
                    </label>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || self.field_spots.with(Option::is_some)
                            on:change=move |ev| self.show_field(event_target_checked(&ev))/>
                        {move || i18n.t("map.field_layer_toggle")}
                    </label>
                </fieldset>
                <label class="level-pick">{move || i18n.t("map.active_level")}
                    <select on:change=move |ev| { active_level.set(event_target_value(&ev).parse().unwrap_or(3)); }>
                        {(1..=3).map(|l| view! { <option value=l.to_string() selected=l == first_level>{move || i18n.t(&format!("grid.level{l}"))}</option> }).collect_view()}
                    </select>
                </label>
            </div>
        }
    }

    /// Switches the service layer on (loading the marks) or off.
    fn show_services(self, on: bool) {
        let marks = self.service_marks;
        if !on {
            marks.set(None);
            return;
        }
        let i18n = self.i18n;
        let message = self.message;
        leptos::task::spawn_local(async move {
            match crate::api::services::service_map_marks().await {
                Ok(m) if !marks.is_disposed() => marks.set(Some(m)),
                Ok(_) => {}
                Err(e) => message.set(Some((false, error_message(i18n, &e)))),
            }
        });
    }

    /// Switches the field reports' hot spots on (loading them) or off.
    fn show_field(self, on: bool) {
        let spots = self.field_spots;
        if !on {
            spots.set(None);
            return;
        }
        let i18n = self.i18n;
        let message = self.message;
        leptos::task::spawn_local(async move {
            match crate::api::field_rates::field_hot_spots().await {
                Ok(h) if !spots.is_disposed() => spots.set(Some(h)),
                Ok(_) => {}
                Err(e) => message.set(Some((false, error_message(i18n, &e)))),
            }
        });
    }

    /// In the grid's panel, with the hot spots on: the year's reports in the grid (and those
    /// inside it), the most frequent categories first.
    fn field_line(self, code: &str) -> Option<impl IntoView> {
        let i18n = self.i18n;
        let (total, top) = self.field_spots.with(|h| {
            h.as_ref().map(|h| {
                let mut by: Vec<(String, i64)> = Vec::new();
                for s in h.iter().filter(|s| s.grid.starts_with(code)) {
                    for (c, n) in &s.categories {
                        match by.iter_mut().find(|(x, _)| x == c) {
                            Some(e) => e.1 += n,
                            None => by.push((c.clone(), *n)),
                        }
                    }
                }
                by.sort_by(|a, b| b.1.cmp(&a.1));
                let total: i64 = by.iter().map(|x| x.1).sum();
                let top: Vec<String> = by.iter().take(3).map(|(c, n)| format!("{c} {n}")).collect();
                (total, top.join("、"))
            })
        })?;
        Some(view! {
            <dt>{move || i18n.t("map.field_layer")}</dt>
            <dd>{move || i18n.tf("map.field_year", &[("n", total.to_string())])} {(!top.is_empty()).then(|| format!("（{top}）"))}</dd>
        })
    }

    /// In the grid's panel, with the service layer on: the open needs and waiting wishes in the
    /// grid and the grids inside it, linking to the lists filtered to it.
    fn service_line(self, code: &str) -> Option<impl IntoView> {
        let i18n = self.i18n;
        let (needs, wishes) = self.service_marks.with(|m| {
            m.as_ref().map(|m| {
                m.iter()
                    .filter(|x| x.grid_code.starts_with(code))
                    .fold((0, 0), |(n, w), x| (n + x.needs, w + x.wishes))
            })
        })?;
        let code = code.to_owned();
        Some(view! {
            <dt>{move || i18n.t("map.service_layer")}</dt>
            <dd>
                <a href=format!("/services?tab=lists&grid={code}")>{move || i18n.tf("map.open_needs", &[("n", needs.to_string())])}</a>
                " · "
                <a href=format!("/services?tab=wishes&grid={code}")>{move || i18n.tf("map.waiting_wishes", &[("n", wishes.to_string())])}</a>
            </dd>
        })
    }

    /// The editing tools, for those who may edit some grid (an empty map's administrator too).
    /// The bar above the map: on a phone one scrolling row — the button that unfolds the layers
    /// (always unfolded on a desk, where the button is hidden) and the editing tools.
    pub fn bar(self) -> impl IntoView {
        let (i18n, open) = (self.i18n, self.options_open);
        view! {
            <div class="map-bar">
                <button type="button" class="map-options-toggle" aria-controls="map-controls"
                    aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                    {move || i18n.t("map.options")}
                </button>
                {self.tools()}
            </div>
        }
    }

    pub fn tools(self) -> Option<impl IntoView> {
        let Ed {
            i18n,
            mode,
            selected,
            sel_vertex,
            editing,
            importing,
            import_preview,
            pending,
            saving,
            ..
        } = self;
        self.can_edit.then(|| view! {
            <div class="toolbar" role="toolbar" aria-label=move || i18n.t("map.tools")>
                <button type="button" aria-pressed=move || (mode.get() == Mode::Draw).to_string() on:click=move |_| self.toggle_drawing(Mode::Draw)>
                    {move || i18n.t("map.draw")}
                </button>
                <button type="button" disabled=move || selected.get().is_none() aria-pressed=move || (mode.get() == Mode::Split).to_string() on:click=move |_| self.toggle_drawing(Mode::Split)>
                    {move || i18n.t("map.split")}
                </button>
                <button type="button" disabled=move || selected.get().is_none() aria-pressed=move || (mode.get() == Mode::Merge).to_string() on:click=move |_| self.toggle_drawing(Mode::Merge)>
                    {move || i18n.t("map.merge")}
                </button>
                <button type="button" disabled=move || sel_vertex.get().is_none() || !editing.get() on:click=move |_| self.remove_selected_vertex()>
                    {move || i18n.t("map.delete_vertex")}
                </button>
                <button type="button" disabled=move || !self.can_undo() on:click=move |_| self.undo() title="Ctrl+Z">{move || i18n.t("map.undo")}</button>
                <button type="button" disabled=move || !self.can_redo() on:click=move |_| self.redo() title="Ctrl+Shift+Z">{move || i18n.t("map.redo")}</button>
                <button type="button" aria-pressed=move || importing.get().to_string()
                    on:click=move |_| { importing.update(|v| *v = !*v); import_preview.set(vec![]); }>
                    {move || i18n.t("import.title")}
                </button>
                <button type="button" class="primary" disabled=move || pending.get() == 0 || saving.get() on:click=move |_| self.save()>
                    {move || i18n.tf("map.save", &[("n", pending.get().to_string())])}
                </button>
            </div>
        })
    }

    /// A problem in words, its grids named as "name（code）".
    fn problem_text(self, p: &Problem) -> String {
        let name = |code: &str| {
            self.work.with_untracked(|w| {
                w.iter()
                    .find(|g| g.code == code)
                    .map(|g| format!("{}（{}）", g.name, g.code))
                    .unwrap_or_else(|| code.to_owned())
            })
        };
        let (key, args) = p.message(name);
        self.i18n.tf(key, &args)
    }

    /// The problems found (each flies to where it is) and the coverage of each parent checked.
    pub fn problems_panel(self) -> impl IntoView {
        let Ed {
            i18n,
            work,
            selected,
            check_ms,
            ..
        } = self;
        move || {
            let list = self.problems.get();
            let cov = self.coverage.get();
            view! {
                <section class="card problems" aria-live="polite" data-check-ms=move || format!("{:.1}", check_ms.get())>
                    <h2>{move || i18n.t("map.problems")}</h2>
                    <button type="button" on:click=move |_| self.full_check()>{move || i18n.t("map.check_all")}</button>
                    {if list.is_empty() {
                        view! { <p class="muted">{move || i18n.t("map.no_problems")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="problem-list">
                                {list.into_iter().map(|p| {
                                    let text = self.problem_text(&p);
                                    let at = p.at();
                                    let code = p.codes().first().map(|c| c.to_string());
                                    let class = if p.blocks_save() { "problem bad" } else { "problem" };
                                    view! {
                                        <li><button type="button" class=class on:click=move |_| {
                                            self.fly_to_point(at);
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
        }
    }

    /// The selected grid: its facts, its tools, its attribute form and its history.
    pub fn grid_panel(self) -> impl IntoView {
        let Ed {
            i18n,
            work,
            selected,
            editing,
            mode,
            sel_vertex,
            history_panel,
            can_edit,
            sheet_folded,
            ..
        } = self;
        move || {
            let id = selected.get()?;
            let g = work.with(|w| w.iter().find(|g| g.id == id).cloned())?;
            let stats = work.with(|w| {
                let kids: Vec<&Arc<GridView>> = w
                    .iter()
                    .filter(|k| k.parent_code.as_deref() == Some(g.code.as_str()))
                    .collect();
                (!kids.is_empty())
                    .then(|| (kids.len(), kids.iter().map(|k| k.households).sum::<i64>()))
            });
            let area = g.boundary.area_m2();
            let gv: GridView = (*g).clone();
            // On a phone the panel is a sheet over the map's foot; it folds to its title.
            Some(view! {
                <aside class="panel card sheet" class:folded=move || sheet_folded.get() aria-live="polite">
                    <div class="sheet-head">
                        <h2>{g.name.clone()}</h2>
                        <button type="button" class="sheet-fold" aria-expanded=move || (!sheet_folded.get()).to_string()
                            on:click=move |_| sheet_folded.update(|f| *f = !*f)>
                            {move || i18n.t(if sheet_folded.get() { "map.sheet_open" } else { "map.sheet_fold" })}
                        </button>
                    </div>
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
                        {self.service_line(&g.code)}
                        {self.field_line(&g.code)}
                        {(g.valid_from.is_some() || g.valid_to.is_some()).then(|| view! {
                            <dt>{move || i18n.t("grid.valid")}</dt>
                            <dd>{format!("{} – {}", g.valid_from.clone().unwrap_or_default(), g.valid_to.clone().unwrap_or_default())}</dd>
                        })}
                        {(!g.updated_by.is_empty()).then(|| view! {
                            <dt>{move || i18n.t("grid.updated")}</dt><dd>{format!("{} · {} · v{}", g.updated_by, g.updated_at, g.version)}</dd>
                        })}
                    </dl>
                    // The boundary's tools stay in view when the sheet folds while editing.
                    {(g.editable).then(|| view! { <div class="actions edit-tools">
                            <button type="button" aria-pressed=move || editing.get().to_string() on:click=move |_| editing.update(|e| *e = !*e)>
                                {move || i18n.t(if editing.get() { "map.stop_editing" } else { "map.edit_boundary" })}
                            </button>
                            // Parts and holes: draw one on the map (click near the first point or
                            // press Enter to close it), or remove the ring through the selected vertex.
                            <button type="button" aria-pressed=move || (mode.get() == Mode::Part).to_string() on:click=move |_| self.toggle_drawing(Mode::Part)>{move || i18n.t("map.add_part")}</button>
                            <button type="button" aria-pressed=move || (mode.get() == Mode::Hole).to_string() on:click=move |_| self.toggle_drawing(Mode::Hole)>{move || i18n.t("map.add_hole")}</button>
                            <button type="button" disabled=move || sel_vertex.get().is_none() on:click=move |_| self.remove_selected_ring()>{move || i18n.t("map.remove_ring")}</button>
                    </div> })}
                    <div class="actions">
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
                        {
                            // A report at the point last clicked inside the grid (or, from the
                            // keyboard, the grid's own inside point).
                            let b = g.boundary.clone();
                            let href = move || {
                                let at = self.clicked.get().filter(|p| b.contains(*p)).unwrap_or_else(|| b.label_point());
                                format!("/field?lon={:.6}&lat={:.6}", at[0], at[1])
                            };
                            view! { <a class="button" href=href>{move || i18n.t("map.report_here")}</a> }
                        }
                        <a class="button" href=format!("/feeds/grids.geojson?root={}", g.code) download=format!("{}.geojson", g.code)>{move || i18n.t("map.export_subtree")}</a>
                        <button type="button" on:click=move |_| selected.set(None)>{move || i18n.t("common.close")}</button>
                    </div>
                    {(g.editable).then(|| view! { <GridForm grid=gv.clone()
                        on_apply=Callback::new(move |draft: domain::grid::GridDraft| self.apply_form(id, draft))
                        on_delete=Callback::new(move |_| self.delete_selected())/> })}
                    {move || history_panel.get().map(|h| self.history_list(id, h))}
                </aside>
            })
        }
    }

    /// Grid `id`'s revisions, each restorable where there was a version before it.
    fn history_list(self, id: i64, h: Result<Vec<RevisionView>, String>) -> impl IntoView {
        let i18n = self.i18n;
        match h {
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
                                        <button type="button" on:click=move |_| self.restore(id, rid)>{move || i18n.t("map.restore")}</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </section>
            }.into_any(),
        }
    }

    /// The search field and the list it filters (level 3 when empty; names, codes and the old
    /// system's codes otherwise).
    pub fn grid_list(self) -> impl IntoView {
        let Ed {
            i18n,
            work,
            query,
            selected,
            target,
            ..
        } = self;
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
                                    on:click=move |_| { self.select(Some(id)); self.editing.set(false); self.fly_to(id); }>
                                    <span>{label}</span>
                                    <span class=format!("badge {}", load_class(households, target))>{households}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            })
        };
        view! {
            <label class="search">{move || i18n.t("map.search")}
                <input type="search" bind:value=query placeholder=move || i18n.t("map.search_hint")/>
            </label>
            <ul class="grid-list" aria-label=move || i18n.t("map.list")>{list}</ul>
        }
    }
}
