//! Events, read-only for now: an agenda of upcoming and recurring events.

use crate::api::{self, data::EventView};
use crate::i18n::{use_i18n, I18n};
use crate::ui::{shanghai_now, ErrorNote, Loading};
use leptos::prelude::*;

/// A short description of the common RRULE shapes ("every month on the 15th and 25th").
fn describe_rrule(i18n: &I18n, rule: &str) -> String {
    let parts: std::collections::HashMap<&str, &str> =
        rule.split(';').filter_map(|p| p.split_once('=')).collect();
    match (parts.get("FREQ").copied(), parts.get("BYMONTHDAY")) {
        (Some("MONTHLY"), Some(days)) => {
            let sep = if i18n.locale.get() == crate::i18n::Locale::Zh {
                "、"
            } else {
                ", "
            };
            i18n.tf(
                "events.monthly_on",
                &[("days", days.split(',').collect::<Vec<_>>().join(sep))],
            )
        }
        (Some("MONTHLY"), None) => i18n.t("events.monthly"),
        (Some("WEEKLY"), _) => i18n.t("events.weekly"),
        (Some("DAILY"), _) => i18n.t("events.daily"),
        _ => rule.to_owned(),
    }
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let i18n = use_i18n();
    let events = LocalResource::new(|| api::data::events_upcoming(shanghai_now()));
    view! {
        <section class="page">
            <h1>{move || i18n.t("events.title")}</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || events.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p>{move || i18n.t("events.none")}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="agenda">{list.into_iter().map(|e| view! { <EventItem event=e/> }).collect_view()}</ul>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn EventItem(event: EventView) -> impl IntoView {
    let i18n = use_i18n();
    let start_time = event.starts_at.get(11..16).unwrap_or("").to_owned();
    let end_time = event.ends_at.get(11..16).unwrap_or("").to_owned();
    let start_date = event.starts_at.get(..10).unwrap_or("").to_owned();
    let rule = event.rrule.clone();
    let category = event.category.clone();
    let when = move || match &rule {
        // Recurring: the rule, the time of day and the first date (occurrences come with the calendar).
        Some(r) => format!(
            "{} · {start_time}–{end_time} · {}",
            describe_rrule(&i18n, r),
            i18n.tf("events.since", &[("date", start_date.clone())])
        ),
        None => format!("{start_date} {start_time}–{end_time}"),
    };
    view! {
        <li class="event card">
            <div class="event-head">
                <h2>{event.title.clone()}</h2>
                <span class="tag">{move || i18n.t(&format!("events.cat.{category}"))}</span>
            </div>
            <p class="when"><time datetime=event.starts_at.clone()>{when}</time></p>
            <p class="muted">{event.location.clone()}" · "{event.unit_name.clone()}</p>
            <p class="muted">{move || i18n.tf("events.capacity", &[("n", event.capacity.to_string())])}</p>
        </li>
    }
}
