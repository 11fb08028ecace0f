//! Importing units from CSV or XLSX: preview with every problem, then all or nothing.

use super::*;
use crate::ui::{read_file_bytes, FileError};

/// CSV import: the browser decodes the file (UTF-8, or GBK/GB18030 when it is not valid UTF-8),
/// the server checks every row and shows the problems; nothing is written until the file is clean
/// and the organiser confirms.
#[component]
pub(super) fn ImportBox(ed: Ed) -> impl IntoView {
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
                Err(FileError::NoneChosen) => {}
                Err(FileError::TooLarge(mb)) => {
                    error.set(Some(i18n.tf("orgs.import_too_large", &[("mb", mb)])))
                }
                Err(FileError::Unreadable) => error.set(Some(i18n.t("import.unreadable"))),
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
pub(super) enum FileText {
    /// CSV text, and whether it had to be read as GB18030 (a superset of GBK).
    Csv(String, bool),
    /// An XLSX workbook, base64-encoded.
    Xlsx(String),
}

/// The chosen file as an XLSX workbook (by name or zip signature) or as CSV text, decoded as
/// UTF-8 or else as GB18030 (a superset of GBK).
pub(super) async fn read_csv_file(
    input: &leptos::web_sys::HtmlInputElement,
) -> Result<FileText, FileError> {
    let (name, bytes) = read_file_bytes(input, 32 * 1_048_576).await?;
    if name.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
        return base64(&bytes).map(FileText::Xlsx);
    }
    match String::from_utf8(bytes) {
        Ok(s) => Ok(FileText::Csv(s, false)),
        Err(e) => gb18030(e.into_bytes()).map(|s| FileText::Csv(s, true)),
    }
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
