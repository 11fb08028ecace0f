//! One occurrence: RSVP, waitlist, check-in QR code, the organiser's attendee list and check-in desk.

use super::*;

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
            <Loaded resource=detail ok=move |d| view! { <Occurrence detail=d version=version/> }/>
        </section>
    }
}

#[component]
pub(super) fn Occurrence(detail: OccurrenceDetail, version: RwSignal<u32>) -> impl IntoView {
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
            <crate::pages::services::ServedNeeds event_id=id/>
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
pub(super) fn CancelOccurrence(id: i64, at: String, version: RwSignal<u32>) -> impl IntoView {
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
pub(super) fn MyRsvp(mine: RsvpView) -> impl IntoView {
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
pub(super) fn QrCode(code: String) -> impl IntoView {
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
pub(super) fn CheckInDesk(id: i64, at: String, version: RwSignal<u32>) -> impl IntoView {
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
            <Loaded resource=list ok=move |rows| view! {
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
                    }/>
        </section>
    }
}
