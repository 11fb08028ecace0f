//! "My claims and hours": a member's claims and wishes with what they can do next, the hours
//! record, and the printable certificate.

use super::*;

#[component]
pub(super) fn Mine() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let mine = LocalResource::new(move || {
        version.track();
        api::service_mine()
    });
    view! {
        <super::reporting::ReportIn/>
        <Loaded resource=mine ok=move |m| {
            let year = m.year;
            let pct = if m.target_minutes > 0 { (m.year_minutes * 100 / m.target_minutes).min(100) } else { 0 };
            let claims = m.claims.clone();
            let wishes = m.wishes.clone();
            view! {
                <section class="card hours-summary" aria-labelledby="hours-h">
                    <h2 id="hours-h">{move || i18n.tf("service.year_hours", &[("year", year.to_string())])}</h2>
                    <p class="big">{move || i18n.tf("service.hours_of_target", &[
                        ("hours", hours(m.year_minutes)),
                        ("target", hours(m.target_minutes)),
                    ])}</p>
                    <progress class="meter" max="100" value=pct.to_string() aria-label=move || i18n.t("service.target")></progress>
                    <p class="actions">
                        <a href=format!("/services/certificate?year={year}")>{move || i18n.t("service.certificate")}</a>
                        <a href=format!("/export/hours.csv?year={year}") download>{move || i18n.t("service.export_csv")}</a>
                        <a href=format!("/export/hours.xlsx?year={year}") download>{move || i18n.t("service.export_xlsx")}</a>
                    </p>
                </section>
                <h2>{move || i18n.t("service.my_claims")}</h2>
                {if claims.is_empty() {
                    view! { <p class="muted">{move || i18n.t("service.no_claims_yet")}</p> }.into_any()
                } else {
                    view! { <ul class="service-cards">{claims.into_iter().map(|c| view! { <li><MyClaim claim=c version=version/></li> }).collect_view()}</ul> }.into_any()
                }}
                <h2>{move || i18n.t("service.my_wishes")}</h2>
                {if wishes.is_empty() {
                    view! { <p class="muted">{move || i18n.t("service.no_wishes_yet")}</p> }.into_any()
                } else {
                    view! { <ul class="service-cards">{wishes.into_iter().map(|w| view! { <li><MyWish wish=w version=version/></li> }).collect_view()}</ul> }.into_any()
                }}
                <h2>{move || i18n.t("service.hours_record")}</h2>
                <HoursTable hours=m.hours.clone()/>
            }
        }/>
    }
}

#[component]
fn MyClaim(claim: ClaimView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let c = claim;
    let id = c.id;
    let error = RwSignal::new(None::<AppError>);
    let reason = RwSignal::new(String::new());
    let act = move |action: &'static str| {
        run(
            api::service_claim_action(id, action.into(), reason.get_untracked(), 0),
            version,
            error,
        )
    };
    let state = c.state.clone();
    let can = move |s: &[&str]| s.contains(&state.as_str());
    let offered = can(&["offered"]);
    view! {
        <article class="card claim">
            <header class="listing-head">
                <h3>{c.listing_title.clone()}</h3>
                <StateTag state=c.state.clone()/>
            </header>
            <p class="muted">{move || i18n.tf("service.claimed_amount", &[("n", c.amount.to_string())])}
                {(!c.reason.is_empty()).then(|| view! { " · " {c.reason.clone()} })}</p>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <div class="actions">
                {offered.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| act("accept")>{move || i18n.t("service.accept")}</button>
                    <label class="inline">{move || i18n.t("service.reason")}<input type="text" maxlength="200" bind:value=reason/></label>
                    <button type="button" on:click=move |_| act("decline")>{move || i18n.t("service.decline")}</button>
                })}
                {can(&["claimed"]).then(|| view! {
                    <button type="button" on:click=move |_| act("start")>{move || i18n.t("service.start")}</button>
                })}
                {can(&["claimed", "in-progress"]).then(|| view! {
                    <button type="button" class="primary" on:click=move |_| act("finish")>{move || i18n.t("service.finish")}</button>
                    <button type="button" on:click=move |_| act("withdraw")>{move || i18n.t("service.withdraw")}</button>
                })}
            </div>
        </article>
    }
}

