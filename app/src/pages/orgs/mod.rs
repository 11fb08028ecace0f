//! The party organisation editor: a virtualised WAI-ARIA tree of every live unit (only the rows in
//! view are in the DOM, each with `aria-level`, `aria-setsize`, `aria-posinset`), search that
//! reveals ancestors, add / rename / move (drag with the rules checked before the drop, or the
//! keyboard "Move to…" dialog) / dissolve, undo and redo, a unit panel with people, term and change
//! log, term reminders, and CSV import and export. Every rule comes from `domain::org`; the server
//! checks the same rules again.

use crate::api::orgs::{self as api, OrgTreeView, OrgUnitPanelView};
use crate::i18n::{use_i18n, I18n, Locale};
use crate::ui::{error_message, now_ms, typing_in_field, Loaded};
use domain::org::{
    term_end, term_status, with_version, Edit, LevelSet, OrgCommand, OrgUnit, RoleHolder,
    TermStatus, Tree, Undo, UnitDetails, VisibleRow,
};
use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use std::collections::HashSet;

pub mod chart;
mod dialogs;
mod import;
mod panel;
mod tree;
use dialogs::*;
use import::*;
use panel::*;
use tree::*;

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
            <Loaded resource=data ok=move |v| view! { <Editor data=v/> }/>
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
        if !ctrl || ed.dialog.get_untracked().is_some() || typing_in_field(&e) {
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
