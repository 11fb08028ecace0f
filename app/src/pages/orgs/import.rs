//! Importing units from CSV, XLSX or JSON exports: the columns and type values mapped (guessed
//! first, corrected by the user), a preview with every problem, then all or nothing.

use super::*;
use crate::ui::{read_file_bytes, FileError};
use domain::org::import::{Field, Mapping};

/// The import: the browser reads the file (CSV and JSON decoded as UTF-8, or GBK/GB18030 when not
/// valid UTF-8; XLSX sent as it is), the server maps and checks every row and shows the problems;
/// nothing is written until the file is clean and the organiser confirms.
#[component]
pub(super) fn ImportBox(ed: Ed) -> impl IntoView {
    let i18n = use_i18n();
    let input = NodeRef::<leptos::html::Input>::new();
    // The file as sent (CSV or JSON text, or an XLSX workbook in base64) and its format.
    let data = StoredValue::new(String::new());
    let format = StoredValue::new("csv");
    // The mapping the user corrected; `None` until the first report (the server guesses).
    let mapping = StoredValue::new(None::<Mapping>);
    // The columns and mapping of the last file imported: the same export again (a re-import) is
    // read with it rather than with the guess, so the user's type mapping is not asked twice.
    let last = StoredValue::new(None::<(Vec<String>, Mapping)>);
    let sent_headers = StoredValue::new(Vec::<String>::new());
    let note = RwSignal::new(None::<String>);
    let report = RwSignal::new(None::<api::ImportReport>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let check = move |commit: bool| {
        let m = mapping
            .get_value()
            .map(|m| serde_json::to_string(&m).unwrap_or_default())
            .unwrap_or_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let guessed = m.is_empty();
            let (d, f) = (data.get_value(), format.get_value());
            let mut r = api::orgs_import(d.clone(), f.into(), m, commit).await;
            // The same columns as the last file imported: read it again with that file's mapping.
            let again = r.as_ref().ok().and_then(|rep| {
                last.try_with_value(|l| {
                    l.as_ref()
                        .filter(|(h, m)| {
                            guessed && !commit && *h == rep.headers && *m != rep.mapping
                        })
                        .map(|(_, m)| serde_json::to_string(m).unwrap_or_default())
                })
                .flatten()
            });
            if let Some(m) = again {
                r = api::orgs_import(d, f.into(), m, false).await;
            }
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
                        if let Some(m) = mapping.get_value() {
                            last.set_value(Some((sent_headers.get_value(), m)));
                        }
                        mapping.set_value(None);
                        ed.refetch();
                    } else {
                        mapping.set_value(Some(rep.mapping.clone()));
                        sent_headers.set_value(rep.headers.clone());
                        report.set(Some(rep));
                    }
                }
            }
        });
    };
    let remap = move |f: &dyn Fn(&mut Mapping)| {
        mapping.update_value(|m| {
            if let Some(m) = m {
                f(m)
            }
        });
        check(false);
    };
    let on_file = move |_| {
        error.set(None);
        report.set(None);
        note.set(None);
        mapping.set_value(None);
        let Some(el) = input.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = read_import_file(&el).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match r {
                Err(FileError::NoneChosen) => {}
                Err(FileError::TooLarge(mb)) => {
                    error.set(Some(i18n.tf("orgs.import_too_large", &[("mb", mb)])))
                }
                Err(FileError::Unreadable) => error.set(Some(i18n.t("import.unreadable"))),
                Ok(file) => {
                    if file.gbk {
                        note.set(Some(i18n.t("orgs.import_gbk")));
                    }
                    data.set_value(file.data);
                    format.set_value(file.format);
                    check(false);
                }
            }
        });
    };
    view! {
        <section class="card import-box" aria-labelledby="org-import-h">
            <h2 id="org-import-h">{move || i18n.t("orgs.import")}</h2>
            <p class="muted">{move || i18n.t("orgs.import_hint")}</p>
            {ed.prefix.with_value(|p| p.as_deref() == Some("")).then(|| view! { <LevelSetChoice ed=ed/> })}
            <label>{move || i18n.t("import.file")}
                <input type="file" accept=".csv,.xlsx,.xls,.json,text/csv,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" node_ref=input on:change=on_file/>
            </label>
            {move || busy.get().then(|| view! { <p class="loading" role="status">{i18n.t("import.checking")}</p> })}
            {move || note.get().map(|n| view! { <p class="note">{n}</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || report.get().filter(|r| !r.headers.is_empty()).map(|rep| view! {
                <MappingForm ed=ed rep=rep remap=remap busy=busy/>
            })}
            {move || report.get().map(|rep| {
                let clean = rep.problems.is_empty();
                view! {
                    <div class="import-report" role="status">
                        <p>{i18n.tf("orgs.import_summary", &[("new", rep.new.to_string()), ("updated", rep.updated.to_string()), ("problems", rep.problems.len().to_string())])}</p>
                        {(!clean).then(|| view! {
                            <ul class="problems">
                                {rep.problems.iter().map(|p| {
                                    let args: Vec<(&str, String)> = p.args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                                    let at = if format.get_value() == "json" { "orgs.import_item" } else { "orgs.import_line" };
                                    view! { <li>{i18n.tf(at, &[("line", p.line.to_string())])}" "{i18n.tf(&p.key, &args)}</li> }
                                }).collect_view()}
                            </ul>
                        })}
                        {clean.then(|| view! {
                            <div class="table-scroll">
                                <table class="preview">
                                    <thead><tr><th>{i18n.t("orgs.code")}</th><th>{i18n.t("orgs.name")}</th><th>{i18n.t("orgs.level")}</th><th>{i18n.t("orgs.import_source_id")}</th><th></th></tr></thead>
                                    <tbody>
                                        {rep.rows.iter().take(20).map(|r| view! {
                                            <tr><td><code>{r.code.clone()}</code></td><td>{r.name.clone()}</td><td>{ed.level_name(&r.level, ed.zh(i18n))}</td>
                                            <td>{(r.source_id != r.code).then(|| r.source_id.clone())}</td>
                                            <td>{if r.update { i18n.t("orgs.import_update") } else { i18n.t("orgs.import_new") }}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <button type="button" class="primary" disabled=move || busy.get() on:click=move |_| check(true)>{i18n.t("orgs.import_commit")}</button>
                        })}
                    </div>
                }
            })}
        </section>
    }
}

/// The built-in level set, for administrators: a district's export with committees inside
/// committees needs `district`. The page reloads with the new set.
#[component]
fn LevelSetChoice(ed: Ed) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let current = ed.levels.with_value(|l| {
        ["five", "four", "district"]
            .into_iter()
            .find(|k| LevelSet::from_setting(k).as_ref() == Some(l))
            .unwrap_or("")
    });
    let chosen = RwSignal::new(current.to_owned());
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let set = chosen.get_untracked();
        leptos::task::spawn_local(async move {
            match api::orgs_set_levels(set).await {
                Ok(()) => {
                    if let Some(w) = leptos::web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Err(e) => {
                    if !error.is_disposed() {
                        error.set(Some(error_message(i18n, &e)));
                        // The set did not change: show the one in force again.
                        chosen.set(current.to_owned());
                    }
                }
            }
        });
    };
    view! {
        <form class="inline-form" on:submit=apply>
            <label>{move || i18n.t("orgs.level_set")}
                <select prop:value=move || chosen.get() on:change=move |e| chosen.set(event_target_value(&e))>
                    {current.is_empty().then(|| view! { <option value="">{i18n.t("orgs.level_set_custom")}</option> })}
                    {["five", "four", "district"].into_iter().map(|k| view! {
                        <option value=k selected=k == current>{move || i18n.t(&format!("orgs.level_set_{k}"))}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" disabled=move || chosen.get() == current>{move || i18n.t("orgs.level_set_apply")}</button>
        </form>
        <p class="muted">{move || i18n.t("orgs.level_set_hint")}</p>
        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
    }
}

/// Which column holds each field, and which level each of the file's type values is; every
/// change checks the file again.
#[component]
fn MappingForm(
    ed: Ed,
    rep: api::ImportReport,
    remap: impl Fn(&dyn Fn(&mut Mapping)) + Copy + Send + Sync + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let headers = rep.headers.clone();
    let m = rep.mapping.clone();
    let columns = Field::ALL
        .iter()
        .map(|&f| {
            let chosen = m.column(f);
            let label = i18n.t(&format!("org_import.field_{}", f.key()));
            let id = format!("org-map-{}", f.key());
            view! {
                <label for=id.clone()>{label}{f.required().then_some(" *")}</label>
                <select id=id disabled=move || busy.get() on:change=move |e| {
                    let v = event_target_value(&e).parse::<usize>().ok();
                    remap(&|m: &mut Mapping| m.set_column(f, v));
                }>
                    <option value="" selected=chosen.is_none()>{i18n.t("org_import.not_in_file")}</option>
                    {headers.iter().enumerate().map(|(i, h)| view! {
                        <option value=i.to_string() selected=chosen == Some(i)>{h.clone()}</option>
                    }).collect_view()}
                </select>
            }
        })
        .collect_view();
    let zh = ed.zh(i18n);
    let levels: Vec<(String, String)> = ed.levels.with_value(|l| {
        l.levels
            .iter()
            .map(|x| {
                (
                    x.key.clone(),
                    if zh {
                        x.name_zh.clone()
                    } else {
                        x.name_en.clone()
                    },
                )
            })
            .collect()
    });
    let kinds = (m.column(Field::Kind).is_some() && !rep.kinds.is_empty()).then(|| {
        let rows = rep
            .kinds
            .iter()
            .take(100)
            .enumerate()
            .map(|(n, (value, count))| {
                let chosen = m.level_for(value).unwrap_or("").to_owned();
                let v = value.clone();
                let id = format!("org-kind-{n}");
                let shown = if value.is_empty() { i18n.t("org_import.empty_value") } else { value.clone() };
                view! {
                    <tr>
                        <td><label for=id.clone()>{shown}</label></td>
                        <td class="num">{count.to_string()}</td>
                        <td>
                            <select id=id disabled=move || busy.get() on:change=move |e| {
                                let level = event_target_value(&e);
                                let v = v.clone();
                                remap(&move |m: &mut Mapping| m.set_kind(&v, &level));
                            }>
                                <option value="" selected=chosen.is_empty()>{i18n.t("org_import.unmapped")}</option>
                                {levels.iter().map(|(k, name)| view! {
                                    <option value=k.clone() selected=*k == chosen>{name.clone()}</option>
                                }).collect_view()}
                            </select>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="preview kinds">
                <caption>{i18n.t("org_import.kinds")}</caption>
                <thead><tr><th>{i18n.t("org_import.kind_value")}</th><th>{i18n.t("org_import.kind_count")}</th><th>{i18n.t("orgs.level")}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    view! {
        <fieldset class="org-mapping">
            <legend>{i18n.t("org_import.columns")}</legend>
            <div class="mapping-grid">{columns}</div>
        </fieldset>
        {kinds}
    }
}

/// A chosen file as sent to the server: its format (`csv`, `json`, `xlsx`), its content (text, or
/// base64 for XLSX) and whether the text had to be read as GB18030 (a superset of GBK).
pub(super) struct ImportFile {
    pub format: &'static str,
    pub data: String,
    pub gbk: bool,
}

/// The chosen file as an XLSX workbook (by name or zip signature), JSON (by name or a leading
/// `[`/`{`) or CSV text, text decoded as UTF-8 or else as GB18030.
pub(super) async fn read_import_file(
    input: &leptos::web_sys::HtmlInputElement,
) -> Result<ImportFile, FileError> {
    let (name, bytes) = read_file_bytes(input, 32 * 1_048_576).await?;
    let name = name.to_lowercase();
    // An Excel 97–2003 workbook (.xls, a compound file): the server names what to do with it.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(ImportFile {
            format: "xls",
            data: String::new(),
            gbk: false,
        });
    }
    if name.ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        return base64(&bytes).map(|data| ImportFile {
            format: "xlsx",
            data,
            gbk: false,
        });
    }
    let (text, gbk) = match String::from_utf8(bytes) {
        Ok(s) => (s, false),
        Err(e) => (gb18030(e.into_bytes())?, true),
    };
    let first = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .next();
    let json = name.ends_with(".json") || matches!(first, Some('[') | Some('{'));
    Ok(ImportFile {
        format: if json { "json" } else { "csv" },
        data: text,
        gbk,
    })
}

/// The browser's own base64 (`btoa`), so the bundle carries no encoder.
#[cfg(feature = "csr")]
fn base64(bytes: &[u8]) -> Result<String, FileError> {
    let binary: String = bytes.iter().copied().map(char::from).collect();
    leptos::web_sys::window()
        .ok_or(FileError::Unreadable)?
        .btoa(&binary)
        .map_err(|_| FileError::Unreadable)
}
#[cfg(not(feature = "csr"))]
fn base64(_: &[u8]) -> Result<String, FileError> {
    Err(FileError::Unreadable)
}

#[cfg(feature = "csr")]
fn gb18030(mut bytes: Vec<u8>) -> Result<String, FileError> {
    leptos::web_sys::TextDecoder::new_with_label("gb18030")
        .and_then(|d| d.decode_with_u8_array(&mut bytes))
        .map_err(|_| FileError::Unreadable)
}
#[cfg(not(feature = "csr"))]
fn gb18030(_: Vec<u8>) -> Result<String, FileError> {
    Err(FileError::Unreadable)
}
