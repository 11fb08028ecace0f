//! The add, "Move to…" and dissolve dialogs.

use super::*;

/// Add, "Move to…" and dissolve, in a modal `<dialog>` (focus moves in; Escape closes).
#[component]
pub(super) fn Dialogs(ed: Ed) -> impl IntoView {
    let dlg = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let open = ed.dialog.with(Option::is_some);
        if let Some(d) = dlg.get() {
            if open && !d.open() {
                let _ = d.show_modal();
            } else if !open && d.open() {
                d.close();
            }
        }
    });
    let close = move || {
        ed.dialog.set(None);
        focus_tree();
    };
    view! {
        <dialog node_ref=dlg class="org-dialog" aria-labelledby="org-dialog-h" on:close=move |_| if ed.dialog.get_untracked().is_some() { close() }>
            {move || ed.dialog.get().map(|d| match d {
                Dlg::Add { parent } => view! { <AddForm ed=ed parent=parent close=close/> }.into_any(),
                Dlg::Move { ids, target } => view! { <MoveForm ed=ed ids=ids target=target close=close/> }.into_any(),
                Dlg::Dissolve { id } => view! { <DissolveForm ed=ed id=id close=close/> }.into_any(),
            })}
        </dialog>
    }
}

#[component]
pub(super) fn AddForm(ed: Ed, parent: i64, close: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let zh = ed.zh(i18n);
    let p = ed.tree.with_untracked(|t| t.get(parent).cloned());
    let kids: Vec<String> = p
        .as_ref()
        .and_then(|p| {
            ed.levels
                .with_value(|l| l.get(&p.level).map(|lv| lv.children.clone()))
        })
        .unwrap_or_default();
    let level = RwSignal::new(kids.first().cloned().unwrap_or_default());
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let lv = level.get_untracked();
        let check = ed.tree.with_untracked(|t| {
            ed.levels
                .with_value(|l| t.can_add(l, parent, &lv, |c| ed.can_edit(c)))
        });
        let n = domain::org::clean_name(&name.get_untracked());
        match check.and(n) {
            Err(e) => error.set(Some(refusal_text(i18n, &e))),
            Ok(n) => {
                close();
                ed.expanded.update(|x| {
                    x.insert(parent);
                });
                ed.command(
                    i18n,
                    vec![OrgCommand::Add {
                        parent,
                        level: lv,
                        name: n,
                    }],
                );
            }
        }
    };
    view! {
        <form class="stack" on:submit=submit>
            <h2 id="org-dialog-h">{i18n.tf("orgs.add_under", &[("unit", p.map(|p| p.name).unwrap_or_default())])}</h2>
            <label>{i18n.t("orgs.level")}
                <select on:change=move |e| level.set(event_target_value(&e))>
                    {kids.iter().map(|k| view! { <option value=k.clone()>{ed.level_name(k, zh)}</option> }).collect_view()}
                </select>
            </label>
            <label>{i18n.t("orgs.name")}
                <input autofocus required maxlength="60" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e))/>
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="inline">
                <button type="submit" class="primary">{i18n.t("orgs.add")}</button>
                <button type="button" on:click=move |_| close()>{i18n.t("common.cancel")}</button>
            </div>
        </form>
    }
}

