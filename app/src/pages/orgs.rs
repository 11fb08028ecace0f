//! The party organisation editor: a virtualised WAI-ARIA tree of every live unit (only the rows in
//! view are in the DOM, each with `aria-level`, `aria-setsize`, `aria-posinset`), search that
//! reveals ancestors, add / rename / move (drag with the rules checked before the drop, or the
//! keyboard "Move to…" dialog) / dissolve, undo and redo, a unit panel with people, term and change
//! log, term reminders, and CSV import and export. Every rule comes from `domain::org`; the server
//! checks the same rules again.

use crate::api::orgs::{self as api, OrgTreeView, UnitPanel};
use crate::i18n::{use_i18n, I18n, Locale};
use crate::ui::{error_message, ErrorNote, Loading};
use domain::org::{
    term_end, term_status, with_version, Edit, LevelSet, OrgCommand, OrgUnit, RoleHolder,
    TermStatus, Tree, Undo, UnitDetails, VisibleRow,
};
use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::collections::HashSet;

/// Height of one tree row in CSS pixels (fixed, so the window of rendered rows is arithmetic).
const ROW_H: f64 = 40.0;
/// Rows rendered above and below the visible part.
const OVERSCAN: usize = 8;

#[derive(Clone, Debug, PartialEq)]
enum Dlg {
    Add { parent: i64 },
    Move { ids: Vec<i64>, target: Option<i64> },
    Dissolve { id: i64 },
}

/// The editor's state: every field is a copyable handle, so closures capture it freely.
#[derive(Clone, Copy)]
struct Ed {
    tree: RwSignal<Tree>,
    levels: StoredValue<LevelSet>,
    prefix: StoredValue<Option<String>>,
    today: StoredValue<String>,
    expanded: RwSignal<HashSet<i64>>,
    query: RwSignal<String>,
    active: RwSignal<Option<i64>>,
    selected: RwSignal<HashSet<i64>>,
    panel: RwSignal<Option<i64>>,
    panel_tick: RwSignal<u32>,
    renaming: RwSignal<Option<i64>>,
    dialog: RwSignal<Option<Dlg>>,
    message: RwSignal<Option<(bool, String)>>,
    undo: StoredValue<Undo>,
    undo_tick: RwSignal<u32>,
    busy: RwSignal<bool>,
    drag: RwSignal<Option<Drag>>,
    scroll_top: RwSignal<f64>,
    view_h: RwSignal<f64>,
    scroller: NodeRef<leptos::html::Div>,
    /// The rows to render (tree order; search results with their ancestors), once per change.
    rows: Memo<Vec<VisibleRow>>,
    /// Party members on each unit and beneath it, computed once per tree.
    members: Memo<std::collections::HashMap<i64, i64>>,
    /// Bumped whenever the tree's content changes, so rendered rows are rebuilt.
    generation: RwSignal<u32>,
    /// Versions of units dissolved in this session (a reinstate must name the current one).
    gone: StoredValue<std::collections::HashMap<i64, i64>>,
    /// Units cut with Ctrl+X, waiting for Ctrl+V on their new parent.
    cut: StoredValue<Vec<i64>>,
}

#[derive(Clone, Debug, PartialEq)]
struct Drag {
    ids: Vec<i64>,
    /// The row under the pointer and whether the units may be dropped there (else why not).
    over: Option<(i64, Result<(), String>)>,
}

impl Ed {
    fn zh(&self, i18n: I18n) -> bool {
        i18n.locale.get_untracked() == Locale::Zh
    }

    fn can_edit(&self, code: &str) -> bool {
        self.prefix
            .with_value(|p| p.as_deref().is_some_and(|p| code.starts_with(p)))
    }

    fn editor(&self) -> bool {
        self.prefix.with_value(Option::is_some)
    }

    fn level_name(&self, key: &str, zh: bool) -> String {
        self.levels.with_value(|l| l.name(key, zh))
    }

    fn say(&self, ok: bool, text: String) {
        self.message.set(Some((ok, text)));
    }

    /// The rule check the server runs, in words, for moving `ids` under `target`.
    fn check_move(&self, i18n: I18n, ids: &[i64], target: i64) -> Result<(), String> {
        let r = self.tree.with_untracked(|t| {
            self.levels
                .with_value(|l| t.can_move(l, ids, target, |c| self.can_edit(c)))
        });
        r.map_err(|e| refusal_text(i18n, &e))
    }

    /// Units an action applies to: the selection when the active unit is part of it, else the active unit.
    fn targets(&self) -> Vec<i64> {
        self.targets_for(self.active.get_untracked())
    }

    /// The same for a given unit (the one being dragged).
    fn targets_for(&self, active: Option<i64>) -> Vec<i64> {
        let sel = self.selected.get_untracked();
        match active {
            Some(a) if sel.contains(&a) && sel.len() > 1 => {
                let mut v: Vec<i64> = sel.into_iter().collect();
                self.tree.with_untracked(|t| {
                    v.sort_by(|x, y| {
                        let cx = t.get(*x).map(|u| u.code.as_str()).unwrap_or("");
                        let cy = t.get(*y).map(|u| u.code.as_str()).unwrap_or("");
                        cx.cmp(cy)
                    })
                });
                v
            }
            Some(a) => vec![a],
            None => vec![],
        }
    }

