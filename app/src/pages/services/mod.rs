//! Service matching (服务): the community's lists (needs, resources, projects) with claims, the wish
//! wall, "my claims and hours" with the hours certificate, the organiser's desk and statistics.
//! One page at `/services` with a tab per part (`?tab=`), and the printable certificate at
//! `/services/certificate`. It travels in the events bundle (`area.rs`): both are the
//! community's life, and one bundle fewer keeps the build short.

use crate::api::services::{self as api, ClaimView, ListingView, WishView};
use crate::api::AppError;
use crate::i18n::{use_i18n, I18n};
use crate::ui::{ErrorNote, Loaded};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use std::future::Future;

mod desk;
mod lists;
mod mine;
mod reporting;
mod stats;
mod wishes;
pub use mine::CertificatePage;

/// The tabs, in order: key (`?tab=` and `service.tab.<key>`) and whether only staff see it.
const TABS: [(&str, bool); 5] = [
    ("lists", false),
    ("wishes", false),
    ("mine", false),
    ("desk", true),
    ("stats", true),
];

/// `/services`.
#[component]
pub fn ServicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tab = move || query.read().get("tab").unwrap_or_else(|| "lists".into());
    let staff = move || {
        crate::use_auth()
            .user()
            .is_some_and(|u| u.role.publishes_events())
    };
    view! {
        <section class="page services">
            <h1>{move || i18n.t("service.title")}</h1>
            <nav class="tabs" aria-label=move || i18n.t("service.tabs")>
                {TABS.into_iter().map(|(key, staff_only)| {
                    let current = move || tab() == key;
                    view! {
                        <Show when=move || !staff_only || staff()>
                            // A plain link: the router's `A` marks every tab current (one path).
                            <a href=format!("/services?tab={key}") aria-current=move || current().then_some("page")>
                                {move || i18n.t(&format!("service.tab.{key}"))}
                            </a>
                        </Show>
                    }
                }).collect_view()}
            </nav>
            {move || match tab().as_str() {
                "wishes" => view! { <wishes::WishWall/> }.into_any(),
                "mine" => view! { <mine::Mine/> }.into_any(),
                "desk" => view! { <desk::Desk/> }.into_any(),
                "stats" => view! { <stats::Stats/> }.into_any(),
                _ => view! { <lists::Lists/> }.into_any(),
            }}
        </section>
    }
}

/// On an event's page: the needs this event serves (a service day's work), each linking to the
/// lists. Nothing when it serves none.
#[component]
pub fn ServedNeeds(event_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let needs = LocalResource::new(move || {
        api::service_lists(
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            Some(event_id),
            String::new(),
        )
    });
    move || {
        needs.get().and_then(|r| r.ok()).filter(|n| !n.is_empty()).map(|n| view! {
            <section class="served-needs" aria-labelledby="served-h">
                <h2 id="served-h">{move || i18n.t("service.served_needs")}</h2>
                <ul>{n.into_iter().map(|l| view! {
                    <li><a href="/services?tab=lists">{l.title.clone()}</a> " "
                        <span class="muted">{move || i18n.tf("service.left_of_short", &[("left", l.left.to_string()), ("all", l.amount.to_string())])}</span></li>
                }).collect_view()}</ul>
            </section>
        })
    }
}

/// Runs a server call; on success bumps `version` (the lists reload), on failure shows the error.
fn run<T, F>(call: F, version: RwSignal<u32>, error: RwSignal<Option<AppError>>)
where
    T: 'static,
    F: Future<Output = Result<T, AppError>> + 'static,
{
    error.set(None);
    leptos::task::spawn_local(async move {
        match call.await {
            Ok(_) => version.update(|v| *v += 1),
            Err(e) => error.set(Some(e)),
        }
    });
}

/// The grids of the caller's community (code, name), for filters and forms; empty for callers
/// without one (administrators) or when it cannot be read.
fn community_grids() -> LocalResource<Vec<(String, String)>> {
    LocalResource::new(|| async {
        crate::api::reporting::service_report_options()
            .await
            .map(|o| o.grids)
            .unwrap_or_default()
    })
}

/// The grid named by `?grid=` (the map's service layer links here), or none.
fn grid_from_query() -> String {
    use_query_map()
        .read_untracked()
        .get("grid")
        .filter(|g| g.len() <= 32 && g.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default()
}

/// A grid choice: "all" (or "none" in a form) first, then the community's grids; a code from the
/// address that is not among them is still shown, so the filter in force is never hidden.
#[component]
fn GridSelect(
    value: RwSignal<String>,
    grids: LocalResource<Vec<(String, String)>>,
    empty: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select bind:value=value>
            <option value="">{move || i18n.t(empty)}</option>
            {move || {
                let list = grids.get().unwrap_or_default();
                let current = value.get_untracked();
                let extra = (!current.is_empty() && !list.iter().any(|(c, _)| *c == current))
                    .then(|| view! { <option value=current.clone() selected>{current.clone()}</option> });
                view! {
                    {extra}
                    {list.into_iter().map(|(c, n)| {
                        let selected = c == current;
                        view! { <option value=c.clone() selected=selected>{n}</option> }
                    }).collect_view()}
                }
            }}
        </select>
    }
}

/// A category's name.
fn category(i18n: I18n, key: &str) -> String {
    i18n.t(&format!("service.cat.{key}"))
}

/// The category choices of a form or a filter (with "all" first when `all`).
#[component]
fn CategorySelect(value: RwSignal<String>, all: bool) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select bind:value=value>
            {all.then(|| view! { <option value="">{move || i18n.t("service.all")}</option> })}
            {domain::service::CATEGORIES.into_iter().map(|c| view! {
                <option value=c>{move || category(i18n, c)}</option>
            }).collect_view()}
        </select>
    }
}

/// Minutes as hours for people ("2.5").
fn hours(minutes: i64) -> String {
    domain::service::hours::hours_text(minutes)
}

/// A state's tag: `service.state.<state>`.
#[component]
fn StateTag(state: String) -> impl IntoView {
    let i18n = use_i18n();
    let class = match state.as_str() {
        "confirmed" | "open" => "tag on",
        "declined" | "withdrawn" | "rejected" | "closed" => "tag off",
        _ => "tag",
    };
    view! { <span class=class>{move || i18n.t(&format!("service.state.{state}"))}</span> }
}

/// The year this page is looked at in (Asia/Shanghai).
fn this_year() -> i32 {
    crate::ui::shanghai_now()[..4].parse().unwrap_or(2026)
}
