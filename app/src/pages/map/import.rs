//! Importing grids from a GeoJSON file: read it in the browser, map its properties, pick the
//! coordinate system, preview the grids on the map with a report of every problem, then commit all
//! or nothing through the same checks as any save.

use super::{district_note, Ed};
use crate::api::grids::{self as api, GridMap};
use crate::i18n::{use_i18n, I18n};
use crate::ui::{error_message, read_file_text, FileError};
use domain::geometry::snap::{DEFAULT_TOLERANCE_M, MAX_TOLERANCE_M};
use domain::geometry::Boundary;
use domain::grid::{GridDraft, GridEdit};
use domain::grid_import::{self, Crs, Issue, Mapping, Options, Plan, Planner, RawFeature};
use leptos::prelude::*;
use std::collections::HashSet;

/// One outline on the preview map: a grid as it would be stored (`planned`), a feature as the file
/// has it that waits for a decision (`undecided`), or a repair proposed for one (`proposed`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PreviewShape {
    pub name: String,
    pub boundary: Boundary,
    pub class: &'static str,
}

fn issue_text(i18n: I18n, features: &[RawFeature], drafts: &[GridDraft], issue: &Issue) -> String {
    let name = drafts
        .get(issue.feature)
        .map(|d| d.name.clone())
        .or_else(|| {
            features
                .get(issue.feature)
                .map(|_| format!("#{}", issue.feature + 1))
        })
        .unwrap_or_default();
    let mut args = vec![
        ("grid", name.clone()),
        ("other", String::new()),
        ("area", "?".into()),
    ];
    args.extend(issue.args.iter().map(|(k, v)| (k.as_str(), v.clone())));
    let text = i18n.tf(&issue.key, &args);
    i18n.tf(
        "import.feature",
        &[
            ("n", (issue.feature + 1).to_string()),
            ("name", name),
            ("text", text),
        ],
    )
}

/// Features planned between two yields to the browser: at most this many, and no more once the
/// slice has taken `SLICE_MS` (a level of heavy grids — 140 vertices each, snapped and checked
/// against their neighbours — then still yields about every frame).
const PLAN_SLICE: usize = 40;
const SLICE_MS: f64 = 12.0;