    /// Opens the path to a unit, makes it active and scrolls it into view.
    fn reveal(&self, id: i64) {
        let ancestors = self.tree.with_untracked(|t| t.ancestors(id));
        self.expanded.update(|e| e.extend(ancestors));
        self.query.set(String::new());
        self.active.set(Some(id));
        self.scroll_to(id);
    }

    fn scroll_to(&self, id: i64) {
        let Some(i) = self
            .rows
            .with_untracked(|r| r.iter().position(|r| r.id == id))
        else {
            return;
        };
        let top = i as f64 * ROW_H;
        let (st, vh) = (self.scroll_top.get_untracked(), self.view_h.get_untracked());
        let new = if top < st {
            top
        } else if top + ROW_H > st + vh {
            top + ROW_H - vh
        } else {
            return;
        };
        if let Some(el) = self.scroller.get_untracked() {
            el.set_scroll_top(new.max(0.0) as i32);
        }
        self.scroll_top.set(new.max(0.0));
    }

    /// Sends an edit; on success patches the tree and records it for undo (`Do`) or moves it
    /// between the undo and redo stacks.
    fn run(&self, i18n: I18n, edit: Edit, how: Run) {
        let Ok(json) = serde_json::to_string(&edit.forward) else {
            return;
        };
        let ed = *self;
        ed.busy.set(true);
        leptos::task::spawn_local(async move {
            let r = api::orgs_apply(json).await;
            if ed.busy.is_disposed() {
                return;
            }
            ed.busy.set(false);
            match r {
                Err(e) => {
                    // Put an undo/redo that failed back where it was.
                    match how {
                        Run::Undo => ed.undo.update_value(|u| u.redone(edit)),
                        Run::Redo => ed.undo.update_value(|u| u.undone(edit)),
                        Run::Do => {}
                    }
                    ed.undo_tick.update(|t| *t += 1);
                    if e.status() == 409 {
                        // Someone else changed it: show their version so the next try starts from it.
                        ed.refetch();
                    }
                    ed.say(false, error_message(i18n, &e));
                }
                Ok(applied) => {
                    let mut edit = edit;
                    // An added unit comes back on redo by reinstating it, not as a second unit.
                    if let (Some(&id), Run::Do) = (applied.created.first(), how) {
                        let reason = i18n.t("orgs.undo_reason");
                        edit = Edit {
                            forward: vec![OrgCommand::Reinstate { id, version: 2 }],
                            inverse: vec![OrgCommand::Dissolve {
                                id,
                                version: 1,
                                reason,
                                doc_no: String::new(),
                            }],
                        };
                        ed.active.set(Some(id));
                    }
                    ed.tree.update(|t| {
                        let mut units: Vec<OrgUnit> = t
                            .units()
                            .iter()
                            .filter(|u| {
                                !applied.dissolved.contains(&u.id)
                                    && !applied.units.iter().any(|n| n.id == u.id)
                            })
                            .cloned()
                            .collect();
                        units.extend(applied.units.iter().cloned());
                        *t = Tree::new(units);
                    });
                    ed.generation.update(|g| *g += 1);
                    // Remember the versions of units just dissolved, for a later reinstate.
                    for c in &edit.forward {
                        if let OrgCommand::Dissolve { id, version, .. } = c {
                            ed.gone.update_value(|g| {
                                g.insert(*id, version + 1);
                            });
                        }
                    }
                    ed.undo.update_value(|u| match how {
                        Run::Do => u.push(edit),
                        Run::Undo => u.undone(edit),
                        Run::Redo => u.redone(edit),
                    });
                    ed.undo_tick.update(|t| *t += 1);
                    ed.panel_tick.update(|t| *t += 1);
                    if let Some(a) = ed.active.get_untracked() {
                        if ed.tree.with_untracked(|t| t.get(a).is_some()) {
                            ed.reveal(a);
                        } else {
                            ed.active.set(None);
                            ed.panel.set(None);
                        }
                    }
                    ed.selected.set(HashSet::new());
                    ed.say(
                        true,
                        i18n.t(match how {
                            Run::Do => "orgs.saved",
                            Run::Undo => "orgs.undone",
                            Run::Redo => "orgs.redone",
                        }),
                    );
                }
            }
        });
    }

    /// Reads the whole tree again (after an import), keeping what is open and selected.
    fn refetch(&self) {
        let ed = *self;
        leptos::task::spawn_local(async move {
            if let Ok(v) = api::orgs_tree().await {
                if !ed.tree.is_disposed() {
                    ed.tree.set(Tree::new(v.units));
                    ed.generation.update(|g| *g += 1);
                }
            }
        });
    }

    /// Commands with the versions the tree has now (undo and redo replay stored commands).
    fn refreshed(&self, cmds: &[OrgCommand]) -> Vec<OrgCommand> {
        self.tree.with_untracked(|t| {
            cmds.iter()
                .map(|c| match c {
                    OrgCommand::Add { .. } => c.clone(),
                    OrgCommand::Reinstate { id, .. } => {
                        match self.gone.with_value(|g| g.get(id).copied()) {
                            Some(v) => with_version(c, v),
                            None => c.clone(),
                        }
                    }
                    _ => match t.get(c.unit()) {
                        Some(u) => with_version(c, u.version),
                        None => c.clone(),
                    },
                })
                .collect()
        })
    }

