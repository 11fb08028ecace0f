//! The organiser's desk: wishes to verify (with the wish-maker's contact on request, audited),
//! claims and wishes to confirm, and recording a wish for a resident without an account.

use super::*;

#[component]
pub(super) fn Desk() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let desk = LocalResource::new(move || {
        version.track();
        api::service_desk()
    });
    view! {
        <Loaded resource=desk ok=move |d| {
            let units = d.units.clone();
            let (n_verify, n_claims, n_wishes) = (d.to_verify.len(), d.to_confirm_claims.len(), d.to_confirm_wishes.len());
            view! {
                <h2>{move || i18n.tf("service.to_verify", &[("n", n_verify.to_string())])}</h2>
                {empty_or(i18n, n_verify == 0)}
                <ul class="service-cards">{d.to_verify.into_iter().map(|w| view! { <li><VerifyWish wish=w version=version/></li> }).collect_view()}</ul>
                <h2>{move || i18n.tf("service.to_confirm_claims", &[("n", n_claims.to_string())])}</h2>
                {empty_or(i18n, n_claims == 0)}
                <ul class="service-cards">{d.to_confirm_claims.into_iter().map(|c| view! { <li><ConfirmClaim claim=c version=version/></li> }).collect_view()}</ul>
                <h2>{move || i18n.tf("service.to_confirm_wishes", &[("n", n_wishes.to_string())])}</h2>
                {empty_or(i18n, n_wishes == 0)}
                <ul class="service-cards">{d.to_confirm_wishes.into_iter().map(|w| view! {
                    <li><super::wishes::WishCard wish=w.clone() version=version member=Signal::derive(|| false)/><ConfirmFor wish=w version=version/></li>
                }).collect_view()}</ul>
                <RecordWish units=units version=version/>
            }
        }/>
        <super::reporting::RosterDesk/>
    }
}

fn empty_or(i18n: I18n, empty: bool) -> Option<impl IntoView> {
    empty.then(|| view! { <p class="muted">{move || i18n.t("service.nothing_waiting")}</p> })
}

#[component]
fn VerifyWish(wish: WishView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let w = wish;
    let (id, v) = (w.id, w.version);
    let error = RwSignal::new(None::<AppError>);
    let reason = RwSignal::new(String::new());
    let contact = RwSignal::new(None::<api::WishContact>);
    let act = move |action: &'static str| {
        run(
            api::service_wish_action(
                id,
                v,
                action.into(),
                reason.get_untracked(),
                String::new(),
                0,
                None,
            ),
            version,
            error,
        )
    };
    let reveal = move |_| {
        leptos::task::spawn_local(async move {
            match api::service_wish_reveal(id).await {
                Ok(c) => contact.set(Some(c)),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let cat = w.category.clone();
    view! {
        <article class="card wish">
            <header class="listing-head">
                <h3>{w.title.clone()}</h3>
                <span class="tag">{move || category(i18n, &cat)}</span>
            </header>
            {(!w.description.is_empty()).then(|| view! { <p class="description">{w.description.clone()}</p> })}
            <crate::photo::PhotoStrip photos=w.photos.clone()/>
            <p>{move || i18n.t("service.for_whom")} ": " {w.who.clone()} " "
                {move || match contact.get() {
                    Some(c) => view! { <strong>{c.name} " " {c.phone}</strong> }.into_any(),
                    None => view! { <button type="button" class="link" on:click=reveal>{move || i18n.t("service.reveal")}</button> }.into_any(),
                }}
            </p>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| act("verify")>{move || i18n.t("service.verify")}</button>
                <label class="inline">{move || i18n.t("service.reason")}<input type="text" maxlength="200" bind:value=reason/></label>
                <button type="button" on:click=move |_| act("reject")>{move || i18n.t("service.reject")}</button>
            </div>
        </article>
    }
}

#[component]
fn ConfirmClaim(claim: ClaimView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let c = claim;
    let id = c.id;
    let error = RwSignal::new(None::<AppError>);
    let reason = RwSignal::new(String::new());
    let minutes = RwSignal::new("120".to_owned());
    let act = move |action: &'static str| {
        let m = minutes.get_untracked().trim().parse().unwrap_or(0);
        run(
            api::service_claim_action(id, action.into(), reason.get_untracked(), m),
            version,
            error,
        )
    };
    view! {
        <article class="card claim">
            <header class="listing-head"><h3>{c.listing_title.clone()}</h3><StateTag state=c.state.clone()/></header>
            <p>{c.claimant_name.clone()} " · " {move || i18n.tf("service.claimed_amount", &[("n", c.amount.to_string())])}</p>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <div class="actions">
                <label class="inline">{move || i18n.t("service.minutes")}
                    <input type="number" min="1" max="1440" bind:value=minutes class="short"/></label>
                <button type="button" class="primary" on:click=move |_| act("confirm")>{move || i18n.t("service.confirm")}</button>
                <label class="inline">{move || i18n.t("service.reason")}<input type="text" maxlength="200" bind:value=reason/></label>
                <button type="button" on:click=move |_| act("send-back")>{move || i18n.t("service.send_back")}</button>
            </div>
        </article>
    }
}

/// Confirms a wish for a resident without an account.
#[component]
fn ConfirmFor(wish: WishView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<AppError>);
    let (id, v) = (wish.id, wish.version);
    let confirm = move |_| {
        run(
            api::service_wish_action(
                id,
                v,
                "confirm".into(),
                String::new(),
                String::new(),
                0,
                None,
            ),
            version,
            error,
        )
    };
    view! {
        {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
        <button type="button" class="primary" on:click=confirm>{move || i18n.t("service.confirm_for")}</button>
    }
}

/// Records a wish for a resident without an account (the organiser talked to them).
#[component]
fn RecordWish(units: Vec<(String, String)>, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let unit = RwSignal::new(units.first().map(|u| u.0.clone()).unwrap_or_default());
    let beneficiary = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let cat = RwSignal::new("elderly".to_owned());
    let error = RwSignal::new(None::<AppError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let call = api::service_post_wish(
            unit.get_untracked(),
            title.get_untracked(),
            String::new(),
            cat.get_untracked(),
            beneficiary.get_untracked(),
            String::new(),
        );
        run(call, version, error);
    };
    view! {
        <details class="card publish">
            <summary>{move || i18n.t("service.record_wish")}</summary>
            <form class="stack" on:submit=submit>
                <div class="form-row">
                    <label>{move || i18n.t("service.unit")}
                        <select bind:value=unit>
                            {units.into_iter().map(|(code, name)| view! { <option value=code>{name}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{move || i18n.t("service.beneficiary")}
                        <input type="text" required maxlength="40" bind:value=beneficiary/>
                    </label>
                    <label>{move || i18n.t("service.category")}<CategorySelect value=cat all=false/></label>
                </div>
                <label>{move || i18n.t("service.wish_title")}
                    <input type="text" required maxlength="60" bind:value=title/>
                </label>
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class="primary">{move || i18n.t("service.post_wish_submit")}</button>
            </form>
        </details>
    }
}
