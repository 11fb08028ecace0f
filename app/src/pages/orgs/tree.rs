//! The virtualised tree: only the rows in view are in the DOM, each a WAI-ARIA treeitem; keyboard,
//! selection, drag and drop with the rules checked before the drop.

use super::*;

#[component]
pub(super) fn TreeView(ed: Ed) -> impl IntoView {
    let i18n = use_i18n();
    let rows = ed.rows;
    // Type-ahead: characters typed within 600 ms form one prefix; IME composition is ignored.
    let typed = StoredValue::new((String::new(), 0.0f64));
    let window = move || {
        let first = ((ed.scroll_top.get() / ROW_H) as usize).saturating_sub(OVERSCAN);
        let count = (ed.view_h.get() / ROW_H).ceil() as usize + 2 * OVERSCAN;
        // Rows are rebuilt when the tree changes (names, counts), reused while scrolling.
        let generation = ed.generation.get();
        rows.with(|rows| {
            rows.iter()
                .enumerate()
                .skip(first)
                .take(count)
                .map(|(i, r)| (i, *r, generation))
                .collect::<Vec<_>>()
        })
    };
    let index_of = move |id: i64| rows.with_untracked(|r| r.iter().position(|x| x.id == id));
    let go = move |i: usize| {
        if let Some(r) = rows.with_untracked(|r| r.get(i).copied()) {
            ed.active.set(Some(r.id));
            ed.scroll_to(r.id);
        }
    };
    let on_key = move |e: ev::KeyboardEvent| {
        if e.is_composing() || e.key_code() == 229 || ed.renaming.get_untracked().is_some() {
            return;
        }
        let n = rows.with_untracked(Vec::len);
        if n == 0 {
            return;
        }
        let cur = ed.active.get_untracked().and_then(index_of);
        let page = ((ed.view_h.get_untracked() / ROW_H) as usize).max(1);
        let row = cur.and_then(|i| rows.with_untracked(|r| r.get(i).copied()));
        let key = e.key();
        let ctrl = e.ctrl_key() || e.meta_key();
        let mut handled = true;
        match key.as_str() {
            "ArrowDown" => {
                let i = cur.map_or(0, |i| (i + 1).min(n - 1));
                go(i);
                if e.shift_key() {
                    extend_selection(ed, rows, cur, i);
                }
            }
            "ArrowUp" => {
                let i = cur.map_or(0, |i| i.saturating_sub(1));
                go(i);
                if e.shift_key() {
                    extend_selection(ed, rows, cur, i);
                }
            }
            "Home" => go(0),
            "End" => go(n - 1),
            "PageDown" => go(cur.map_or(0, |i| (i + page).min(n - 1))),
            "PageUp" => go(cur.map_or(0, |i| i.saturating_sub(page))),
            "ArrowRight" => {
                if let (Some(r), Some(i)) = (row, cur) {
                    if r.has_children && !r.expanded {
                        ed.expanded.update(|x| {
                            x.insert(r.id);
                        });
                    } else if r.expanded {
                        go(i + 1);
                    }
                } else {
                    go(0);
                }
            }
            "ArrowLeft" => {
                if let Some(r) = row {
                    if r.expanded && ed.query.get_untracked().trim().is_empty() {
                        ed.expanded.update(|x| {
                            x.remove(&r.id);
                        });
                    } else if let Some(p) = ed.tree.with_untracked(|t| t.parent(r.id)) {
                        ed.active.set(Some(p));
                        ed.scroll_to(p);
                    }
                }
            }
            "Enter" => {
                if let Some(r) = row {
                    ed.panel.set(Some(r.id));
                }
            }
            "F2" => {
                if let Some(r) = row {
                    if ed
                        .tree
                        .with_untracked(|t| t.get(r.id).is_some_and(|u| ed.can_edit(&u.code)))
                    {
                        ed.renaming.set(Some(r.id));
                    }
                }
            }
            " " => {
                if let Some(r) = row {
                    ed.selected.update(|s| {
                        if !s.remove(&r.id) {
                            s.insert(r.id);
                        }
                    });
                }
            }
            "*" => {
                if let Some(r) = row {
                    let sibs: Vec<i64> = ed.tree.with_untracked(|t| match t.parent(r.id) {
                        Some(p) => t.children(p).to_vec(),
                        None => t.roots().to_vec(),
                    });
                    ed.expanded.update(|x| x.extend(sibs));
                }
            }
            "Delete" if ed.editor() => {
                if let Some(r) = row {
                    ed.dialog.set(Some(Dlg::Dissolve { id: r.id }));
                }
            }
            // Cut and paste: the single-pointer and keyboard alternative to dragging.
            "x" | "X" if ctrl && ed.editor() => {
                let ids = ed.targets();
                let names: Vec<String> = ed.tree.with_untracked(|t| {
                    ids.iter()
                        .filter_map(|i| t.get(*i).map(|u| u.name.clone()))
                        .collect()
                });
                ed.cut.set_value(ids);
                ed.say(true, i18n.tf("orgs.cut", &[("units", names.join("、"))]));
            }
            "v" | "V" if ctrl && ed.editor() => {
                let ids = ed.cut.get_value();
                if let (Some(r), false) = (row, ids.is_empty()) {
                    match ed.check_move(i18n, &ids, r.id) {
                        Ok(()) => ed.dialog.set(Some(Dlg::Move {
                            ids,
                            target: Some(r.id),
                        })),
                        Err(why) => ed.say(false, i18n.tf("orgs.drop_no", &[("why", why)])),
                    }
                }
            }
            "a" if ctrl => {
                let all: HashSet<i64> = rows.with_untracked(|r| r.iter().map(|x| x.id).collect());
                ed.selected.set(all);
            }
            "Escape" => ed.selected.set(HashSet::new()),
            k if !ctrl && !e.alt_key() && k.chars().count() == 1 && k != " " => {
                let now = now_ms();
                let prefix = typed.with_value(|(s, at)| {
                    if now - at < 600.0 {
                        format!("{s}{k}")
                    } else {
                        k.to_string()
                    }
                });
                typed.set_value((prefix.clone(), now));
                let p = prefix.to_lowercase();
                let start = cur.map_or(0, |i| {
                    if prefix.chars().count() == 1 {
                        i + 1
                    } else {
                        i
                    }
                });
                let hit = ed.tree.with_untracked(|t| {
                    rows.with_untracked(|r| {
                        (0..n).map(|k| (start + k) % n).find(|&i| {
                            t.get(r[i].id)
                                .is_some_and(|u| u.name.to_lowercase().starts_with(&p))
                        })
                    })
                });
                if let Some(i) = hit {
                    go(i);
                }
            }
            _ => handled = false,
        }
        if handled {
            e.prevent_default();
        }
    };
    let measure = move || {
        if let Some(el) = ed.scroller.get_untracked() {
            let h = el.client_height() as f64;
            if h > 0.0 {
                ed.view_h.set(h);
            }
        }
    };
    Effect::new(move |_| {
        if ed.scroller.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    let drop_status = move || {
        ed.drag.get().and_then(|d| d.over).map(|(target, r)| {
            let name = ed
                .tree
                .with(|t| t.get(target).map(|u| u.name.clone()).unwrap_or_default());
            match r {
                Ok(()) => i18n.tf("orgs.drop_ok", &[("unit", name)]),
                Err(why) => i18n.tf("orgs.drop_no", &[("why", why)]),
            }
        })
    };
    view! {
        <div class="org-tree-wrap">
            <div class="org-scroll" node_ref=ed.scroller
                on:scroll=move |e| {
                    let t = event_target::<leptos::web_sys::Element>(&e).scroll_top() as f64;
                    ed.scroll_top.set(t);
                }>
                <div id="org-tree" role="tree" tabindex="0" class="org-tree"
                    aria-label=move || i18n.t("orgs.tree_label")
                    aria-multiselectable="true"
                    aria-activedescendant=move || ed.active.get().map(|a| format!("org-{a}"))
                    style:height=move || format!("{}px", rows.with(Vec::len) as f64 * ROW_H)
                    on:focus=move |_| {
                        if ed.active.get_untracked().is_none() {
                            if let Some(r) = rows.with_untracked(|r| r.first().copied()) { ed.active.set(Some(r.id)); }
                        }
                    }
                    on:keydown=on_key>
                    <For each=window key=|k| *k let:item>
                        <Row ed=ed index=item.0 row=item.1 rows=rows/>
                    </For>
                </div>
            </div>
            <p class="drop-status" role="status" aria-live="polite">{drop_status}</p>
            <Show when=move || rows.with(Vec::is_empty)>
                <p class="muted">{move || i18n.t("orgs.nothing_found")}</p>
            </Show>
        </div>
    }
}

pub(super) fn extend_selection(
    ed: Ed,
    rows: Memo<Vec<VisibleRow>>,
    from: Option<usize>,
    to: usize,
) {
    let from = from.unwrap_or(to);
    let (a, b) = (from.min(to), from.max(to));
    let ids: Vec<i64> =
        rows.with_untracked(|r| r[a..=b.min(r.len() - 1)].iter().map(|x| x.id).collect());
    ed.selected.update(|s| s.extend(ids));
}

#[component]
pub(super) fn Row(
    ed: Ed,
    index: usize,
    row: VisibleRow,
    rows: Memo<Vec<VisibleRow>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = row.id;
    let unit = ed.tree.with_untracked(|t| t.get(id).cloned());
    let Some(unit) = unit else {
        return ().into_any();
    };
    let editable = ed.can_edit(&unit.code);
    let status = term_status(
        unit.term_start.as_deref(),
        unit.term_years,
        &ed.today.get_value(),
    );
    let members = if ed.editor() {
        ed.members
            .with_untracked(|m| m.get(&id).copied().unwrap_or(0))
    } else {
        0
    };
    let name = unit.name.clone();
    let q = ed.query.get_untracked();
    let level = unit.level.clone();
    let secretary = unit.secretary.clone();
    let toggle = move |e: ev::MouseEvent| {
        e.stop_propagation();
        ed.expanded.update(|x| {
            if !x.remove(&id) {
                x.insert(id);
            }
        });
        ed.active.set(Some(id));
    };
    let click = move |e: ev::MouseEvent| {
        if e.ctrl_key() || e.meta_key() {
            // Ctrl+click adds to a selection that starts with the unit already active.
            let prev = ed.active.get_untracked();
            ed.selected.update(|s| {
                if let Some(p) = prev.filter(|p| s.is_empty() && *p != id) {
                    s.insert(p);
                }
                if !s.remove(&id) {
                    s.insert(id);
                }
            });
        } else {
            ed.selected.set(HashSet::new());
            ed.panel.set(Some(id));
        }
        ed.active.set(Some(id));
    };
    // Dragging by the handle: pointer events (HTML5 drag and drop does not work with fingers).
    let drag_start = move |e: ev::PointerEvent| {
        if !editable || e.button() != 0 {
            return;
        }
        e.prevent_default();
        e.stop_propagation();
        #[cfg(feature = "csr")]
        {
            use wasm_bindgen::JsCast;
            if let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            {
                let _ = el.set_pointer_capture(e.pointer_id());
            }
        }
        let sel = ed.selected.get_untracked();
        let ids = if sel.contains(&id) && sel.len() > 1 {
            ed.targets_for(Some(id))
        } else {
            vec![id]
        };
        ed.active.set(Some(id));
        ed.drag.set(Some(Drag { ids, over: None }));
    };
    let drag_move = move |e: ev::PointerEvent| {
        let Some(d) = ed.drag.get_untracked() else {
            return;
        };
        let Some(el) = ed.scroller.get_untracked() else {
            return;
        };
        #[cfg(feature = "csr")]
        let (top, height) = {
            let rect = el.get_bounding_client_rect();
            (rect.top(), rect.height())
        };
        #[cfg(not(feature = "csr"))]
        let (top, height) = (0.0, 0.0);
        let y = e.client_y() as f64 - top;
        // Near the edges the list scrolls under the finger.
        if y < ROW_H {
            el.set_scroll_top(el.scroll_top() - 12);
        } else if y > height - ROW_H {
            el.set_scroll_top(el.scroll_top() + 12);
        }
        let i = ((y + el.scroll_top() as f64) / ROW_H).floor();
        let target = (i >= 0.0)
            .then(|| rows.with_untracked(|r| r.get(i as usize).map(|x| x.id)))
            .flatten();
        let over = target.map(|t| (t, ed.check_move(i18n, &d.ids, t)));
        if over != d.over {
            ed.drag.set(Some(Drag { ids: d.ids, over }));
        }
    };
    let drag_end = move |_e: ev::PointerEvent| {
        let Some(d) = ed.drag.get_untracked() else {
            return;
        };
        ed.drag.set(None);
        match d.over {
            Some((target, Ok(()))) => ed.dialog.set(Some(Dlg::Move {
                ids: d.ids,
                target: Some(target),
            })),
            Some((_, Err(why))) => ed.say(false, i18n.tf("orgs.drop_no", &[("why", why)])),
            None => {}
        }
    };
    let rename_input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if ed.renaming.get() == Some(id) {
            if let Some(el) = rename_input.get() {
                let _ = el.focus();
                el.select();
            }
        }
    });
    let finish_rename = move |commit: bool| {
        let value = rename_input
            .get_untracked()
            .map(|el| el.value())
            .unwrap_or_default();
        ed.renaming.set(None);
        focus_tree();
        if !commit {
            return;
        }
        let Some(u) = ed.tree.with_untracked(|t| t.get(id).cloned()) else {
            return;
        };
        if value.trim() == u.name {
            return;
        }
        if let Err(e) = domain::org::clean_name(&value) {
            ed.say(false, refusal_text(i18n, &e));
            return;
        }
        ed.command(
            i18n,
            vec![OrgCommand::Rename {
                id,
                version: u.version,
                name: value,
            }],
        );
    };
    let zh = ed.zh(i18n);
    view! {
        <div role="treeitem" id=format!("org-{id}")
            class=move || {
                let mut c = String::from("org-row");
                if ed.active.get() == Some(id) { c.push_str(" active"); }
                if ed.selected.with(|s| s.contains(&id)) { c.push_str(" selected"); }
                match ed.drag.with(|d| d.as_ref().and_then(|d| d.over.as_ref()).filter(|(t, _)| *t == id).map(|(_, r)| r.is_ok())) {
                    Some(true) => c.push_str(" drop-ok"),
                    Some(false) => c.push_str(" drop-no"),
                    None => {}
                }
                c
            }
            aria-setsize=row.setsize.to_string()
            aria-posinset=row.posinset.to_string()
            aria-expanded=row.has_children.then(|| row.expanded.to_string())
            aria-selected=move || (ed.selected.with(|s| s.contains(&id)) || ed.active.get() == Some(id)).to_string()
            data-code=unit.code.clone()
            style:top=format!("{}px", index as f64 * ROW_H)
            style:padding-left=format!("{}rem", 0.25 + (row.depth as f64 - 1.0) * 1.25)
            on:click=click
            on:dblclick=move |_| if editable { ed.renaming.set(Some(id)) }>
            {if row.has_children {
                view! { <span class="twisty" aria-hidden="true" on:click=toggle>{if row.expanded { "▾" } else { "▸" }}</span> }.into_any()
            } else {
                view! { <span class="twisty leaf" aria-hidden="true"></span> }.into_any()
            }}
            {move || if ed.renaming.get() == Some(id) {
                view! {
                    <input class="rename" node_ref=rename_input value=name.clone() aria-label=i18n.t("orgs.new_name")
                        maxlength="60"
                        on:click=|e| e.stop_propagation()
                        on:keydown=move |e: ev::KeyboardEvent| {
                            e.stop_propagation();
                            if e.is_composing() { return; }
                            match e.key().as_str() {
                                "Enter" => { e.prevent_default(); finish_rename(true) }
                                "Escape" => { e.prevent_default(); finish_rename(false) }
                                _ => {}
                            }
                        }
                        on:blur=move |_| if ed.renaming.get_untracked() == Some(id) { finish_rename(true) }/>
                }.into_any()
            } else {
                view! { <span class="org-name">{highlight(&name, &q)}</span> }.into_any()
            }}
            <span class="tag">{ed.level_name(&level, zh)}</span>
            {secretary.clone().map(|s| view! { <span class="muted sec">{i18n.t("orgs.secretary")}" "{s}</span> })}
            {(members > 0).then(|| view! { <span class="muted members">{i18n.tf("orgs.members_n", &[("n", members.to_string())])}</span> })}
            {status.is_due().then(|| view! { <span class=status_class(status)>{i18n.t(status.key())}</span> })}
            {editable.then(|| view! {
                <span class="drag-handle" aria-hidden="true" title=i18n.t("orgs.drag")
                    on:pointerdown=drag_start on:pointermove=drag_move on:pointerup=drag_end
                    on:pointercancel=move |_| ed.drag.set(None)>"⠿"</span>
            })}
        </div>
    }
    // tachys has no typed `aria-level`: add it as a custom attribute.
    .add_any_attr(leptos::tachys::html::attribute::custom::custom_attribute(
        "aria-level",
        row.depth.to_string(),
    ))
    .into_any()
}

pub(super) fn focus_tree() {
    #[cfg(feature = "csr")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = leptos::web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("org-tree"))
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
}

/// The name with the search match marked.
pub(super) fn highlight(name: &str, q: &str) -> AnyView {
    let q = q.trim();
    if q.is_empty() {
        return name.to_owned().into_any();
    }
    let lower = name.to_lowercase();
    match lower.find(&q.to_lowercase()) {
        Some(i) if lower.len() == name.len() => {
            let (a, rest) = name.split_at(i);
            let (m, b) = rest.split_at(q.len().min(rest.len()));
            view! { {a.to_owned()}<mark>{m.to_owned()}</mark>{b.to_owned()} }.into_any()
        }
        _ => name.to_owned().into_any(),
    }
}
