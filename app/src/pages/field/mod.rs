//! Field reports (事件): a resident or a grid worker reports a problem at a place, with a photo,
//! through the phone's outbox (`crate::outbox`: kept first, sent when the network is there); the
//! lists of one's own reports and of those waiting on one's level; a report's page with its clocks,
//! its history and the actions the rules allow the caller (`domain::field::possible`, worked out
//! on the server). It travels in the map bundle (`area.rs`): reports sit on the map, and a click
//! on the map leads here with the point.

use crate::api::field::{self as api, FieldReportView};
use crate::api::AppError;
use crate::i18n::{use_i18n, I18n};
use crate::ui::{ErrorNote, Loaded};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

mod detail;
mod rates;
mod report;
pub use detail::FieldReportPage;
pub use report::OutboxList;

/// The tabs: key (`?tab=` and `field.tab.<key>`) and whether only staff and departments see it.
const TABS: [(&str, bool); 3] = [("new", false), ("list", false), ("rates", true)];

/// `/field`.
#[component]
pub fn FieldPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tab = move || query.read().get("tab").unwrap_or_else(|| "new".into());
    // Staff, and the departments' accounts, see the rates.
    let staff = move || {
        crate::use_auth()
            .user()
            .is_some_and(|u| u.role != domain::Role::Resident || u.department.is_some())
    };
    view! {
        <section class="page field">
            <h1>{move || i18n.t("field.title")}</h1>
            <nav class="tabs" aria-label=move || i18n.t("field.tabs")>
                {TABS.into_iter().map(|(key, staff_only)| {
                    let current = move || tab() == key;
                    view! {
                        <Show when=move || !staff_only || staff()>
                            <a href=format!("/field?tab={key}") aria-current=move || current().then_some("page")>
                                {move || i18n.t(&format!("field.tab.{key}"))}
                            </a>
                        </Show>
                    }
                }).collect_view()}
            </nav>
            {move || match tab().as_str() {
                "list" => view! { <Lists/> }.into_any(),
                "rates" => view! { <rates::RatesTab/> }.into_any(),
                _ => view! { <report::NewReport/> <report::OutboxList/> }.into_any(),
            }}
        </section>
    }
}

/// The caller's lists: what waits on them (something they may do other than rate), then all
/// they see, newest first.
#[component]
fn Lists() -> impl IntoView {
    let i18n = use_i18n();
    let list = LocalResource::new(api::field_reports);
    view! {
        <Loaded resource=list ok=move |reports| {
            let (todo, rest): (Vec<_>, Vec<_>) = reports
                .into_iter()
                .partition(|r| r.can.iter().any(|a| a != "rate" && a != "reopen"));
            view! {
                <h2>{move || i18n.t("field.todo")}</h2>
                {if todo.is_empty() {
                    view! { <p class="muted">{move || i18n.t("field.todo_none")}</p> }.into_any()
                } else {
                    view! { <ul class="field-list">{todo.into_iter().map(|r| view! { <li><ReportCard report=r/></li> }).collect_view()}</ul> }.into_any()
                }}
                <h2>{move || i18n.t("field.all")}</h2>
                {if rest.is_empty() {
                    view! { <p class="muted">{move || i18n.t("field.none")}</p> }.into_any()
                } else {
                    view! { <ul class="field-list">{rest.into_iter().map(|r| view! { <li><ReportCard report=r/></li> }).collect_view()}</ul> }.into_any()
                }}
            }
        }/>
    }
}

/// One report in a list: category, state, level, when, where, the start of its description.
#[component]
fn ReportCard(report: FieldReportView) -> impl IntoView {
    let i18n = use_i18n();
    let r = report;
    let short: String = r.description.chars().take(60).collect();
    view! {
        <a class="card field-card" href=format!("/field/{}", r.id)>
            <span class="field-card-head">
                <strong>{r.category.clone()}</strong>
                <StateTag state=r.state.clone()/>
                <span class="tag">{level(i18n, &r.level)}</span>
            </span>
            <span class="description">{short}</span>
            <span class="muted">{when(r.made_at)} " · " {r.grid_code.clone().unwrap_or_else(|| i18n.t("field.no_grid"))}</span>
        </a>
    }
}

/// A state's tag: `field.state.<state>`.
#[component]
fn StateTag(state: String) -> impl IntoView {
    let i18n = use_i18n();
    let class = match state.as_str() {
        "closed" => "tag off",
        "resolved" => "tag on",
        "whistled" | "sent-back" => "tag warn",
        _ => "tag",
    };
    view! { <span class=class>{move || i18n.t(&format!("field.state.{state}"))}</span> }
}

/// A level's name: `field.level.<level>`.
fn level(i18n: I18n, level: &str) -> String {
    i18n.t(&format!("field.level.{level}"))
}

/// Unix seconds as Beijing time, to the minute.
fn when(secs: i64) -> String {
    domain::date::shanghai_datetime(secs)[..16].to_owned()
}

/// Now, in unix seconds, by the browser's clock.
fn now_secs() -> i64 {
    (crate::ui::now_ms() / 1000.0) as i64
}
