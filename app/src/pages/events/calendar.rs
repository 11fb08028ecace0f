//! The month calendar, the week list and the agenda, and subscribing to the calendar.

use super::*;

/// Monday = 0.
pub(super) fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

pub(super) fn is_narrow() -> bool {
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
pub(super) enum View {
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

pub(super) fn origin() -> String {
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
pub(super) fn Subscribe() -> impl IntoView {
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
pub(super) fn MonthGrid(
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
pub(super) fn WeekList(list: Vec<OccurrenceView>, start: i64, today: i64) -> impl IntoView {
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
pub(super) fn Agenda(list: Vec<OccurrenceView>) -> impl IntoView {
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
