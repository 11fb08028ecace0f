//! Importing an `.ics` file into a community calendar: choose the file and the defaults, see
//! every event of the file with what will happen to it, then import the importable ones.

use crate::api::events::{self as api, IcsImportReport};
use crate::i18n::use_i18n;
use crate::ui::{error_message, read_file_text, FileError};
use domain::event::{Category, Visibility};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn IcsImport(unit: String) -> impl IntoView {
    let i18n = use_i18n();
    let unit = RwSignal::new(unit);
    let category = RwSignal::new("other".to_owned());
    let capacity = RwSignal::new("50".to_owned());
    let visibility = RwSignal::new("public".to_owned());
    let text = StoredValue::new(String::new());
    let report = RwSignal::new(None::<IcsImportReport>);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<usize>);
    let busy = RwSignal::new(false);
    let input = NodeRef::<leptos::html::Input>::new();

    let run = move |commit: bool| {
        if text.with_value(String::is_empty) {
            return;
        }
        busy.set(true);
        error.set(None);
        let args = (
            unit.get_untracked(),
            text.get_value(),
            category.get_untracked(),
            capacity.get_untracked().trim().parse().unwrap_or(0),
            visibility.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let r = api::events_import_ics(args.0, args.1, args.2, args.3, args.4, commit).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match r {
                Err(e) => {
                    report.set(None);
                    error.set(Some(error_message(i18n, &e)));
                }
                Ok(rep) if commit => {
                    done.set(Some(rep.imported));
                    report.set(None);
                    text.set_value(String::new());
                    if let Some(el) = input.get_untracked() {
                        el.set_value("");
                    }
                }
                Ok(rep) => report.set(Some(rep)),
            }
        });
    };
    let on_file = move |_| {
        error.set(None);
        report.set(None);
        done.set(None);
        let Some(el) = input.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = read_file_text(&el, domain::ics_import::MAX_ICS_BYTES).await;
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match r {
                Ok(t) => {
                    text.set_value(t);
                    run(false);
                }
                Err(FileError::NoneChosen) => {}
                Err(FileError::TooLarge(_)) => error.set(Some(i18n.t("ics.too_large"))),
                Err(FileError::Unreadable) => error.set(Some(i18n.t("ics.unreadable"))),
            }
        });
    };
    // A change of the defaults re-checks the file already chosen.
    let refresh = move || {
        if report.with_untracked(Option::is_some) {
            run(false);
        }
    };
    let rows = move || {
        report.get().map(|rep| {
            let ok = rep.rows.iter().filter(|r| r.draft.is_some()).count();
            let bad = rep.rows.len() - ok;
            view! {
                <div class="table-wrap">
                    <table class="ics-report">
                        <thead><tr>
                            <th>{move || i18n.t("events.f_title")}</th>
                            <th>{move || i18n.t("events.f_start")}</th>
                            <th>{move || i18n.t("events.f_repeat")}</th>
                            <th>{move || i18n.t("ics.outcome")}</th>
                        </tr></thead>
                        <tbody>
                            {rep.rows.into_iter().map(|r| {
                                let rule = r.rrule.clone().map(|x| super::describe_rrule(&i18n, &x)).unwrap_or_default();
                                let (cancelled, changed) = (r.cancelled.len(), r.changed.len());
                                let outcome = move || match &r.problem {
                                    None => {
                                        let mut text = i18n.t("ics.will_import");
                                        if cancelled > 0 {
                                            text += &i18n.tf("ics.with_cancelled", &[("n", cancelled.to_string())]);
                                        }
                                        if changed > 0 {
                                            text += &i18n.tf("ics.with_changed", &[("n", changed.to_string())]);
                                        }
                                        text
                                    }
                                    Some((key, detail)) => i18n.tf(key, &[("detail", detail.clone())]),
                                };
                                let bad = r.draft.is_none();
                                view! {
                                    <tr class:bad=bad>
                                        <td>{r.title.clone()}</td>
                                        <td>{r.starts_at.replace('T', " ")}</td>
                                        <td>{rule}</td>
                                        <td>{outcome}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p>{move || i18n.tf("ics.summary", &[("ok", ok.to_string()), ("bad", bad.to_string())])}</p>
                <button type="button" class="primary" disabled=move || busy.get() || ok == 0 on:click=move |_| run(true)>
                    {move || i18n.tf("ics.import_n", &[("n", ok.to_string())])}
                </button>
            }
        })
    };
    view! {
        <section class="card ics-import" aria-labelledby="ics-import-title">
            <h2 id="ics-import-title">{move || i18n.t("ics.title")}</h2>
            <p class="muted">{move || i18n.t("ics.hint")}</p>
            <div class="grid-form">
                <label>{move || i18n.t("ics.unit")}
                    <input name="ics-unit" inputmode="numeric" bind:value=unit on:change=move |_| refresh()/></label>
                <label>{move || i18n.t("ics.category")}
                    <select name="ics-category" prop:value=move || category.get() on:change=move |ev| { category.set(event_target_value(&ev)); refresh(); }>
                        {Category::ALL.map(|c| view! { <option value=c.as_str()>{move || i18n.t(&format!("events.cat.{}", c.as_str()))}</option> }).collect_view()}
                    </select></label>
                <label>{move || i18n.t("ics.capacity")}
                    <input name="ics-capacity" type="number" min="1" bind:value=capacity on:change=move |_| refresh()/></label>
                <label>{move || i18n.t("ics.visibility")}
                    <select name="ics-visibility" prop:value=move || visibility.get() on:change=move |ev| { visibility.set(event_target_value(&ev)); refresh(); }>
                        {Visibility::ALL.map(|v| view! { <option value=v.as_str()>{move || i18n.t(&format!("events.vis.{}", v.as_str()))}</option> }).collect_view()}
                    </select></label>
                <label class="wide">{move || i18n.t("ics.file")}
                    <input type="file" accept=".ics,text/calendar" node_ref=input on:change=on_file/></label>
            </div>
            {move || busy.get().then(|| view! { <p class="muted" role="status">{move || i18n.t("ics.reading")}</p> })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || done.get().map(|n| view! {
                <p class="ok" role="status">{move || i18n.tf("ics.done", &[("n", n.to_string())])}" "
                    <A href="/events">{move || i18n.t("ics.to_calendar")}</A></p>
            })}
            {rows}
        </section>
    }
}
