//! The administrator's field report settings: the working calendar the clocks count in (holidays
//! and the weekend days worked instead), the category catalogue with its limits, and the
//! departments the street can whistle with their accounts.

use crate::api::field::{self as api, FieldSettingsView};
use crate::i18n::{use_i18n, I18n};
use crate::ui::Loaded;
use domain::field::clock::Span;
use leptos::prelude::*;

fn span_text(i18n: I18n, s: Span) -> String {
    match s {
        Span::Hours(n) => i18n.tf("field.hours", &[("n", n.to_string())]),
        Span::WorkingDays(n) => i18n.tf("field.working_days", &[("n", n.to_string())]),
    }
}

/// A note after saving: saved, or why not.
fn outcome(
    i18n: I18n,
    note: RwSignal<Option<(bool, String)>>,
    r: Result<impl Sized, crate::api::AppError>,
    version: RwSignal<u32>,
) {
    note.set(Some(match r {
        Ok(_) => {
            version.update(|v| *v += 1);
            (true, i18n.t("admin.saved"))
        }
        Err(e) => (false, crate::ui::error_message(i18n, &e)),
    }));
}

#[component]
pub fn FieldSettings() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        version.track();
        api::admin_field_settings()
    });
    view! {
        <h2>{move || i18n.t("admin.field")}</h2>
        <Loaded resource=data ok=move |s| view! { <Settings s=s version=version/> }/>
    }
}

#[component]
fn Settings(s: FieldSettingsView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let holidays = RwSignal::new(s.holidays.clone());
    let workdays = RwSignal::new(s.workdays.clone());
    let cal_note = RwSignal::new(None::<(bool, String)>);
    let save_calendar = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (h, w) = (holidays.get_untracked(), workdays.get_untracked());
        leptos::task::spawn_local(async move {
            outcome(
                i18n,
                cal_note,
                api::admin_set_field_calendar(h, w).await,
                version,
            );
        });
    };
    let name = RwSignal::new(String::new());
    let ack_n = RwSignal::new("24".to_owned());
    let ack_unit = RwSignal::new("hours".to_owned());
    let res_n = RwSignal::new("7".to_owned());
    let res_unit = RwSignal::new("working-days".to_owned());
    let cat_note = RwSignal::new(None::<(bool, String)>);
    let save_category = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let num = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().unwrap_or(0);
        let (n, au, an, ru, rn) = (
            name.get_untracked(),
            ack_unit.get_untracked(),
            num(ack_n),
            res_unit.get_untracked(),
            num(res_n),
        );
        leptos::task::spawn_local(async move {
            outcome(
                i18n,
                cat_note,
                api::admin_field_category(n, au, an, ru, rn).await,
                version,
            );
        });
    };
    let dep_name = RwSignal::new(String::new());
    let dep_user = RwSignal::new(String::new());
    let dep_note = RwSignal::new(None::<(bool, String)>);
    let save_department = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (n, u) = (dep_name.get_untracked(), dep_user.get_untracked());
        leptos::task::spawn_local(async move {
            outcome(i18n, dep_note, api::admin_department(n, u).await, version);
        });
    };
    let note = |n: RwSignal<Option<(bool, String)>>| {
        move || {
            n.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } role=if ok { "status" } else { "alert" }>{t}</p> })
        }
    };
    let unit_select = |value: RwSignal<String>| {
        view! {
            <select bind:value=value>
                <option value="hours">{move || i18n.t("admin.field_unit_hours")}</option>
                <option value="working-days">{move || i18n.t("admin.field_unit_days")}</option>
            </select>
        }
    };
    view! {
        <h3>{move || i18n.t("admin.field_calendar")}</h3>
        <p class="muted">{move || i18n.t("admin.field_calendar_hint")}</p>
        <form class="stack field-calendar" on:submit=save_calendar>
            <label>{move || i18n.t("admin.field_holidays")}
                <textarea rows="4" bind:value=holidays placeholder="2027-01-01"></textarea>
            </label>
            <label>{move || i18n.t("admin.field_workdays")}
                <textarea rows="2" bind:value=workdays placeholder="2027-02-07"></textarea>
            </label>
            <button type="submit">{move || i18n.t("common.save")}</button>
        </form>
        {note(cal_note)}
        <h3>{move || i18n.t("admin.field_categories")}</h3>
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th>{move || i18n.t("field.category")}</th>
                    <th>{move || i18n.t("field.acknowledge_by")}</th>
                    <th>{move || i18n.t("field.resolve_by")}</th>
                </tr></thead>
                <tbody>{s.categories.iter().map(|c| view! {
                    <tr><td>{c.name.clone()}</td><td>{span_text(i18n, c.limits.acknowledge)}</td><td>{span_text(i18n, c.limits.resolve)}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </div>
        <form class="inline-form" on:submit=save_category>
            <label class="inline">{move || i18n.t("admin.field_category_name")}<input required maxlength="20" bind:value=name/></label>
            <label class="inline">{move || i18n.t("field.acknowledge_by")}<input inputmode="numeric" size="4" bind:value=ack_n/>{unit_select(ack_unit)}</label>
            <label class="inline">{move || i18n.t("field.resolve_by")}<input inputmode="numeric" size="4" bind:value=res_n/>{unit_select(res_unit)}</label>
            <button type="submit">{move || i18n.t("admin.field_category_save")}</button>
        </form>
        {note(cat_note)}
        <h3>{move || i18n.t("admin.field_departments")}</h3>
        <ul class="plain">{s.departments.iter().map(|(d, users)| view! {
            <li><strong>{d.clone()}</strong> " " <span class="muted">{if users.is_empty() { i18n.t("admin.field_no_account") } else { users.join("、") }}</span></li>
        }).collect_view()}</ul>
        <form class="inline-form" on:submit=save_department>
            <label class="inline">{move || i18n.t("admin.field_department_name")}<input required maxlength="40" bind:value=dep_name/></label>
            <label class="inline">{move || i18n.t("admin.field_department_user")}<input bind:value=dep_user/></label>
            <button type="submit">{move || i18n.t("admin.field_department_save")}</button>
        </form>
        {note(dep_note)}
    }
}