/// "Move to…": a searchable list of the units the selection may move under (the same rules as a
/// drop), operated with arrow keys and Enter, then the reason and document number.
#[component]
pub(super) fn MoveForm(
    ed: Ed,
    ids: Vec<i64>,
    target: Option<i64>,
    close: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let zh = ed.zh(i18n);
    let names: Vec<String> = ed.tree.with_untracked(|t| {
        ids.iter()
            .filter_map(|i| t.get(*i).map(|u| u.name.clone()))
            .collect()
    });
    let ids = StoredValue::new(ids);
    let filter = RwSignal::new(String::new());
    let chosen = RwSignal::new(target);
    let cursor = RwSignal::new(0usize);
    let reason = RwSignal::new(String::new());
    let doc_no = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // Allowed targets: every unit the rules accept, filtered by the search text.
    let options = Memo::new(move |_| {
        let q = filter.get().trim().to_lowercase();
        ed.tree.with_untracked(|t| {
            ed.levels.with_value(|l| {
                ids.with_value(|ids| {
                    t.units()
                        .iter()
                        .filter(|u| {
                            q.is_empty()
                                || u.name.to_lowercase().contains(&q)
                                || u.code.starts_with(&q)
                        })
                        .filter(|u| t.can_move(l, ids, u.id, |c| ed.can_edit(c)).is_ok())
                        .take(100)
                        .map(|u| (u.id, u.name.clone(), u.code.clone(), u.level.clone()))
                        .collect::<Vec<_>>()
                })
            })
        })
    });
    let list_key = move |e: ev::KeyboardEvent| {
        let n = options.with_untracked(Vec::len);
        if n == 0 {
            return;
        }
        match e.key().as_str() {
            "ArrowDown" => {
                e.prevent_default();
                cursor.update(|c| *c = (*c + 1).min(n - 1));
            }
            "ArrowUp" => {
                e.prevent_default();
                cursor.update(|c| *c = c.saturating_sub(1));
            }
            "Home" => cursor.set(0),
            "End" => cursor.set(n - 1),
            "Enter" | " " => {
                e.prevent_default();
                if let Some(o) = options.with_untracked(|o| o.get(cursor.get_untracked()).cloned())
                {
                    chosen.set(Some(o.0));
                }
            }
            _ => {}
        }
    };
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let Some(target) = chosen.get_untracked() else {
            error.set(Some(i18n.t("orgs.pick_target")));
            return;
        };
        let ids = ids.get_value();
        if let Err(why) = ed.check_move(i18n, &ids, target) {
            error.set(Some(why));
            return;
        }
        if let Err(e) = domain::org::clean_reason(&reason.get_untracked()) {
            error.set(Some(refusal_text(i18n, &e)));
            return;
        }
        let cmds: Vec<OrgCommand> = ed.tree.with_untracked(|t| {
            ids.iter()
                .filter_map(|i| t.get(*i))
                .map(|u| OrgCommand::Move {
                    id: u.id,
                    version: u.version,
                    parent: target,
                    reason: reason.get_untracked(),
                    doc_no: doc_no.get_untracked(),
                })
                .collect()
        });
        close();
        ed.expanded.update(|x| {
            x.insert(target);
        });
        ed.command(i18n, cmds);
    };
    let chosen_name = move || {
        chosen
            .get()
            .and_then(|c| ed.tree.with_untracked(|t| t.get(c).map(|u| u.name.clone())))
    };
    view! {
        <form class="stack move-form" on:submit=submit>
            <h2 id="org-dialog-h">{i18n.t("orgs.move_title")}</h2>
            <p>{i18n.t("orgs.moving")}" "<b>{names.join("、")}</b></p>
            <label>{i18n.t("orgs.move_search")}
                <input type="search" autofocus prop:value=move || filter.get()
                    aria-controls="move-targets"
                    on:input=move |e| { filter.set(event_target_value(&e)); cursor.set(0); }
                    on:keydown=move |e: ev::KeyboardEvent| if e.key() == "ArrowDown" { e.prevent_default(); focus_by_id("move-targets"); }/>
            </label>
            <ul id="move-targets" role="listbox" tabindex="0" class="move-targets"
                aria-label=i18n.t("orgs.move_targets")
                aria-activedescendant=move || options.with(|o| o.get(cursor.get()).map(|x| format!("mt-{}", x.0)))
                on:keydown=list_key>
                {move || options.get().into_iter().enumerate().map(|(i, (id, name, code, level))| view! {
                    <li role="option" id=format!("mt-{id}")
                        class:cursor=move || cursor.get() == i
                        aria-selected=move || (chosen.get() == Some(id)).to_string()
                        on:click=move |_| { chosen.set(Some(id)); cursor.set(i); }>
                        {name}" "<span class="tag">{ed.level_name(&level, zh)}</span>" "<code class="muted">{code}</code>
                    </li>
                }).collect_view()}
            </ul>
            <Show when=move || options.with(Vec::is_empty)>
                <p class="muted">{i18n.t("orgs.no_targets")}</p>
            </Show>
            <p role="status" aria-live="polite">{move || chosen_name().map(|n| i18n.tf("orgs.move_to", &[("unit", n)]))}</p>
            <label>{i18n.t("orgs.reason")}
                <input required maxlength="200" prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
            </label>
            <label>{i18n.t("orgs.doc_no")}" "<small class="muted">{i18n.t("orgs.doc_no_hint")}</small>
                <input maxlength="60" prop:value=move || doc_no.get() on:input=move |e| doc_no.set(event_target_value(&e))/>
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="inline">
                <button type="submit" class="primary">{i18n.t("orgs.move_confirm")}</button>
                <button type="button" on:click=move |_| close()>{i18n.t("common.cancel")}</button>
            </div>
        </form>
    }
}

pub(super) fn focus_by_id(id: &str) {
    #[cfg(feature = "csr")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = leptos::web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "csr"))]
    let _ = id;
}

#[component]
pub(super) fn DissolveForm(ed: Ed, id: i64, close: impl Fn() + Copy + 'static) -> impl IntoView {
    let i18n = use_i18n();
    let unit = ed.tree.with_untracked(|t| t.get(id).cloned());
    let blocked = ed
        .tree
        .with_untracked(|t| t.can_dissolve(id, |c| ed.can_edit(c)))
        .err()
        .map(|e| refusal_text(i18n, &e));
    let reason = RwSignal::new(String::new());
    let doc_no = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let Some(u) = ed.tree.with_untracked(|t| t.get(id).cloned()) else {
            return;
        };
        if let Err(e) = domain::org::clean_reason(&reason.get_untracked()) {
            error.set(Some(refusal_text(i18n, &e)));
            return;
        }
        close();
        ed.command(
            i18n,
            vec![OrgCommand::Dissolve {
                id,
                version: u.version,
                reason: reason.get_untracked(),
                doc_no: doc_no.get_untracked(),
            }],
        );
    };
    let is_blocked = blocked.is_some();
    view! {
        <form class="stack" on:submit=submit>
            <h2 id="org-dialog-h">{i18n.tf("orgs.dissolve_title", &[("unit", unit.map(|u| u.name).unwrap_or_default())])}</h2>
            {blocked.map(|b| view! { <p class="error" role="alert">{b}</p> })}
            <p class="muted">{i18n.t("orgs.dissolve_hint")}</p>
            <label>{i18n.t("orgs.reason")}
                <input required autofocus maxlength="200" disabled=is_blocked prop:value=move || reason.get() on:input=move |e| reason.set(event_target_value(&e))/>
            </label>
            <label>{i18n.t("orgs.doc_no")}
                <input maxlength="60" disabled=is_blocked prop:value=move || doc_no.get() on:input=move |e| doc_no.set(event_target_value(&e))/>
            </label>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="inline">
                <button type="submit" class="primary" disabled=is_blocked>{i18n.t("orgs.dissolve_confirm")}</button>
                <button type="button" on:click=move |_| close()>{i18n.t("common.cancel")}</button>
            </div>
        </form>
    }
}
