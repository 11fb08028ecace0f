//! Events: the month calendar and the agenda, one occurrence with RSVP, waitlist and check-in QR
//! code, the organiser's attendee list and check-in desk, and publishing a new event.

use crate::api::events::{self as api, CheckInView, OccurrenceDetail, OccurrenceView, RsvpView};
use crate::api::AppError;
use crate::i18n::{use_i18n, I18n, Locale};
use crate::ui::{shanghai_now, ErrorNote, Loading};
use domain::date::{civil_from_days, days_from_civil};
use domain::rsvp::RsvpStatus;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

/// A short description of the common RRULE shapes ("every month on the 15th and 25th").
pub fn describe_rrule(i18n: &I18n, rule: &str) -> String {
    let parts: std::collections::HashMap<&str, &str> =
        rule.split(';').filter_map(|p| p.split_once('=')).collect();
    match (parts.get("FREQ").copied(), parts.get("BYMONTHDAY")) {
        (Some("MONTHLY"), Some(days)) => {
            let sep = if i18n.locale.get() == Locale::Zh {
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

fn ymd(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Monday = 0.
fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

fn occurrence_href(o: &OccurrenceView) -> String {
    format!("/events/{}?at={}", o.event_id, o.recurrence_id)
}

fn today_days() -> i64 {
    let now = shanghai_now();
    let n = |r: std::ops::Range<usize>| now[r].parse::<i64>().unwrap_or(1);
    days_from_civil(n(0..4), n(5..7) as u32, n(8..10) as u32)
}

fn is_narrow() -> bool {
    #[cfg(feature = "csr")]
    {
        web_sys::window()
            .and_then(|w| w.inner_width().ok())
            .and_then(|v| v.as_f64())
            .is_some_and(|w| w < 720.0)
    }
    #[cfg(not(feature = "csr"))]
    false
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Month,
    Week,
    Agenda,
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = crate::use_auth();
    let today = today_days();
    let (ty, tm, _) = civil_from_days(today);
    let month = RwSignal::new((ty, tm));
    let view_mode = RwSignal::new(if is_narrow() {
        View::Agenda
    } else {
        View::Month
    });
    let week = RwSignal::new(today - weekday(today));
    let category = RwSignal::new(String::new());
    // Residents start with their own community; staff with everything.
    let community = RwSignal::new(
        auth.user()
            .filter(|u| u.role == domain::Role::Resident)
            .and_then(|u| u.scope)
            .unwrap_or_default(),
    );
    let communities = LocalResource::new(api::events_communities);
    let staff = move || auth.user().is_some_and(|u| u.role.publishes_events());

    // The window shown: the weeks covering the month, or the next 31 days for the agenda.
    let window = move || match view_mode.get() {
        View::Month => {
            let (y, m) = month.get();
            let first = days_from_civil(y, m, 1);
            let start = first - weekday(first);
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let next = days_from_civil(ny, nm, 1);
            let end = next + (7 - weekday(next)) % 7;
            (start, end)
        }
        View::Week => (week.get(), week.get() + 7),
        View::Agenda => (today, today + 31),
    };
    let data = LocalResource::new(move || {
        let (a, b) = window();
        api::events_calendar(
            format!("{}T00:00", ymd(a)),
            format!("{}T00:00", ymd(b)),
            category.get(),
            community.get(),
        )
    });
    let shift = move |delta: i32| {
        if view_mode.get_untracked() == View::Week {
            week.update(|w| *w += 7 * delta as i64);
            return;
        }
        month.update(|(y, m)| {
            let idx = *y * 12 + (*m as i64 - 1) + delta as i64;
            *y = idx.div_euclid(12);
            *m = (idx.rem_euclid(12) + 1) as u32;
        })
    };

    view! {
        <section class="page">
            <div class="page-head">
                <h1>{move || i18n.t("events.title")}</h1>
                <Show when=staff>
                    <div class="head-actions">
                        <A href="/events/stats" attr:class="button">{move || i18n.t("stats.title")}</A>
                        <A href="/events/new" attr:class="button primary">{move || i18n.t("events.new")}</A>
                    </div>
                </Show>
            </div>
            <div class="toolbar" role="toolbar" aria-label=move || i18n.t("events.toolbar")>
                <div class="segmented">
                    <button type="button" aria-pressed=move || (view_mode.get() == View::Month).to_string()
                        on:click=move |_| view_mode.set(View::Month)>{move || i18n.t("events.view_month")}</button>
                    <button type="button" aria-pressed=move || (view_mode.get() == View::Week).to_string()
                        on:click=move |_| view_mode.set(View::Week)>{move || i18n.t("events.view_week")}</button>
                    <button type="button" aria-pressed=move || (view_mode.get() == View::Agenda).to_string()
                        on:click=move |_| view_mode.set(View::Agenda)>{move || i18n.t("events.view_agenda")}</button>
                </div>
                <Show when=move || view_mode.get() != View::Agenda>
                    <div class="month-nav">
                        <button type="button" on:click=move |_| shift(-1)
                            aria-label=move || i18n.t(if view_mode.get() == View::Week { "events.prev_week" } else { "events.prev_month" })>"‹"</button>
                        <strong class="month-label" aria-live="polite">{move || {
                            if view_mode.get() == View::Week {
                                let w = week.get();
                                format!("{} – {}", ymd(w), &ymd(w + 6)[5..])
                            } else {
                                let (y, m) = month.get();
                                i18n.tf("events.month_label", &[("y", y.to_string()), ("m", m.to_string())])
                            }
                        }}</strong>
                        <button type="button" on:click=move |_| shift(1)
                            aria-label=move || i18n.t(if view_mode.get() == View::Week { "events.next_week" } else { "events.next_month" })>"›"</button>
                        <button type="button" on:click=move |_| { month.set((ty, tm)); week.set(today - weekday(today)); }>{move || i18n.t("events.today")}</button>
                    </div>
                </Show>
                <label class="inline">{move || i18n.t("events.category")}
                    <select bind:value=category>
                        <option value="">{move || i18n.t("events.all_categories")}</option>
                        {domain::event::Category::ALL.map(|c| view! {
                            <option value=c.as_str()>{move || i18n.t(&format!("events.cat.{}", c.as_str()))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="inline">{move || i18n.t("events.community")}
                    <select bind:value=community>
                        <option value="">{move || i18n.t("events.all_communities")}</option>
                        {move || communities.get().and_then(|r| r.ok()).map(|list| list.into_iter().map(|c| {
                            let selected = community.get_untracked() == c.code;
                            view! { <option value=c.code.clone() selected=selected>{c.name}</option> }
                        }).collect_view())}
                    </select>
                </label>
            </div>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || data.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(list) => match view_mode.get() {
                        View::Month => { let (a, b) = window(); view! { <MonthGrid list=list start=a end=b month=month.get_untracked().1 today=today/> }.into_any() }
                        View::Week => view! { <WeekList list=list start=week.get_untracked() today=today/> }.into_any(),
                        View::Agenda => view! { <Agenda list=list/> }.into_any(),
                    },
                })}
            </Suspense>
            <Subscribe/>
        </section>
    }
}

fn origin() -> String {
    #[cfg(feature = "csr")]
    {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "csr"))]
    String::new()
}

/// Feed addresses for calendar apps: the public one (for the user's community when they have
/// one) and a private one of the user's own RSVPs, issued on request.
#[component]
fn Subscribe() -> impl IntoView {
    let i18n = use_i18n();
    let auth = crate::use_auth();
    let community = auth
        .user()
        .filter(|u| u.role == domain::Role::Resident)
        .and_then(|u| u.scope);
    let public = match community {
        Some(c) => format!("{}/feeds/events.ics?community={c}", origin()),
        None => format!("{}/feeds/events.ics", origin()),
    };
    let private = RwSignal::new(None::<Result<String, AppError>>);
    let issue = move |_| {
        leptos::task::spawn_local(async move {
            let r = api::events_feed_token()
                .await
                .map(|t| format!("{}/feeds/me/{t}.ics", origin()));
            private.set(Some(r));
        });
    };
    view! {
        <details class="card subscribe">
            <summary>{move || i18n.t("events.subscribe")}</summary>
            <p class="muted">{move || i18n.t("events.subscribe_hint")}</p>
            <label>{move || i18n.t("events.public_feed")}
                <input readonly value=public.clone() on:focus=move |ev| { let _ = event_target::<leptos::web_sys::HtmlInputElement>(&ev).select(); }/>
            </label>
            <p>
                <button type="button" on:click=issue>{move || i18n.t("events.private_feed_issue")}</button>
            </p>
            {move || private.get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                Ok(url) => view! {
                    <label>{move || i18n.t("events.private_feed")}
                        <input readonly class="private-feed" value=url on:focus=move |ev| { let _ = event_target::<leptos::web_sys::HtmlInputElement>(&ev).select(); }/>
                    </label>
                    <p class="muted">{move || i18n.t("events.private_feed_hint")}</p>
                }.into_any(),
            })}
        </details>
    }
}

#[component]
fn MonthGrid(
    list: Vec<OccurrenceView>,
    start: i64,
    end: i64,
    month: u32,
    today: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    let heads = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    // The day whose events are listed under the grid (on a phone the cells only show counts).
    let selected = RwSignal::new(if (start..end).contains(&today) {
        Some(today)
    } else {
        None
    });
    let all = StoredValue::new(list.clone());
    let day_list = move || {
        selected.get().map(|day| {
            let date = ymd(day);
            let items: Vec<OccurrenceView> = all.with_value(|l| {
                l.iter()
                    .filter(|o| o.starts_at.starts_with(&date))
                    .cloned()
                    .collect()
            });
            view! {
                <section class="day-list" aria-live="polite">
                    <h2>{date.clone()}</h2>
                    <Agenda list=items/>
                </section>
            }
        })
    };
    view! {
        <div class="month" role="table" aria-label=move || i18n.t("events.view_month")>
            <div class="month-row head" role="row">
                {heads.map(|d| view! { <div role="columnheader">{move || i18n.t(&format!("events.wd.{d}"))}</div> }).collect_view()}
            </div>
            {(start..end).step_by(7).map(|week| view! {
                <div class="month-row" role="row">
                    {(week..week + 7).map(|day| {
                        let date = ymd(day);
                        let items: Vec<OccurrenceView> = list.iter().filter(|o| o.starts_at.starts_with(&date)).cloned().collect();
                        let (_, m, d) = civil_from_days(day);
                        let count = items.len();
                        let class = format!("day{}{}", if m != month { " other" } else { "" }, if day == today { " today" } else { "" });
                        view! {
                            <div class=class role="cell" aria-label=date.clone()>
                                <button type="button" class="day-num" aria-label=date.clone()
                                    aria-pressed=move || (selected.get() == Some(day)).to_string()
                                    on:click=move |_| selected.set(Some(day))>{d}</button>
                                {(count > 0).then(|| view! { <span class="day-count" aria-hidden="true">{count}</span> })}
                                <ul>
                                    {items.into_iter().take(3).map(|o| view! {
                                        <li><A href=occurrence_href(&o) attr:class=format!("chip cat-{}", o.category)>
                                            <span class="chip-time">{o.starts_at[11..16].to_owned()}</span>" "{o.title.clone()}
                                        </A></li>
                                    }).collect_view()}
                                </ul>
                                {(count > 3).then(|| view! { <span class="more">{move || i18n.tf("events.more", &[("n", (count - 3).to_string())])}</span> })}
                            </div>
                        }
                    }).collect_view()}
                </div>
            }).collect_view()}
        </div>
        {day_list}
    }
}

/// Seven days side by side (stacked on a phone), each with its occurrences in time order.
#[component]
fn WeekList(list: Vec<OccurrenceView>, start: i64, today: i64) -> impl IntoView {
    let i18n = use_i18n();
    let heads = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    view! {
        <div class="week">
            {(0..7).map(|i| {
                let day = start + i;
                let date = ymd(day);
                let items: Vec<OccurrenceView> = list.iter().filter(|o| o.starts_at.starts_with(&date)).cloned().collect();
                let empty = items.is_empty();
                view! {
                    <section class=if day == today { "week-day today" } else { "week-day" } aria-label=date.clone()>
                        <h2><span>{move || i18n.t(&format!("events.wd.{}", heads[i as usize]))}</span>" "{date[5..].to_owned()}</h2>
                        <ul>
                            {items.into_iter().map(|o| view! {
                                <li><A href=occurrence_href(&o) attr:class=format!("chip cat-{}", o.category)>
                                    <span class="chip-time">{format!("{}–{}", &o.starts_at[11..16], &o.ends_at[11..16])}</span>" "{o.title.clone()}
                                </A></li>
                            }).collect_view()}
                        </ul>
                        {empty.then(|| view! { <p class="muted">"—"</p> })}
                    </section>
                }
            }).collect_view()}
        </div>
    }
}

#[component]
fn Agenda(list: Vec<OccurrenceView>) -> impl IntoView {
    let i18n = use_i18n();
    if list.is_empty() {
        return view! { <p>{move || i18n.t("events.none")}</p> }.into_any();
    }
    view! {
        <ul class="agenda">
            {list.into_iter().map(|o| {
                let places = i18n.tf("events.places", &[("taken", o.taken.to_string()), ("capacity", o.capacity.to_string())]);
                let category = o.category.clone();
                view! {
                    <li class="event card">
                        <div class="event-head">
                            <h2><A href=occurrence_href(&o)>{o.title.clone()}</A></h2>
                            <span class="tag">{move || i18n.t(&format!("events.cat.{category}"))}</span>
                        </div>
                        <p class="when"><time datetime=o.starts_at.clone()>{format!("{} {}–{}", &o.starts_at[..10], &o.starts_at[11..16], &o.ends_at[11..16])}</time></p>
                        <p class="muted">{o.location.clone()}" · "{o.unit_name.clone()}</p>
                        <p class="muted">{places}{o.cancelled.then(|| view! { " · " <strong class="error-text">{move || i18n.t("events.cancelled")}</strong> })}</p>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// `/events/:id?at=…`: one occurrence.
#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let version = RwSignal::new(0u32);
    let detail = LocalResource::new(move || {
        version.track();
        let id = params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0);
        let at = query.read().get("at").unwrap_or_default();
        api::event_detail(id, at)
    });
    view! {
        <section class="page">
            <p><A href="/events">{move || use_i18n().t("events.back")}</A></p>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || detail.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(d) => view! { <Occurrence detail=d version=version/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Occurrence(detail: OccurrenceDetail, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let o = detail.occurrence.clone();
    let id = o.event_id;
    let at = o.recurrence_id.clone();
    let error = RwSignal::new(None::<AppError>);
    let guests = RwSignal::new(
        detail
            .mine
            .as_ref()
            .map(|m| (m.seats - 1).max(0))
            .unwrap_or(0)
            .to_string(),
    );
    let busy = RwSignal::new(false);
    let answer = {
        let at = at.clone();
        move |going: bool| {
            let at = at.clone();
            busy.set(true);
            error.set(None);
            let g = guests.get_untracked().parse::<i64>().unwrap_or(0);
            leptos::task::spawn_local(async move {
                match api::event_rsvp(id, at, going, g).await {
                    Ok(_) => version.update(|v| *v += 1),
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        }
    };
    let answer2 = answer.clone();
    let mine = detail.mine.clone();
    let active = mine
        .as_ref()
        .is_some_and(|m| m.status != RsvpStatus::NotGoing);
    let rule = detail.rrule.clone();
    let category = o.category.clone();
    let places = i18n.tf(
        "events.places",
        &[
            ("taken", o.taken.to_string()),
            ("capacity", o.capacity.to_string()),
        ],
    );
    view! {
        <article class="card occurrence">
            <div class="event-head">
                <h1>{o.title.clone()}</h1>
                <span class="tag">{move || i18n.t(&format!("events.cat.{category}"))}</span>
            </div>
            <dl class="facts">
                <dt>{move || i18n.t("events.time")}</dt>
                <dd><time datetime=o.starts_at.clone()>{format!("{} {}–{}", &o.starts_at[..10], &o.starts_at[11..16], &o.ends_at[11..16])}</time>
                    {o.moved.then(|| view! { " · " <strong>{move || i18n.t("events.moved")}</strong> })}
                    {rule.map(|r| view! { " · " {move || describe_rrule(&i18n, &r)} })}</dd>
                <dt>{move || i18n.t("events.location")}</dt><dd>{o.location.clone()}
                    {detail.grid_code.clone().map(|g| view! { " · " <A href=format!("/map?grid={g}")>{move || i18n.t("events.place_on_map")}</A> })}</dd>
                <dt>{move || i18n.t("events.organiser")}</dt><dd>{o.unit_name.clone()}</dd>
                <dt>{move || i18n.t("events.places_label")}</dt><dd class="places">{places}</dd>
            </dl>
            {(!detail.description.is_empty()).then(|| view! { <p class="description">{detail.description.clone()}</p> })}
            <p><a href=format!("/feeds/events/{id}.ics") download=format!("linli-event-{id}.ics")>{move || i18n.t("events.download_ics")}</a></p>
            {o.cancelled.then(|| view! { <p class="error" role="alert">{move || i18n.t("events.cancelled")}</p> })}
            <div class="rsvp-box" aria-live="polite">
                {mine.clone().map(|m| view! { <MyRsvp mine=m/> })}
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                {if !detail.rsvp_open {
                    view! { <p class="muted">{move || i18n.t("events.rsvp_closed")}</p> }.into_any()
                } else if active {
                    let answer = answer2.clone();
                    view! { <button type="button" disabled=move || busy.get() on:click=move |_| answer(false)>{move || i18n.t("events.cancel_rsvp")}</button> }.into_any()
                } else {
                    let answer = answer.clone();
                    let max_guests = detail.guests_allowed;
                    view! {
                        <div class="rsvp-actions">
                            {(max_guests > 0).then(|| view! {
                                <label class="inline">{move || i18n.t("events.guests")}
                                    <select bind:value=guests>
                                        {(0..=max_guests).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                                    </select>
                                </label>
                            })}
                            <button type="button" class="primary" disabled=move || busy.get() on:click=move |_| answer(true)>
                                {move || i18n.t(if o.taken >= o.capacity { "events.join_waitlist" } else { "events.rsvp" })}
                            </button>
                        </div>
                    }.into_any()
                }}
            </div>
        </article>
        {detail.can_manage.then(|| view! {
            <p class="manage-links"><A href=format!("/events/{id}/edit?at={at}") attr:class="button">{move || i18n.t("events.edit")}</A></p>
        })}
        {(detail.can_manage && !o.cancelled).then(|| view! { <CancelOccurrence id=id at=at.clone() version=version/> })}
        {detail.can_manage.then(|| view! { <CheckInDesk id=id at=at.clone() version=version/> })}
    }
}

/// Cancels this one occurrence after a confirmation; the series goes on.
#[component]
fn CancelOccurrence(id: i64, at: String, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let confirm = move |_| {
        let at = at.clone();
        leptos::task::spawn_local(async move {
            match api::event_cancel_occurrence(id, at).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="card manage">
            <Show when=move || confirming.get() fallback=move || view! {
                <button type="button" on:click=move |_| confirming.set(true)>{move || i18n.t("events.cancel_occurrence")}</button>
            }>
                <p role="alert">{move || i18n.t("events.cancel_occurrence_confirm")}</p>
                <button type="button" class="primary" on:click=confirm.clone()>{move || i18n.t("events.cancel_occurrence_yes")}</button>
                " "
                <button type="button" on:click=move |_| confirming.set(false)>{move || i18n.t("common.back")}</button>
            </Show>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        </div>
    }
}

#[component]
fn MyRsvp(mine: RsvpView) -> impl IntoView {
    let i18n = use_i18n();
    match mine.status {
        RsvpStatus::Going => {
            let code = mine.checkin_code.clone();
            view! {
                <div class="my-rsvp going">
                    <p class="ok"><strong>{move || i18n.tf("events.you_are_going", &[("n", mine.seats.to_string())])}</strong></p>
                    <p class="muted">{move || i18n.t("events.show_code")}</p>
                    <QrCode code=code.clone()/>
                    <p class="code" aria-label=move || i18n.t("events.code")><code>{code.clone()}</code></p>
                </div>
            }
            .into_any()
        }
        RsvpStatus::Waitlisted => view! {
            <p class="my-rsvp waitlisted"><strong>{move || i18n.tf("events.you_are_waiting", &[("n", mine.position.unwrap_or(0).to_string())])}</strong></p>
        }
        .into_any(),
        RsvpStatus::NotGoing => view! { <p class="muted">{move || i18n.t("events.you_are_not_going")}</p> }.into_any(),
    }
}

/// The check-in code as a QR code, drawn as SVG from the modules the `qrcode` crate computes.
#[component]
fn QrCode(code: String) -> impl IntoView {
    let i18n = use_i18n();
    let Some((w, modules)) = crate::qr::modules(&code) else {
        return view! { <span/> }.into_any();
    };
    let quiet = 4;
    let size = w + 2 * quiet;
    let mut d = String::new();
    for (i, dark) in modules.iter().enumerate() {
        if *dark {
            d.push_str(&format!("M{},{}h1v1h-1z", i % w + quiet, i / w + quiet));
        }
    }
    view! {
        <svg class="qr" viewBox=format!("0 0 {size} {size}") role="img" aria-label=move || i18n.t("events.qr")
            shape-rendering="crispEdges">
            <rect width=size height=size fill="#fff"/>
            <path d=d fill="#000"/>
        </svg>
    }
    .into_any()
}

#[component]
fn CheckInDesk(id: i64, at: String, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let code = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<CheckInView, AppError>>);
    let at2 = at.clone();
    let at3 = at.clone();
    // Checking in changes only the attendee list: refresh that, not the page (which would also
    // clear the result message the organiser needs to read).
    let checked = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        checked.track();
        api::event_attendees(id, at2.clone())
    });
    // Typed or scanned, a code goes the same way.
    let check_in = Callback::new(move |typed: String| {
        let at = at.clone();
        leptos::task::spawn_local(async move {
            let r = api::event_check_in(id, at, typed).await;
            if result.is_disposed() {
                return;
            }
            if r.is_ok() {
                code.set(String::new());
            }
            result.set(Some(r));
            checked.update(|v| *v += 1);
        });
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check_in.run(code.get_untracked());
    };
    let scanned = Callback::new(move |c: String| {
        code.set(c.clone());
        check_in.run(c);
    });
    view! {
        <section class="card desk">
            <h2>{move || i18n.t("events.checkin_title")}</h2>
            <form class="inline-form" on:submit=submit>
                <label>{move || i18n.t("events.code")}
                    <input name="code" bind:value=code autocomplete="off" autocapitalize="off" spellcheck="false" maxlength="64"/>
                </label>
                <button type="submit" class="primary">{move || i18n.t("events.check_in")}</button>
            </form>
            <super::scanner::CameraScanner on_code=scanned/>
            {move || result.get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                Ok(CheckInView::Done { display_name, seats }) => view! { <p class="ok" role="status">{i18n.tf("events.checked_in", &[("name", display_name), ("n", seats.to_string())])}</p> }.into_any(),
                Ok(CheckInView::AlreadyCheckedIn { display_name }) => view! { <p class="error" role="alert">{i18n.tf("events.already_checked_in", &[("name", display_name)])}</p> }.into_any(),
                Ok(CheckInView::NotGoing) => view! { <p class="error" role="alert">{i18n.t("events.checkin_not_going")}</p> }.into_any(),
                Ok(CheckInView::Unknown) => view! { <p class="error" role="alert">{i18n.t("events.checkin_unknown")}</p> }.into_any(),
            })}
            <h3>{move || i18n.t("events.attendees")}</h3>
            <p class="export-links">
                <a href=format!("/export/attendees.csv?event={id}&at={at3}") download="">{move || i18n.t("events.export_masked")}</a>
            </p>
            // Revealing phone numbers is a same-site POST with a stated reason (audited); a link
            // could be followed from another site.
            <form class="reveal-form" method="post" action="/export/attendees.csv">
                <input type="hidden" name="event" value=id.to_string()/>
                <input type="hidden" name="at" value=at3.clone()/>
                <label>{move || i18n.t("events.reveal_reason")}
                    <input name="reason" required maxlength="200"
                        placeholder=move || i18n.t("events.reveal_reason_hint")/>
                </label>
                <button type="submit">{move || i18n.t("events.export_reveal")}</button>
            </form>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap"><table class="attendees">
                            <thead><tr>
                                <th scope="col">{move || i18n.t("admin.display_name")}</th>
                                <th scope="col">{move || i18n.t("admin.status")}</th>
                                <th scope="col">{move || i18n.t("events.seats")}</th>
                                <th scope="col">{move || i18n.t("events.checked_in_col")}</th>
                            </tr></thead>
                            <tbody>{rows.into_iter().map(|a| {
                                let status = match a.status {
                                    RsvpStatus::Going => i18n.t("events.status_going"),
                                    RsvpStatus::Waitlisted => i18n.tf("events.status_waiting", &[("n", a.position.to_string())]),
                                    RsvpStatus::NotGoing => i18n.t("events.status_not_going"),
                                };
                                view! { <tr><td>{a.display_name}</td><td>{status}</td><td>{a.seats}</td><td>{if a.checked_in { "✓" } else { "" }}</td></tr> }
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// What the event form edits; strings as the inputs hold them.
#[derive(Clone, Debug, Default)]
pub struct EventFields {
    pub unit: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub location: String,
    pub starts_at: String,
    pub ends_at: String,
    /// none | service-days | weekly | monthly | custom
    pub repeat: String,
    pub custom: String,
    pub capacity: String,
    pub guests: String,
    pub deadline: String,
    pub visibility: String,
    /// For edits of a recurring event: series | following
    pub mode: String,
    /// Grid code and map point `lon,lat`, both optional.
    pub grid: String,
    pub point: String,
}

impl EventFields {
    fn rule(&self) -> String {
        match self.repeat.as_str() {
            "service-days" => "FREQ=MONTHLY;BYMONTHDAY=15,25".to_owned(),
            "weekly" => "FREQ=WEEKLY".to_owned(),
            "monthly" => "FREQ=MONTHLY".to_owned(),
            "custom" => self.custom.clone(),
            _ => String::new(),
        }
    }

    fn from_rule(rule: Option<&str>) -> (String, String) {
        match rule {
            None => ("none".into(), String::new()),
            Some("FREQ=MONTHLY;BYMONTHDAY=15,25") => ("service-days".into(), String::new()),
            Some("FREQ=WEEKLY") => ("weekly".into(), String::new()),
            Some("FREQ=MONTHLY") => ("monthly".into(), String::new()),
            Some(r) => ("custom".into(), r.to_owned()),
        }
    }

    fn num(s: &str) -> i64 {
        s.trim().parse::<i64>().unwrap_or(-1)
    }
}

/// The form shared by publishing and editing. `recurring_edit` adds the question every calendar
/// asks when a recurring event changes: the whole series, or this occurrence and the following.
#[component]
fn EventForm(
    initial: EventFields,
    recurring_edit: bool,
    submit_key: &'static str,
    error: RwSignal<Option<AppError>>,
    on_submit: impl Fn(EventFields) + Clone + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let f = |v: &str| RwSignal::new(v.to_owned());
    let (unit, title, description, category, location) = (
        f(&initial.unit),
        f(&initial.title),
        f(&initial.description),
        f(&initial.category),
        f(&initial.location),
    );
    let (starts, ends, repeat, custom) = (
        f(&initial.starts_at),
        f(&initial.ends_at),
        f(&initial.repeat),
        f(&initial.custom),
    );
    let (capacity, guests, deadline, visibility, mode) = (
        f(&initial.capacity),
        f(&initial.guests),
        f(&initial.deadline),
        f(&initial.visibility),
        f(&initial.mode),
    );
    let (grid, point) = (f(&initial.grid), f(&initial.point));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        on_submit(EventFields {
            unit: unit.get_untracked(),
            title: title.get_untracked(),
            description: description.get_untracked(),
            category: category.get_untracked(),
            location: location.get_untracked(),
            starts_at: starts.get_untracked(),
            ends_at: ends.get_untracked(),
            repeat: repeat.get_untracked(),
            custom: custom.get_untracked(),
            capacity: capacity.get_untracked(),
            guests: guests.get_untracked(),
            deadline: deadline.get_untracked(),
            visibility: visibility.get_untracked(),
            mode: mode.get_untracked(),
            grid: grid.get_untracked(),
            point: point.get_untracked(),
        });
    };
    view! {
        <form class="grid-form" on:submit=submit>
            {recurring_edit.then(|| view! {
                <fieldset class="wide mode">
                    <legend>{move || i18n.t("events.edit_scope")}</legend>
                    <label class="check"><input type="radio" name="mode" value="series"
                        prop:checked=move || mode.get() == "series" on:change=move |_| mode.set("series".into())/>
                        {move || i18n.t("events.edit_series")}</label>
                    <label class="check"><input type="radio" name="mode" value="this"
                        prop:checked=move || mode.get() == "this" on:change=move |_| mode.set("this".into())/>
                        {move || i18n.t("events.edit_this")}</label>
                    <label class="check"><input type="radio" name="mode" value="following"
                        prop:checked=move || mode.get() == "following" on:change=move |_| mode.set("following".into())/>
                        {move || i18n.t("events.edit_following")}</label>
                    <p class="muted">{move || i18n.t("events.edit_one_hint")}</p>
                </fieldset>
            })}
            <label class="wide">{move || i18n.t("events.f_title")}<input name="title" required maxlength="100" bind:value=title/></label>
            <label>{move || i18n.t("events.category")}
                <select name="category" bind:value=category>
                    {domain::event::Category::ALL.map(|c| view! { <option value=c.as_str()>{move || i18n.t(&format!("events.cat.{}", c.as_str()))}</option> }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t("events.f_unit")}<input name="unit" inputmode="numeric" required bind:value=unit disabled=recurring_edit || !initial.mode.is_empty()/></label>
            <label>{move || i18n.t("events.location")}<input name="location" maxlength="200" bind:value=location/></label>
            <label>{move || i18n.t("events.f_grid")}<input name="grid" inputmode="numeric" bind:value=grid
                placeholder=move || i18n.t("events.f_grid_hint")/></label>
            <label>{move || i18n.t("events.f_point")}<input name="point" bind:value=point
                placeholder=move || i18n.t("events.f_point_hint")/></label>
            <label>{move || i18n.t("events.f_start")}<input name="starts_at" type="datetime-local" required bind:value=starts/></label>
            <label>{move || i18n.t("events.f_end")}<input name="ends_at" type="datetime-local" required bind:value=ends/></label>
            <label>{move || i18n.t("events.f_repeat")}
                <select name="repeat" bind:value=repeat>
                    <option value="none">{move || i18n.t("events.r_none")}</option>
                    <option value="service-days">{move || i18n.t("events.r_service_days")}</option>
                    <option value="weekly">{move || i18n.t("events.weekly")}</option>
                    <option value="monthly">{move || i18n.t("events.monthly")}</option>
                    <option value="custom">{move || i18n.t("events.r_custom")}</option>
                </select>
            </label>
            <Show when=move || repeat.get() == "custom">
                <label>"RRULE"<input name="rrule" placeholder="FREQ=MONTHLY;BYDAY=2SA" bind:value=custom/></label>
            </Show>
            <label>{move || i18n.t("events.f_capacity")}<input name="capacity" type="number" min="1" max="10000" required bind:value=capacity/></label>
            <label>{move || i18n.t("events.f_guests")}<input name="guests" type="number" min="0" max="10" bind:value=guests/></label>
            <label>{move || i18n.t("events.f_deadline")}<input name="deadline" type="number" min="0" bind:value=deadline/></label>
            <label>{move || i18n.t("events.f_visibility")}
                <select name="visibility" bind:value=visibility>
                    {domain::event::Visibility::ALL.map(|v| view! { <option value=v.as_str()>{move || i18n.t(&format!("events.vis.{}", v.as_str()))}</option> }).collect_view()}
                </select>
            </label>
            <label class="wide">{move || i18n.t("events.f_description")}<textarea name="description" rows="4" maxlength="5000" bind:value=description></textarea></label>
            <div class="form-end wide">
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class="primary">{move || i18n.t(submit_key)}</button>
            </div>
        </form>
    }
}

/// `/events/new`: publish an event.
#[component]
pub fn NewEventPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = crate::use_auth();
    let navigate = use_navigate();
    let tomorrow = ymd(today_days() + 1);
    let unit = auth
        .user()
        .and_then(|u| u.scope)
        .unwrap_or_else(|| "320113001".into());
    let initial = EventFields {
        unit: unit.clone(),
        category: "service-day".into(),
        starts_at: format!("{tomorrow}T09:00"),
        ends_at: format!("{tomorrow}T11:00"),
        repeat: "none".into(),
        capacity: "50".into(),
        guests: "0".into(),
        deadline: "60".into(),
        visibility: "public".into(),
        ..Default::default()
    };
    let error = RwSignal::new(None::<AppError>);
    let submit = move |v: EventFields| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let rule = v.rule();
            let r = api::event_create(
                v.unit.clone(),
                v.title.clone(),
                v.description.clone(),
                v.category.clone(),
                v.location.clone(),
                v.starts_at.clone(),
                v.ends_at.clone(),
                rule,
                EventFields::num(&v.capacity),
                EventFields::num(&v.guests),
                EventFields::num(&v.deadline),
                v.visibility.clone(),
                Some(v.grid.clone()),
                Some(v.point.clone()),
            )
            .await;
            match r {
                Ok(id) => navigate(
                    &format!("/events/{id}?at={}", v.starts_at),
                    Default::default(),
                ),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="page">
            <h1>{move || i18n.t("events.new")}</h1>
            <EventForm initial=initial recurring_edit=false submit_key="events.publish" error=error on_submit=submit/>
            <super::events_import::IcsImport unit=unit/>
        </section>
    }
}

/// `/events/:id/edit?at=…`: change an event, starting from one of its occurrences.
#[component]
pub fn EditEventPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let at = move || query.read().get("at").unwrap_or_default();
    let detail = LocalResource::new(move || api::event_detail(id(), at()));
    view! {
        <section class="page">
            <p><A href=move || format!("/events/{}?at={}", id(), at())>{move || i18n.t("events.back_to_event")}</A></p>
            <h1>{move || i18n.t("events.edit")}</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || detail.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(d) if !d.can_manage => view! { <ErrorNote error=AppError::Forbidden/> }.into_any(),
                    Ok(d) => view! { <EditForm detail=d/> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn EditForm(detail: OccurrenceDetail) -> impl IntoView {
    let navigate = use_navigate();
    let o = detail.occurrence.clone();
    let (repeat, custom) = EventFields::from_rule(detail.rrule.as_deref());
    let recurring = detail.rrule.is_some();
    let initial = EventFields {
        unit: detail.unit_code.clone(),
        title: o.title.clone(),
        description: detail.description.clone(),
        category: o.category.clone(),
        location: o.location.clone(),
        starts_at: o.starts_at.clone(),
        ends_at: o.ends_at.clone(),
        repeat,
        custom,
        capacity: o.capacity.to_string(),
        guests: detail.guests_allowed.to_string(),
        deadline: detail.rsvp_deadline_minutes.to_string(),
        visibility: detail.visibility.clone(),
        mode: "series".into(),
        grid: detail.grid_code.clone().unwrap_or_default(),
        point: detail.point.clone().unwrap_or_default(),
    };
    let error = RwSignal::new(None::<AppError>);
    let (id, version, at) = (o.event_id, detail.version, o.recurrence_id.clone());
    let submit = move |v: EventFields| {
        let navigate = navigate.clone();
        let at = at.clone();
        leptos::task::spawn_local(async move {
            let r = api::event_update(
                id,
                version,
                v.mode.clone(),
                at.clone(),
                v.title.clone(),
                v.description.clone(),
                v.category.clone(),
                v.location.clone(),
                v.starts_at.clone(),
                v.ends_at.clone(),
                v.rule(),
                EventFields::num(&v.capacity),
                EventFields::num(&v.guests),
                EventFields::num(&v.deadline),
                v.visibility.clone(),
                Some(v.grid.clone()),
                Some(v.point.clone()),
            )
            .await;
            match r {
                Ok(new_id) => navigate(
                    &format!("/events/{new_id}?at={}", v.starts_at),
                    Default::default(),
                ),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! { <EventForm initial=initial recurring_edit=recurring submit_key="events.save" error=error on_submit=submit/> }
}

/// Horizontal bars drawn as SVG: one row per item, the value written at the end of the bar.
#[component]
fn BarChart(
    items: Vec<(String, f64)>,
    max: f64,
    suffix: &'static str,
    label: String,
) -> impl IntoView {
    let row = 28.0;
    let height = row * items.len() as f64 + 4.0;
    let max = if max > 0.0 { max } else { 1.0 };
    view! {
        <svg class="chart" viewBox=format!("0 0 600 {height}") role="img" aria-label=label preserveAspectRatio="xMinYMin meet">
            {items.into_iter().enumerate().map(|(i, (name, v))| {
                let y = 2.0 + i as f64 * row;
                let w = (v / max * 300.0).max(1.0);
                view! {
                    <g>
                        <text x="0" y=y + 18.0 class="chart-label">{name}</text>
                        <rect x="230" y=y + 4.0 width=w height=row - 8.0 rx="3" class="chart-bar"/>
                        <text x=236.0 + w y=y + 18.0 class="chart-value">{format!("{v}{suffix}")}</text>
                    </g>
                }
            }).collect_view()}
        </svg>
    }
}

/// `/events/stats`: participation statistics for organisers and administrators.
#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let today = today_days();
    let from = RwSignal::new(ymd(today - 90));
    let to = RwSignal::new(ymd(today + 30));
    let stats = LocalResource::new(move || {
        api::events_stats(
            format!("{}T00:00", from.get()),
            format!("{}T00:00", to.get()),
        )
    });
    view! {
        <section class="page">
            <p><A href="/events">{move || i18n.t("events.back")}</A></p>
            <h1>{move || i18n.t("stats.title")}</h1>
            <div class="toolbar">
                <label class="inline">{move || i18n.t("stats.from")}<input type="date" bind:value=from/></label>
                <label class="inline">{move || i18n.t("stats.to")}<input type="date" bind:value=to/></label>
            </div>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || stats.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok(s) if s.occurrences.is_empty() => view! { <p>{move || i18n.t("stats.none")}</p> }.into_any(),
                    Ok(s) => {
                        let fills: Vec<(String, f64)> = s.occurrences.iter().rev().take(12).map(|o| (format!("{} {}", &o.starts_at[5..10], o.title.chars().take(10).collect::<String>()), o.fill_rate)).collect();
                        let hours: Vec<(String, f64)> = s.people.iter().take(10).map(|p| (p.person.clone(), p.hours)).collect();
                        let max_h = hours.iter().map(|h| h.1).fold(0.0, f64::max);
                        view! {
                            <h2>{move || i18n.t("stats.fill")}</h2>
                            <BarChart items=fills max=100.0 suffix="%" label=i18n.t("stats.fill")/>
                            <h2>{move || i18n.t("stats.hours")}</h2>
                            {if hours.is_empty() {
                                view! { <p class="muted">{move || i18n.t("stats.no_checkins")}</p> }.into_any()
                            } else {
                                view! { <BarChart items=hours max=max_h suffix="h" label=i18n.t("stats.hours")/> }.into_any()
                            }}
                            <h2>{move || i18n.t("stats.units")}</h2>
                            <div class="table-wrap"><table class="stats">
                                <thead><tr>
                                    <th scope="col">{move || i18n.t("events.organiser")}</th>
                                    <th scope="col">{move || i18n.t("stats.occurrences")}</th>
                                    <th scope="col">{move || i18n.t("stats.rsvps")}</th>
                                    <th scope="col">{move || i18n.t("stats.checkins")}</th>
                                    <th scope="col">{move || i18n.t("stats.unit_hours")}</th>
                                    <th scope="col">{move || i18n.t("stats.avg_fill")}</th>
                                </tr></thead>
                                <tbody>{s.units.into_iter().map(|u| view! {
                                    <tr><td>{u.unit_name}</td><td>{u.occurrences}</td><td>{u.rsvps}</td><td>{u.check_ins}</td><td>{u.hours}</td><td>{format!("{}%", u.average_fill_rate)}</td></tr>
                                }).collect_view()}</tbody>
                            </table></div>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