#[component]
pub(super) fn ImportPanel(
    /// The editor: its map (what the file is planned against), its preview layer, its context
    /// layers (administrators may add one from the chosen file) and its district code.
    ed: Ed,
    on_done: Callback<GridMap>,
) -> impl IntoView {
    let Ed {
        work,
        import_preview: preview,
        layers,
        district,
        ..
    } = ed;
    // Shows the whole preview.
    let on_fit = Callback::new(move |_: ()| {
        preview.with_untracked(|p| {
            ed.fit_boundaries(p.iter().map(|d| &d.boundary).collect(), 1.1, 1.0)
        })
    });
    let i18n = use_i18n();
    let auth = crate::use_auth();
    let is_admin = move || auth.user().is_some_and(|u| u.role == domain::Role::Admin);
    let raw = RwSignal::new(String::new());
    let layer_name = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let features = RwSignal::new(Vec::<RawFeature>::new());
    let keys = RwSignal::new(Vec::<String>::new());
    let mapping = RwSignal::new(Mapping::default());
    let crs = RwSignal::new(Crs::Wgs84);
    // Into an empty map, the file's features are top-level grids unless it says otherwise.
    let level = RwSignal::new(if work.with_untracked(Vec::is_empty) {
        1i64
    } else {
        3
    });
    let result = RwSignal::new(None::<Plan>);
    let drafts = RwSignal::new(Vec::<GridDraft>::new());
    let busy = RwSignal::new(None::<&'static str>);
    let error = RwSignal::new(None::<String>);
    // The features the user decided to leave out (0-based); cleared with every new file.
    let skip = RwSignal::new(HashSet::<usize>::new());
    // The features whose proposed repair the user accepted (0-based); cleared likewise.
    let accept = RwSignal::new(HashSet::<usize>::new());
    // Metres within which boundaries are snapped onto their parent and neighbours.
    let tolerance = RwSignal::new(DEFAULT_TOLERANCE_M.to_string());
    // Features planned so far, of how many, while a check runs; and which check is current (a
    // new check or Cancel makes a running one stop at its next slice).
    let progress = RwSignal::new(None::<(usize, usize)>);
    let run = StoredValue::new(0u64);

    let validate = move || {
        let f = features.get_untracked();
        if f.is_empty() {
            return;
        }
        busy.set(Some("import.checking"));
        let (d, issues) = grid_import::drafts(
            &f,
            &mapping.get_untracked(),
            crs.get_untracked(),
            level.get_untracked(),
        );
        // Whatever happens next, a check still running is out of date.
        run.update_value(|r| *r += 1);
        let this_run = run.get_value();
        let skipped = skip.get_untracked();
        let tolerance_m = tolerance
            .get_untracked()
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|t| (0.0..=MAX_TOLERANCE_M).contains(t));
        let Some(tolerance_m) = tolerance_m else {
            error.set(Some(i18n.tf(
                "import.tolerance_bad",
                &[("max", MAX_TOLERANCE_M.to_string())],
            )));
            busy.set(None);
            progress.set(None);
            return;
        };
        error.set(None);
        let options = Options {
            district: district.get_value(),
            skip: skipped.clone(),
            tolerance_m,
            accept: accept.get_untracked(),
        };
        result.set(None);
        progress.set(Some((0, d.len())));
        // A slice at a time, yielding to the browser between slices: a level of a thousand
        // grids keeps the page responsive, shows its progress and can be cancelled.
        leptos::task::spawn_local(async move {
            let w = work.get_untracked();
            let mut planner = Planner::new(d.clone(), issues, &w, &options);
            loop {
                let t0 = crate::ui::now_ms();
                let (mut done, mut n) = (false, 0);
                while !done && n < PLAN_SLICE && crate::ui::now_ms() - t0 < SLICE_MS {
                    done = planner.step(1);
                    n += 1;
                }
                crate::ui::sleep(0).await;
                if busy.is_disposed() || run.get_value() != this_run {
                    return;
                }
                progress.set(Some(planner.progress()));
                if done {
                    break;
                }
            }
            let p = planner.finish();
            progress.set(None);
            // The preview map shows what would be stored (boundaries as cleaned: snapped, cut,
            // repaired; holes and parts kept), the features still to decide as the file has
            // them, and the repairs proposed for them: before and after, side by side.
            let undecided: HashSet<usize> = p.issues.iter().map(|x| x.feature).collect();
            let shape = |name: &str, boundary: &Boundary, class| PreviewShape {
                name: name.to_owned(),
                boundary: boundary.clone(),
                class,
            };
            let planned = p.edits.iter().filter_map(|e| match e {
                GridEdit::Create { draft } | GridEdit::Update { draft, .. } => {
                    Some(shape(&draft.name, &draft.boundary, "planned"))
                }
                GridEdit::Delete { .. } => None,
            });
            let waiting = d
                .iter()
                .enumerate()
                .filter(|(i, d)| {
                    undecided.contains(i) && d.boundary.vertex_count() > 3 && !skipped.contains(i)
                })
                .map(|(_, d)| shape(&d.name, &d.boundary, "undecided"));
            let proposed = p.proposals.iter().filter_map(|x| {
                d.get(x.feature)
                    .map(|d| shape(&d.name, &x.boundary, "proposed"))
            });
            preview.set(planned.chain(waiting).chain(proposed).collect());
            drafts.set(d);
            result.set(Some(p));
            busy.set(None);
            on_fit.run(());
        });
    };
    let cancel = move |_| {
        run.update_value(|r| *r += 1);
        progress.set(None);
        busy.set(None);
        result.set(None);
        preview.set(vec![]);
        error.set(Some(i18n.t("import.cancelled")));
    };
    let on_file = move |_| {
        let Some(el) = input.get_untracked() else {
            return;
        };
        error.set(None);
        result.set(None);
        preview.set(vec![]);
        skip.set(HashSet::new());
        accept.set(HashSet::new());
        busy.set(Some("import.reading"));
        leptos::task::spawn_local(async move {
            let text = read_file_text(&el, grid_import::MAX_FILE_BYTES).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(None);
            match text {
                Err(FileError::NoneChosen) => {}
                Err(FileError::TooLarge(mb)) => {
                    error.set(Some(i18n.tf("import.too_large", &[("mb", mb)])));
                }
                Err(FileError::Unreadable) => error.set(Some(i18n.t("import.unreadable"))),
                Ok(text) => match {
                    raw.set(text.clone());
                    grid_import::read(&text)
                } {
                    Err(e) => error.set(Some(i18n.tf(
                        e.key(),
                        &[("mb", format!("{:.1}", text.len() as f64 / 1_048_576.0))],
                    ))),
                    Ok((f, k)) => {
                        mapping.set(Mapping::guess_for(&k, &f));
                        keys.set(k);
                        features.set(f);
                        validate();
                    }
                },
            }
        });
    };
    let commit = move || {
        let Some(p) = result.get_untracked() else {
            return;
        };
        let Ok(json) = serde_json::to_string(&p.edits) else {
            return;
        };
        busy.set(Some("import.uploading"));
        leptos::task::spawn_local(async move {
            let r = api::grids_import(json).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(None);
            match r {
                Ok(m) => {
                    preview.set(vec![]);
                    result.set(None);
                    features.set(vec![]);
                    error.set(None);
                    on_done.run(m);
                }
                Err(e) => error.set(Some(error_message(i18n, &e))),
            }
        });
    };

    let field = move |label: &'static str,
                      get: fn(&Mapping) -> Option<String>,
                      set: fn(&mut Mapping, Option<String>)| {
        view! {
            <label>{move || i18n.t(label)}
                <select on:change=move |ev| {
                    let v = event_target_value(&ev);
                    mapping.update(|m| set(m, (!v.is_empty()).then_some(v)));
                    validate();
                }>
                    <option value="" selected=move || get(&mapping.get()).is_none()>{move || i18n.t("import.none")}</option>
                    {move || keys.get().into_iter().map(|k| {
                        let selected = get(&mapping.get_untracked()).as_deref() == Some(k.as_str());
                        view! { <option value=k.clone() selected=selected>{k.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
    };

    view! {
        <section class="card import" aria-labelledby="import-title">
            <h2 id="import-title">{move || i18n.t("import.title")}</h2>
            <p class="muted">{move || i18n.t("import.hint")}</p>
            // New top-level grids get codes here; say under which district code, or that none is set.
            {move || work.with(|w| !w.iter().any(|g| g.level == 1)).then(|| view! {
                <p class="note">{district_note(ed)}</p>
            })}
            <label>{move || i18n.t("import.file")}
                <input type="file" accept=".geojson,.json,application/geo+json,application/json" node_ref=input on:change=on_file/>
            </label>
            {move || busy.get().map(|k| match progress.get() {
                Some((done, total)) => view! {
                    <div class="progress" role="status">
                        <progress max=total.to_string() value=done.to_string()></progress>
                        <span>{move || i18n.tf("import.checking_n", &[("done", done.to_string()), ("total", total.to_string())])}</span>
                        <button type="button" on:click=cancel>{move || i18n.t("common.cancel")}</button>
                    </div>
                }.into_any(),
                None => view! { <p class="progress" role="status"><progress></progress>{move || i18n.t(k)}</p> }.into_any(),
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || (!features.get().is_empty()).then(|| view! {
                <div class="import-mapping">
                    {field("grid.name", |m| m.name.clone(), |m, v| m.name = v)}
                    {field("grid.code", |m| m.code.clone(), |m, v| m.code = v)}
                    {field("grid.source_code", |m| m.source_code.clone(), |m, v| m.source_code = v)}
                    {field("import.parent", |m| m.parent.clone(), |m, v| m.parent = v)}
                    {field("grid.level", |m| m.level.clone(), |m, v| m.level = v)}
                    {field("grid.households", |m| m.households.clone(), |m, v| m.households = v)}
                    {field("grid.population", |m| m.population.clone(), |m, v| m.population = v)}
                    {field("grid.kind", |m| m.kind.clone(), |m, v| m.kind = v)}
                    <label>{move || i18n.t("import.crs")}
                        <select on:change=move |ev| { crs.set(Crs::parse(&event_target_value(&ev)).unwrap_or(Crs::Wgs84)); validate(); }>
                            <option value="wgs84">{move || i18n.t("import.crs.wgs84")}</option>
                            <option value="gcj02">{move || i18n.t("import.crs.gcj02")}</option>
                            <option value="bd09">{move || i18n.t("import.crs.bd09")}</option>
                        </select>
                    </label>
                    <label>{move || i18n.t("import.tolerance")}
                        <input type="number" min="0" max=MAX_TOLERANCE_M.to_string() step="0.1" inputmode="decimal" bind:value=tolerance on:change=move |_| validate()/>
                    </label>
                    <label>{move || i18n.t("import.level")}
                        <select on:change=move |ev| { level.set(event_target_value(&ev).parse().unwrap_or(3)); validate(); }>
                            {(1..=3).map(|l| view! { <option value=l.to_string() selected=move || l == level.get()>{move || i18n.t(&format!("grid.level{l}"))}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
            })}
            {move || (is_admin() && !raw.with(String::is_empty)).then(|| view! {
                <details class="as-layer">
                    <summary>{move || i18n.t("import.as_layer")}</summary>
                    <label>{move || i18n.t("import.layer_name")}<input bind:value=layer_name maxlength="40" placeholder=move || i18n.t("import.layer_hint")/></label>
                    <button type="button" on:click=move |_| {
                        let (name, text) = (layer_name.get_untracked(), raw.get_untracked());
                        let crs = match crs.get_untracked() { Crs::Wgs84 => "wgs84", Crs::Gcj02 => "gcj02", Crs::Bd09 => "bd09" };
                        busy.set(Some("import.uploading"));
                        leptos::task::spawn_local(async move {
                            let r = api::map_layer_upload(name, crs.into(), text).await;
                            if busy.is_disposed() { return; }
                            busy.set(None);
                            match r {
                                Ok(l) => { layers.set(l); error.set(None); on_fit.run(()); }
                                Err(e) => error.set(Some(error_message(i18n, &e))),
                            }
                        });
                    }>{move || i18n.t("import.layer_commit")}</button>
                </details>
            })}
            {move || result.get().map(|p| {
                let ok = p.issues.is_empty() && !p.edits.is_empty();
                let f = features.get_untracked();
                let d = drafts.get_untracked();
                let lines: Vec<(usize, String)> = p.issues.iter().take(200).map(|x| (x.feature, issue_text(i18n, &f, &d, x))).collect();
                let mut with_problems: Vec<usize> = p.issues.iter().map(|x| x.feature).collect();
                with_problems.dedup();
                let skipped: Vec<String> = p.skipped.iter().map(|&i| d.get(i).map(|d| format!("#{} {}", i + 1, d.name)).unwrap_or_else(|| format!("#{}", i + 1))).collect();
                let more = p.issues.len().saturating_sub(200);
                let warnings: Vec<String> = p.warnings.iter().take(200).map(|x| issue_text(i18n, &f, &d, x)).collect();
                let proposals: Vec<(usize, String)> = p.proposals.iter().take(200).map(|x| {
                    let as_issue = Issue { feature: x.feature, key: x.key.clone(), args: x.args.clone() };
                    (x.feature, issue_text(i18n, &f, &d, &as_issue))
                }).collect();
                view! {
                    <div class="import-report">
                        <p>{i18n.tf("import.summary", &[("n", f.len().to_string()), ("new", p.created.to_string()), ("upd", p.updated.to_string()), ("bad", p.issues.len().to_string())])}</p>
                        <p class="muted">{move || i18n.t("import.legend")}</p>
                        {(!lines.is_empty()).then(|| view! {
                            <ul class="problem-list">
                                {lines.into_iter().map(|(feature, l)| view! {
                                    <li class="problem bad">
                                        <span>{l}</span>
                                        <button type="button" class="link" on:click=move |_| { skip.update(|s| { s.insert(feature); }); validate(); }>
                                            {move || i18n.t("import.skip")}
                                        </button>
                                    </li>
                                }).collect_view()}
                                {(more > 0).then(|| view! { <li>{i18n.tf("import.more", &[("n", more.to_string())])}</li> })}
                            </ul>
                        })}
                        {(!proposals.is_empty()).then(|| view! {
                            <ul class="problem-list proposals" aria-label=move || i18n.t("import.proposals")>
                                {proposals.into_iter().map(|(feature, l)| view! {
                                    <li class="problem proposal">
                                        <span>{l}</span>
                                        <button type="button" class="link" on:click=move |_| { accept.update(|s| { s.insert(feature); }); validate(); }>
                                            {move || i18n.t("import.accept")}
                                        </button>
                                        <button type="button" class="link" on:click=move |_| { skip.update(|s| { s.insert(feature); }); validate(); }>
                                            {move || i18n.t("import.skip")}
                                        </button>
                                    </li>
                                }).collect_view()}
                            </ul>
                        })}
                        {(with_problems.len() > 1).then(|| {
                            let n = with_problems.len();
                            view! {
                                <button type="button" on:click=move |_| { skip.update(|s| s.extend(with_problems.iter().copied())); validate(); }>
                                    {move || i18n.tf("import.skip_all", &[("n", n.to_string())])}
                                </button>
                            }
                        })}
                        {(!skipped.is_empty()).then(|| view! {
                            <p class="muted skipped">
                                {i18n.tf("import.skipped", &[("n", skipped.len().to_string()), ("list", skipped.join("、"))])}
                                " "
                                <button type="button" class="link" on:click=move |_| { skip.set(HashSet::new()); validate(); }>{move || i18n.t("import.unskip_all")}</button>
                            </p>
                        })}
                        {(!warnings.is_empty()).then(|| view! {
                            <ul class="problem-list warnings" aria-label=move || i18n.t("import.warnings")>
                                {warnings.into_iter().map(|l| view! { <li class="problem warn">{l}</li> }).collect_view()}
                            </ul>
                        })}
                        <button type="button" class="primary" disabled=move || !ok || busy.get().is_some() on:click=move |_| commit()>
                            {i18n.tf("import.commit", &[("n", p.edits.len().to_string())])}
                        </button>
                        {(!ok).then(|| view! { <p class="muted">{move || i18n.t("import.fix_first")}</p> })}
                    </div>
                }
            })}
        </section>
    }
}