#[component]
fn MyWish(wish: WishView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let w = wish;
    let (id, v) = (w.id, w.version);
    let error = RwSignal::new(None::<AppError>);
    let note = RwSignal::new(String::new());
    let minutes = RwSignal::new("60".to_owned());
    let act = move |action: &'static str| {
        let m = minutes.get_untracked().trim().parse().unwrap_or(0);
        run(
            api::service_wish_action(
                id,
                v,
                action.into(),
                String::new(),
                note.get_untracked(),
                m,
                None,
            ),
            version,
            error,
        )
    };
    let photo = NodeRef::<leptos::html::Input>::new();
    let photo_error = RwSignal::new(None::<String>);
    let fulfil = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        photo_error.set(None);
        error.set(None);
        let m = minutes.get_untracked().trim().parse().unwrap_or(0);
        let n = note.get_untracked();
        leptos::task::spawn_local(async move {
            // The proof goes up first, so the wish is never fulfilled with its photo lost.
            if let Some(el) = photo.get_untracked() {
                match crate::photo::shrink_chosen(&el).await {
                    Ok(Some(data)) => {
                        if let Err(e) =
                            crate::api::photos::service_wish_photo(id, "fulfilment".into(), data)
                                .await
                        {
                            error.set(Some(e));
                            return;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        photo_error.set(Some(crate::photo::shrink_error(i18n, e)));
                        return;
                    }
                }
            }
            run(
                api::service_wish_action(id, v, "fulfil".into(), String::new(), n, m, None),
                version,
                error,
            );
        });
    };
    let remove = Callback::new(move |photo: i64| {
        run(
            crate::api::photos::service_photo_delete(photo),
            version,
            error,
        )
    });
    let s = w.state.clone();
    let owner_can_withdraw = w.mine && (s == "submitted" || s == "verified");
    let owner_confirms = w.mine && s == "fulfilled";
    let claimant_acts = w.claimed_by_me && s == "claimed";
    view! {
        <article class="card wish">
            <header class="listing-head">
                <h3>{w.title.clone()}</h3>
                <span class="tag">{move || i18n.t(if w.mine { "service.posted_by_me" } else { "service.claimed_by_me" })}</span>
                <StateTag state=w.state.clone()/>
            </header>
            {(!w.reason.is_empty()).then(|| view! { <p class="muted">{w.reason.clone()}</p> })}
            {(!w.note.is_empty()).then(|| view! { <p>{w.note.clone()}</p> })}
            <crate::photo::PhotoStrip photos=w.photos.clone() on_remove=remove/>
            {move || photo_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <div class="actions">
                {owner_can_withdraw.then(|| view! {
                    <button type="button" on:click=move |_| act("withdraw")>{move || i18n.t("service.withdraw")}</button>
                })}
                {owner_confirms.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| act("confirm")>{move || i18n.t("service.confirm_wish")}</button>
                })}
            </div>
            {claimant_acts.then(|| view! {
                <form class="inline-form" on:submit=fulfil>
                    <label>{move || i18n.t("service.fulfil_note")}
                        <input type="text" maxlength="1000" bind:value=note/>
                    </label>
                    <label class="short-label">{move || i18n.t("service.minutes")}
                        <input type="number" min="1" max="1440" required bind:value=minutes class="short"/>
                    </label>
                    <crate::photo::PhotoInput node=photo label="photo.fulfilment_optional"/>
                    <button type="submit" class="primary">{move || i18n.t("service.fulfil")}</button>
                    <button type="button" on:click=move |_| act("release")>{move || i18n.t("service.release")}</button>
                </form>
            })}
        </article>
    }
}

/// Hours records, newest first.
#[component]
fn HoursTable(hours: Vec<api::HoursView>) -> impl IntoView {
    let i18n = use_i18n();
    if hours.is_empty() {
        return view! { <p class="muted">{move || i18n.t("service.no_hours")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap"><table class="hours">
            <thead><tr>
                <th scope="col">{move || i18n.t("service.date")}</th>
                <th scope="col">{move || i18n.t("service.what")}</th>
                <th scope="col">{move || i18n.t("service.organiser")}</th>
                <th scope="col">{move || i18n.t("service.hours")}</th>
                <th scope="col">{move || i18n.t("service.confirmed_by")}</th>
                <th scope="col">{move || i18n.t("service.source")}</th>
            </tr></thead>
            <tbody>{hours.into_iter().map(|h| {
                let source = h.source.clone();
                view! {
                    <tr><td>{h.served_on}</td><td>{h.what}</td><td>{h.organiser}</td>
                        <td class="num">{super::hours(h.minutes)}</td><td>{h.confirmed_by}</td>
                        <td>{move || i18n.t(&format!("service.source.{source}"))}</td></tr>
                }
            }).collect_view()}</tbody>
        </table></div>
    }
    .into_any()
}

/// `/services/certificate?year=`: the member's service hours of a year, to print or save as PDF.
#[component]
pub fn CertificatePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let year = move || {
        query
            .read()
            .get("year")
            .and_then(|y| y.parse::<i32>().ok())
            .unwrap_or_else(this_year)
    };
    let mine = LocalResource::new(api::service_mine);
    let print = move |_| {
        #[cfg(feature = "csr")]
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <section class="page certificate">
            <p class="no-print"><A href="/services?tab=mine">{move || i18n.t("service.back")}</A>
                " " <button type="button" class="primary" on:click=print>{move || i18n.t("service.print")}</button></p>
            <Loaded resource=mine ok=move |m| {
                let y = year();
                let prefix = format!("{y:04}-");
                let mut rows: Vec<_> = m.hours.into_iter().filter(|h| h.served_on.starts_with(&prefix)).collect();
                rows.reverse();
                let total: i64 = rows.iter().map(|h| h.minutes).sum();
                let count = rows.len();
                let name = m.display_name.clone();
                let today = crate::ui::shanghai_now()[..10].to_owned();
                view! {
                    <article class="card cert">
                        <h1>{move || i18n.t("service.certificate_title")}</h1>
                        <p class="cert-text">{move || i18n.tf("service.certificate_text", &[
                            ("name", name.clone()),
                            ("year", y.to_string()),
                            ("count", count.to_string()),
                            ("hours", hours(total)),
                        ])}</p>
                        <HoursTable hours=rows/>
                        <p class="cert-foot">{move || i18n.t("service.certificate_basis")}</p>
                        <p class="cert-date">{today}</p>
                    </article>
                }
            }/>
        </section>
    }
}