    fn undo_last(&self, i18n: I18n) {
        if self.busy.get_untracked() {
            return;
        }
        let Some(e) = self.undo.try_update_value(|u| u.take_undo()).flatten() else {
            return;
        };
        let run = Edit {
            forward: self.refreshed(&e.inverse),
            inverse: e.forward.clone(),
        };
        self.run(i18n, run.clone(), Run::Undo);
        let _ = e;
    }

    fn redo_last(&self, i18n: I18n) {
        if self.busy.get_untracked() {
            return;
        }
        let Some(e) = self.undo.try_update_value(|u| u.take_redo()).flatten() else {
            return;
        };
        // Stored on the redo stack as (inverse of the undo) = the original forward.
        let run = Edit {
            forward: self.refreshed(&e.inverse),
            inverse: e.forward.clone(),
        };
        self.run(i18n, run, Run::Redo);
    }

    /// Issues a command and records its inverse for undo.
    fn command(&self, i18n: I18n, forward: Vec<OrgCommand>) {
        let undo_reason = i18n.t("orgs.undo_reason");
        let inverse: Vec<OrgCommand> = self.tree.with_untracked(|t| {
            forward
                .iter()
                .rev()
                .filter_map(|c| c.inverse(t, &undo_reason))
                .collect()
        });
        self.run(i18n, Edit { forward, inverse }, Run::Do);
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Run {
    Do,
    Undo,
    Redo,
}

fn refusal_text(i18n: I18n, e: &domain::org::OrgError) -> String {
    let args: Vec<(String, String)> = e.args();
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    i18n.tf(e.key(), &args)
}

fn status_class(s: TermStatus) -> &'static str {
    match s {
        TermStatus::Overdue => "term overdue",
        TermStatus::EndsWithinMonth => "term month",
        TermStatus::EndsWithinSixMonths => "term six",
        TermStatus::Current => "term current",
        TermStatus::Unknown => "term unknown",
    }
}

#[component]
pub fn OrgsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(api::orgs_tree);
    view! {
        <section class="page orgs-page">
            <h1>{move || i18n.t("orgs.title")}</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || data.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(v) => view! { <Editor data=v/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Editor(data: OrgTreeView) -> impl IntoView {
    let i18n = use_i18n();
    let tree = Tree::new(data.units);
    // Open the top two levels at first, as most people start from their community.
    let mut expanded = HashSet::new();
    for &r in tree.roots() {
        expanded.insert(r);
        if tree.roots().len() == 1 {
            expanded.extend(tree.children(r).iter().copied());
        }
    }
    let tree = RwSignal::new(tree);
    let expanded = RwSignal::new(expanded);
    let query = RwSignal::new(String::new());
    let ed = Ed {
        rows: Memo::new(move |_| {
            let q = query.get();
            tree.with(|t| {
                let only = (!q.trim().is_empty()).then(|| t.reveal(&t.search(&q)));
                expanded.with(|e| t.visible(e, only.as_ref()))
            })
        }),
        members: Memo::new(move |_| tree.with(|t| t.members_under())),
        tree,
        levels: StoredValue::new(data.levels),
        prefix: StoredValue::new(data.editable_prefix),
        today: StoredValue::new(data.today),
        expanded,
        query,
        active: RwSignal::new(None),
        selected: RwSignal::new(HashSet::new()),
        panel: RwSignal::new(None),
        panel_tick: RwSignal::new(0),
        renaming: RwSignal::new(None),
        dialog: RwSignal::new(None),
        message: RwSignal::new(None),
        undo: StoredValue::new(Undo::default()),
        undo_tick: RwSignal::new(0),
        busy: RwSignal::new(false),
        drag: RwSignal::new(None),
        scroll_top: RwSignal::new(0.0),
        view_h: RwSignal::new(560.0),
        scroller: NodeRef::new(),
        cut: StoredValue::new(Vec::new()),
        gone: StoredValue::new(std::collections::HashMap::new()),
        generation: RwSignal::new(0),
    };
    // `/orgs?unit=CODE` (from the map) opens that unit.
    let url_query = use_query_map();
    Effect::new(move |_| {
        let code = url_query.read().get("unit").unwrap_or_default();
        if code.is_empty() {
            return;
        }
        if let Some(id) = ed.tree.with_untracked(|t| t.by_code(&code).map(|u| u.id)) {
            ed.reveal(id);
            ed.panel.set(Some(id));
        }
    });
    let keys = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
        let ctrl = e.ctrl_key() || e.meta_key();
        if !ctrl || ed.dialog.get_untracked().is_some() || in_field(&e) {
            return;
        }
        match e.key().as_str() {
            "z" | "Z" if e.shift_key() => {
                e.prevent_default();
                ed.redo_last(i18n);
            }
            "z" | "Z" => {
                e.prevent_default();
                ed.undo_last(i18n);
            }
            "y" | "Y" => {
                e.prevent_default();
                ed.redo_last(i18n);
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    view! {
        <p class="muted">{move || {
            let zh = i18n.locale.get() == Locale::Zh;
            ed.levels.with_value(|l| l.levels.iter().map(|x| if zh { x.name_zh.clone() } else { x.name_en.clone() }).collect::<Vec<_>>().join(" → "))
        }}</p>
        <Summary ed=ed/>
        <Toolbar ed=ed/>
        {move || ed.message.get().map(|(ok, text)| view! {
            <p class=if ok { "note toast-line" } else { "error toast-line" } role=if ok { "status" } else { "alert" }>
                <span>{text}</span>
                <button type="button" class="toast-close" aria-label=move || i18n.t("common.close") on:click=move |_| ed.message.set(None)>"×"</button>
            </p>
        })}
        <div class="orgs-layout">
            <TreeView ed=ed/>
            <aside class="orgs-side">
                {move || ed.panel.get().map(|id| view! { <Panel ed=ed id=id/> })}
                <Reminders ed=ed/>
                <Show when=move || ed.editor()>
                    <ImportBox ed=ed/>
                </Show>
            </aside>
        </div>
        <Dialogs ed=ed/>
    }
}

fn in_field(e: &ev::KeyboardEvent) -> bool {
    #[cfg(feature = "csr")]
    {
        use wasm_bindgen::JsCast;
        e.target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
    }
    #[cfg(not(feature = "csr"))]
    {
        let _ = e;
        false
    }
}

/// Units per level and party members in the caller's view.
#[component]
fn Summary(ed: Ed) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="org-summary" aria-label=move || i18n.t("orgs.summary")>
            {move || {
                let zh = i18n.locale.get() == Locale::Zh;
                let counts = ed.tree.with(|t| t.count_by_level());
                let members: i64 = ed.tree.with(|t| t.units().iter().map(|u| u.members).sum());
                let mut items: Vec<_> = ed.levels.with_value(|l| l.levels.iter().map(|lv| {
                    let n = counts.get(&lv.key).copied().unwrap_or(0);
                    view! { <li><span class="muted">{if zh { lv.name_zh.clone() } else { lv.name_en.clone() }}</span>" "<b>{n}</b></li> }.into_any()
                }).collect());
                if ed.editor() {
                    items.push(view! { <li><span class="muted">{i18n.t("orgs.members")}</span>" "<b>{members}</b></li> }.into_any());
                }
                items
            }}
        </ul>
    }
}

#[component]
fn Toolbar(ed: Ed) -> impl IntoView {
    let i18n = use_i18n();
    let active_unit = move || {
        ed.active
            .get()
            .and_then(|a| ed.tree.with(|t| t.get(a).cloned()))
    };
    let can_edit_active = move || active_unit().is_some_and(|u| ed.can_edit(&u.code));
    let can_add = move || {
        active_unit().is_some_and(|u| {
            ed.can_edit(&u.code)
                && ed
                    .levels
                    .with_value(|l| l.get(&u.level).is_some_and(|lv| !lv.children.is_empty()))
        })
    };
    let export_href = move || {
        ed.prefix.with_value(|p| match p.as_deref() {
            Some("") | None => "/export/orgs.csv".to_string(),
            Some(p) => format!("/export/orgs.csv?root={p}"),
        })
    };
    view! {
        <div class="org-toolbar" role="toolbar" aria-label=move || i18n.t("orgs.tools")>
            <label class="org-search">
                <span class="visually-hidden">{move || i18n.t("orgs.search")}</span>
                <input type="search" placeholder=move || i18n.t("orgs.search_placeholder")
                    aria-controls="org-tree"
                    prop:value=move || ed.query.get()
                    on:input=move |e| { ed.query.set(event_target_value(&e)); ed.scroll_top.set(0.0); if let Some(el) = ed.scroller.get_untracked() { el.set_scroll_top(0); } }/>
            </label>
            <span class="muted" role="status" aria-live="polite">{move || {
                let q = ed.query.get();
                (!q.trim().is_empty()).then(|| i18n.tf("orgs.found", &[("n", ed.tree.with(|t| t.search(&q).len()).to_string())]))
            }}</span>
            <button type="button" on:click=move |_| ed.expanded.set(ed.tree.with_untracked(|t| t.parents()))>{move || i18n.t("orgs.expand_all")}</button>
            <button type="button" on:click=move |_| ed.expanded.set(HashSet::new())>{move || i18n.t("orgs.collapse_all")}</button>
            <Show when=move || ed.editor()>
                <button type="button" disabled=move || !can_add() on:click=move |_| {
                    if let Some(a) = ed.active.get_untracked() { ed.dialog.set(Some(Dlg::Add { parent: a })); }
                }>{move || i18n.t("orgs.add")}</button>
                <button type="button" disabled=move || !can_edit_active() on:click=move |_| ed.renaming.set(ed.active.get_untracked())>{move || i18n.t("orgs.rename")}</button>
                <button type="button" disabled=move || !can_edit_active() on:click=move |_| {
                    let ids = ed.targets();
                    if !ids.is_empty() { ed.dialog.set(Some(Dlg::Move { ids, target: None })); }
                }>{move || i18n.t("orgs.move")}</button>
                <button type="button" disabled=move || !can_edit_active() on:click=move |_| {
                    if let Some(a) = ed.active.get_untracked() { ed.dialog.set(Some(Dlg::Dissolve { id: a })); }
                }>{move || i18n.t("orgs.dissolve")}</button>
                <button type="button" aria-keyshortcuts="Control+Z"
                    disabled=move || { ed.undo_tick.get(); ed.busy.get() || !ed.undo.with_value(|u| u.can_undo()) }
                    on:click=move |_| ed.undo_last(i18n)>{move || i18n.t("orgs.undo")}</button>
                <button type="button" aria-keyshortcuts="Control+Shift+Z"
                    disabled=move || { ed.undo_tick.get(); ed.busy.get() || !ed.undo.with_value(|u| u.can_redo()) }
                    on:click=move |_| ed.redo_last(i18n)>{move || i18n.t("orgs.redo")}</button>
                <a class="button" href=export_href download="">{move || i18n.t("orgs.export")}</a>
                <a class="button" href=move || export_href().replace("orgs.csv", "orgs.xlsx") download="">{move || i18n.t("orgs.export_xlsx")}</a>
            </Show>
            <a class="button" href=move || format!("/orgs/chart{}", ed.active.get().map(|a| format!("?unit={a}")).unwrap_or_default())>{move || i18n.t("orgs.chart")}</a>
        </div>
    }
}

#[component]
fn TreeView(ed: Ed) -> impl IntoView {
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
                let now = js_now();
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

fn extend_selection(ed: Ed, rows: Memo<Vec<VisibleRow>>, from: Option<usize>, to: usize) {
    let from = from.unwrap_or(to);
    let (a, b) = (from.min(to), from.max(to));
    let ids: Vec<i64> =
        rows.with_untracked(|r| r[a..=b.min(r.len() - 1)].iter().map(|x| x.id).collect());
    ed.selected.update(|s| s.extend(ids));
}

fn js_now() -> f64 {
    #[cfg(feature = "csr")]
    {
        leptos::web_sys::js_sys::Date::now()
    }
    #[cfg(not(feature = "csr"))]
    {
        0.0
    }
}

#[component]
fn Row(ed: Ed, index: usize, row: VisibleRow, rows: Memo<Vec<VisibleRow>>) -> impl IntoView {
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

fn focus_tree() {
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
fn highlight(name: &str, q: &str) -> AnyView {
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

/// Units in the caller's scope whose term ends within six months or has ended.
#[component]
fn Reminders(ed: Ed) -> impl IntoView {
    let i18n = use_i18n();
    let due = Memo::new(move |_| {
        let today = ed.today.get_value();
        let mut v: Vec<(TermStatus, String, i64, String)> = ed.tree.with(|t| {
            t.units()
                .iter()
                .filter(|u| ed.editor() && ed.can_edit(&u.code))
                .filter_map(|u| {
                    let s = term_status(u.term_start.as_deref(), u.term_years, &today);
                    let end = u
                        .term_start
                        .as_deref()
                        .and_then(|d| term_end(d, u.term_years))?;
                    s.is_due().then(|| (s, end, u.id, u.name.clone()))
                })
                .collect()
        });
        v.sort();
        v
    });
    view! {
        <Show when=move || ed.editor()>
            <section class="card reminders" aria-labelledby="reminders-h">
                <h2 id="reminders-h">{move || i18n.t("orgs.reminders")}" "<span class="tag">{move || due.with(Vec::len)}</span></h2>
                <Show when=move || due.with(Vec::is_empty)>
                    <p class="muted">{move || i18n.t("orgs.no_reminders")}</p>
                </Show>
                <ul class="reminder-list">
                    {move || due.get().into_iter().take(50).map(|(s, end, id, name)| view! {
                        <li>
                            <button type="button" class="link" on:click=move |_| { ed.reveal(id); ed.panel.set(Some(id)); }>{name}</button>
                            " "<span class=status_class(s)>{i18n.t(s.key())}</span>
                            " "<span class="muted">{i18n.tf("orgs.term_ends", &[("date", end)])}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// One unit's details: level, code, people (phones masked), term, grid, and change log. Editors
/// of the unit change term, grid and people here.
#[component]
fn Panel(ed: Ed, id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(move || {
        ed.panel_tick.get();
        api::org_unit_panel(id)
    });
    view! {
        <section class="card org-panel" aria-labelledby="org-panel-h">
            <Suspense fallback=|| view! { <Loading/> }>
                {move || data.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(p) => view! { <PanelBody ed=ed panel=p/> }.into_any(),
                })}
            </Suspense>
            <button type="button" class="link" on:click=move |_| { ed.panel.set(None); focus_tree(); }>{move || i18n.t("common.close")}</button>
        </section>
    }
}

#[component]
fn PanelBody(ed: Ed, panel: UnitPanel) -> impl IntoView {
    let i18n = use_i18n();
    let u = panel.unit.clone();
    let id = u.id;
    let zh = ed.zh(i18n);
    let editable = ed.can_edit(&u.code);
    let today = ed.today.get_value();
    let status = term_status(u.term_start.as_deref(), u.term_years, &today);
    let end = u
        .term_start
        .as_deref()
        .and_then(|d| term_end(d, u.term_years));
    let members = ed
        .members
        .with_untracked(|m| m.get(&id).copied().unwrap_or(0));
    let grid = u.grid.clone();
    let editing = RwSignal::new(false);
    let roles = panel.roles.clone();
    let form_panel = panel.clone();
    view! {
        <h2 id="org-panel-h">{u.name.clone()}</h2>
        <dl class="facts">
            <dt>{i18n.t("orgs.level")}</dt><dd>{ed.level_name(&u.level, zh)}</dd>
            <dt>{i18n.t("orgs.code")}</dt><dd><code>{u.code.clone()}</code></dd>
            {panel.full.then(|| view! {
                <dt>{i18n.t("orgs.members")}</dt><dd>{members}</dd>
                <dt>{i18n.t("orgs.term")}</dt>
                <dd>{match (&u.term_start, &end) {
                    (Some(s), Some(e)) => format!("{s} — {e}（{}）", i18n.tf("orgs.years", &[("n", u.term_years.to_string())])),
                    _ => i18n.t("orgs.term.unknown"),
                }}" "<span class=status_class(status)>{i18n.t(status.key())}</span></dd>
            })}
            <dt>{i18n.t("orgs.grid")}</dt>
            <dd>{match grid.clone() {
                Some(g) => view! { <a href=format!("/map?grid={g}")>{g.clone()}</a> }.into_any(),
                None => view! { <span class="muted">{i18n.t("orgs.no_grid")}</span> }.into_any(),
            }}</dd>
        </dl>
        <h3>{i18n.t("orgs.people")}</h3>
        <ul class="people">
            {roles.iter().map(|r| view! {
                <li>
                    <span class="tag">{i18n.t(&format!("orgs.role.{}", r.role))}</span>" "{r.person_name.clone()}
                    {(!r.phone.is_empty()).then(|| view! { " "<span class="muted">{r.phone.clone()}</span> })}
                    {(!r.resident_unit.is_empty()).then(|| view! { " "<span class="muted">"（"{r.resident_unit.clone()}"）"</span> })}
                </li>
            }).collect_view()}
        </ul>
        {editable.then(|| view! {
            <Show when=move || !editing.get()>
                <button type="button" on:click=move |_| editing.set(true)>{move || i18n.t("orgs.edit_details")}</button>
            </Show>
            <Show when=move || editing.get()>
                <DetailsForm ed=ed panel=form_panel.clone() editing=editing/>
            </Show>
        })}
        {panel.full.then(|| view! {
            <h3>{i18n.t("orgs.log")}</h3>
            {if panel.log.is_empty() {
                view! { <p class="muted">{i18n.t("orgs.log_empty")}</p> }.into_any()
            } else {
                view! {
                    <ol class="change-log">
                        {panel.log.iter().map(|c| view! {
                            <li>
                                <span class="muted">{c.at.clone()}" · "{c.actor.clone()}</span>" "
                                <b>{i18n.t(&format!("orgs.action.{}", c.action))}</b>
                                {(!c.before.is_empty() || !c.after.is_empty()).then(|| view! {
                                    <div class="change">{describe(i18n, &c.before)}" → "{describe(i18n, &c.after)}</div>
                                })}
                                {(!c.reason.is_empty()).then(|| view! { <div>{i18n.t("orgs.reason")}"："{c.reason.clone()}</div> })}
                                {(!c.doc_no.is_empty()).then(|| view! { <div>{i18n.t("orgs.doc_no")}"："{c.doc_no.clone()}</div> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        })}
    }
}

/// Fields a change-log entry may name.
pub const LOG_FIELDS: [&str; 9] = [
    "code",
    "name",
    "level",
    "parent",
    "secretary",
    "term_start",
    "term_years",
    "grid",
    "roles",
];

/// A change-log value (a JSON object or plain text) as a short line.
fn describe(i18n: I18n, s: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(serde_json::Value::Object(m)) => m
            .iter()
            .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
            .map(|(k, v)| {
                let label = if LOG_FIELDS.contains(&k.as_str()) {
                    i18n.t(&format!("orgs.field.{k}"))
                } else {
                    k.clone()
                };
                format!(
                    "{label}：{}",
                    v.as_str()
                        .map(str::to_owned)
                        .unwrap_or_else(|| v.to_string())
                )
            })
            .collect::<Vec<_>>()
            .join("；"),
        _ if s.is_empty() => "—".into(),
        _ => s.to_owned(),
    }
}

#[component]
fn DetailsForm(ed: Ed, panel: UnitPanel, editing: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let u = panel.unit.clone();
    let id = u.id;
    let before = UnitDetails {
        term_start: u.term_start.clone(),
        term_years: u.term_years,
        grid: u.grid.clone(),
        roles: panel
            .roles
            .iter()
            .map(|r| RoleHolder {
                id: Some(r.id),
                role: r.role.clone(),
                person_name: r.person_name.clone(),
                phone: r.phone.clone(),
                resident_unit: r.resident_unit.clone(),
            })
            .collect(),
    };
    let term_start = RwSignal::new(u.term_start.clone().unwrap_or_default());
    let term_years = RwSignal::new(u.term_years);
    let grid = RwSignal::new(u.grid.clone().unwrap_or_default());
    let people = RwSignal::new(before.roles.clone());
    let error = RwSignal::new(None::<String>);
    let before = StoredValue::new(before);
    let save = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let details = UnitDetails {
            term_start: Some(term_start.get_untracked()).filter(|s| !s.trim().is_empty()),
            term_years: term_years.get_untracked(),
            grid: Some(grid.get_untracked()).filter(|s| !s.trim().is_empty()),
            roles: people.get_untracked(),
        };
        if let Err(e) = details.check() {
            error.set(Some(refusal_text(i18n, &e)));
            return;
        }
        let Some(version) = ed.tree.with_untracked(|t| t.get(id).map(|u| u.version)) else {
            return;
        };
        // Undo restores what the panel showed: people taken off come back with their stored phones.
        let old = before.get_value();
        let edit = Edit {
            forward: vec![OrgCommand::Details {
                id,
                version,
                details,
            }],
            inverse: vec![OrgCommand::Details {
                id,
                version: version + 1,
                details: old,
            }],
        };
        error.set(None);
        editing.set(false);
        ed.run(i18n, edit, Run::Do);
    };
    view! {
        <form class="stack details-form" on:submit=save>
            <label>{move || i18n.t("orgs.term_start")}
                <input type="date" prop:value=move || term_start.get() on:input=move |e| term_start.set(event_target_value(&e))/>
            </label>
            <label>{move || i18n.t("orgs.term_years")}
                <select on:change=move |e| term_years.set(event_target_value(&e).parse().unwrap_or(3))>
                    {(1u8..=10).map(|y| view! { <option value=y.to_string() selected=move || term_years.get() == y>{y}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t("orgs.grid_code")}
                <input inputmode="numeric" prop:value=move || grid.get() on:input=move |e| grid.set(event_target_value(&e))/>
            </label>
            <fieldset class="people-edit">
                <legend>{move || i18n.t("orgs.people")}</legend>
                {move || people.get().into_iter().enumerate().map(|(i, r)| {
                    let role = r.role.clone();
                    view! {
                        <div class="person-row">
                            <select aria-label=i18n.t("orgs.role") on:change=move |e| { let v = event_target_value(&e); people.update(|p| p[i].role = v); }>
                                {domain::org::ROLES.iter().map(|k| view! { <option value=*k selected=role == *k>{i18n.t(&format!("orgs.role.{k}"))}</option> }).collect_view()}
                            </select>
                            <input aria-label=i18n.t("orgs.person") value=r.person_name.clone() maxlength="40"
                                on:change=move |e| { let v = event_target_value(&e); people.update(|p| p[i].person_name = v); }/>
                            <input aria-label=i18n.t("orgs.phone") value=r.phone.clone() inputmode="tel" maxlength="20"
                                on:change=move |e| { let v = event_target_value(&e); people.update(|p| p[i].phone = v); }/>
                            <input aria-label=i18n.t("orgs.resident_unit") placeholder=i18n.t("orgs.resident_unit") value=r.resident_unit.clone() maxlength="40"
                                on:change=move |e| { let v = event_target_value(&e); people.update(|p| p[i].resident_unit = v); }/>
                            <button type="button" aria-label=i18n.t("orgs.remove_person") on:click=move |_| people.update(|p| { p.remove(i); })>"×"</button>
                        </div>
                    }
                }).collect_view()}
                <button type="button" on:click=move |_| people.update(|p| p.push(RoleHolder {
                    id: None, role: "committee".into(), person_name: String::new(), phone: String::new(), resident_unit: String::new(),
                }))>{move || i18n.t("orgs.add_person")}</button>
            </fieldset>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <div class="inline">
                <button type="submit" class="primary">{move || i18n.t("common.save")}</button>
                <button type="button" on:click=move |_| editing.set(false)>{move || i18n.t("common.cancel")}</button>
            </div>
        </form>
    }
}

/// Add, "Move to…" and dissolve, in a modal `<dialog>` (focus moves in; Escape closes).
#[component]
fn Dialogs(ed: Ed) -> impl IntoView {
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
fn AddForm(ed: Ed, parent: i64, close: impl Fn() + Copy + 'static) -> impl IntoView {
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
fn MoveForm(
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

fn focus_by_id(id: &str) {
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
fn DissolveForm(ed: Ed, id: i64, close: impl Fn() + Copy + 'static) -> impl IntoView {
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

/// CSV import: the browser decodes the file (UTF-8, or GBK/GB18030 when it is not valid UTF-8),
/// the server checks every row and shows the problems; nothing is written until the file is clean
/// and the organiser confirms.
#[component]
fn ImportBox(ed: Ed) -> impl IntoView {
    let i18n = use_i18n();
    let input = NodeRef::<leptos::html::Input>::new();
    // The file as sent: CSV text, or an XLSX workbook in base64.
    let text = StoredValue::new(String::new());
    let xlsx = StoredValue::new(false);
    let note = RwSignal::new(None::<String>);
    let report = RwSignal::new(None::<api::ImportReport>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let check = move |commit: bool| {
        let csv = text.get_value();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = if xlsx.get_value() {
                api::orgs_import_xlsx(csv, commit).await
            } else {
                api::orgs_import(csv, commit).await
            };
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match r {
                Err(e) => error.set(Some(error_message(i18n, &e))),
                Ok(rep) => {
                    if rep.committed {
                        ed.say(
                            true,
                            i18n.tf(
                                "orgs.import_done",
                                &[
                                    ("new", rep.new.to_string()),
                                    ("updated", rep.updated.to_string()),
                                ],
                            ),
                        );
                        report.set(None);
                        ed.refetch();
                    } else {
                        report.set(Some(rep));
                    }
                }
            }
        });
    };
    let on_file = move |_| {
        error.set(None);
        report.set(None);
        note.set(None);
        let Some(el) = input.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = read_csv_file(&el).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match r {
                Err(k) if k.starts_with("size:") => error.set(Some(
                    i18n.tf("orgs.import_too_large", &[("mb", k[5..].to_string())]),
                )),
                Err(_) => error.set(Some(i18n.t("import.unreadable"))),
                Ok(FileText::Csv(t, gbk)) => {
                    if gbk {
                        note.set(Some(i18n.t("orgs.import_gbk")));
                    }
                    text.set_value(t);
                    xlsx.set_value(false);
                    check(false);
                }
                Ok(FileText::Xlsx(b64)) => {
                    text.set_value(b64);
                    xlsx.set_value(true);
                    check(false);
                }
            }
        });
    };
    view! {
        <section class="card import-box" aria-labelledby="org-import-h">
            <h2 id="org-import-h">{move || i18n.t("orgs.import")}</h2>
            <p class="muted">{move || i18n.t("orgs.import_hint")}</p>
            <label>{move || i18n.t("import.file")}
                <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" node_ref=input on:change=on_file/>
            </label>
            {move || busy.get().then(|| view! { <p class="loading" role="status">{i18n.t("import.checking")}</p> })}
            {move || note.get().map(|n| view! { <p class="note">{n}</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || report.get().map(|rep| {
                let clean = rep.problems.is_empty();
                view! {
                    <div class="import-report" role="status">
                        <p>{i18n.tf("orgs.import_summary", &[("new", rep.new.to_string()), ("updated", rep.updated.to_string()), ("problems", rep.problems.len().to_string())])}</p>
                        {(!clean).then(|| view! {
                            <ul class="problems">
                                {rep.problems.iter().map(|p| {
                                    let args: Vec<(&str, String)> = p.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                                    view! { <li>{i18n.tf("orgs.import_line", &[("line", p.line.to_string())])}" "{i18n.tf(&p.key, &args)}</li> }
                                }).collect_view()}
                            </ul>
                        })}
                        {clean.then(|| view! {
                            <table class="preview">
                                <thead><tr><th>{i18n.t("orgs.code")}</th><th>{i18n.t("orgs.name")}</th><th>{i18n.t("orgs.level")}</th><th></th></tr></thead>
                                <tbody>
                                    {rep.rows.iter().take(20).map(|r| view! {
                                        <tr><td><code>{r.code.clone()}</code></td><td>{r.name.clone()}</td><td>{ed.level_name(&r.level, ed.zh(i18n))}</td>
                                        <td>{if r.update { i18n.t("orgs.import_update") } else { i18n.t("orgs.import_new") }}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <button type="button" class="primary" disabled=move || busy.get() on:click=move |_| check(true)>{i18n.t("orgs.import_commit")}</button>
                        })}
                    </div>
                }
            })}
        </section>
    }
}

/// A chosen file as sent to the server.
#[cfg_attr(not(feature = "csr"), allow(dead_code))]
enum FileText {
    /// CSV text, and whether it had to be read as GB18030 (a superset of GBK).
    Csv(String, bool),
    /// An XLSX workbook, base64-encoded.
    Xlsx(String),
}

#[cfg(feature = "csr")]
async fn read_csv_file(input: &leptos::web_sys::HtmlInputElement) -> Result<FileText, String> {
    use wasm_bindgen::JsCast;
    let file = input
        .files()
        .and_then(|f| f.get(0))
        .ok_or_else(String::new)?;
    if file.size() > 32.0 * 1_048_576.0 {
        return Err(format!("size:{:.1}", file.size() / 1_048_576.0));
    }
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "read".to_owned())?;
    let bytes = leptos::web_sys::js_sys::Uint8Array::new(&buf);
    if file.name().to_lowercase().ends_with(".xlsx") || bytes.to_vec().starts_with(b"PK\x03\x04") {
        let binary: String = bytes.to_vec().into_iter().map(char::from).collect();
        let b64 = leptos::web_sys::window()
            .ok_or_else(|| "read".to_owned())?
            .btoa(&binary)
            .map_err(|_| "read".to_owned())?;
        return Ok(FileText::Xlsx(b64));
    }
    let opts = leptos::web_sys::TextDecoderOptions::new();
    opts.set_fatal(true);
    let utf8 = leptos::web_sys::TextDecoder::new_with_label_and_options("utf-8", &opts)
        .map_err(|_| "read".to_owned())?;
    let view: &leptos::web_sys::js_sys::Object = bytes.unchecked_ref();
    if let Ok(s) = utf8.decode_with_buffer_source(view) {
        return Ok(FileText::Csv(s, false));
    }
    let gbk =
        leptos::web_sys::TextDecoder::new_with_label("gb18030").map_err(|_| "read".to_owned())?;
    gbk.decode_with_buffer_source(view)
        .map(|s| FileText::Csv(s, true))
        .map_err(|_| "read".to_owned())
}
#[cfg(not(feature = "csr"))]
async fn read_csv_file(_: &leptos::web_sys::HtmlInputElement) -> Result<FileText, String> {
    Err("read".into())
}
