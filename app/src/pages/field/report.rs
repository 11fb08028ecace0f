//! Reporting a problem: category, description, the place (the point clicked on the map, or the
//! phone's own position) and a photo; kept in the outbox first, so a phone without signal loses
//! nothing. The outbox below shows each report's state.

use super::*;
use crate::outbox::{Job, Outbox, Pending, Sending, Sent};
use crate::ui::error_message;

#[component]
pub(super) fn NewReport() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let read = |k: &str| {
        query
            .read_untracked()
            .get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|v| v.is_finite())
    };
    let place = RwSignal::new(read("lon").zip(read("lat")));
    let categories = LocalResource::new(api::field_categories);
    let category = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let fixed = RwSignal::new(false);
    let worker = move || {
        crate::use_auth()
            .user()
            .is_some_and(|u| u.role == domain::Role::GridWorker)
    };
    let error = RwSignal::new(None::<String>);
    let locating = RwSignal::new(false);
    let kept = RwSignal::new(false);
    let photo = NodeRef::<leptos::html::Input>::new();
    // Taken here, in the component: inside the task below there is no owner to ask.
    let outbox = Outbox::get();
    let locate = move |_| {
        locating.set(true);
        error.set(None);
        my_location(move |at| {
            locating.set(false);
            match at {
                Some(p) => place.set(Some(p)),
                None => error.set(Some(i18n.t("field.err.locate"))),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        kept.set(false);
        error.set(None);
        let Some((lon, lat)) = place.get_untracked() else {
            error.set(Some(i18n.t("field.err.place")));
            return;
        };
        let cats = categories
            .get_untracked()
            .and_then(|r| r.ok())
            .unwrap_or_default();
        let Some(cat) = cats
            .iter()
            .find(|c| c.id.to_string() == category.get_untracked())
            .or(cats.first())
            .cloned()
        else {
            error.set(Some(i18n.t("field.err.category")));
            return;
        };
        let text = description.get_untracked();
        if text.trim().is_empty() {
            error.set(Some(i18n.t("field.err.description")));
            return;
        }
        let made_at = now_secs();
        let is_fixed = fixed.get_untracked();
        leptos::task::spawn_local(async move {
            // The photo is shrunk now, on the phone, and kept with the report.
            let data = match photo.get_untracked() {
                Some(el) => match crate::photo::shrink_chosen(&el).await {
                    Ok(d) => d.unwrap_or_default(),
                    Err(e) => {
                        error.set(Some(crate::photo::shrink_error(i18n, e)));
                        return;
                    }
                },
                None => String::new(),
            };
            outbox.add(Pending::new(
                Job::Report {
                    category: cat.id,
                    category_name: cat.name,
                    description: text,
                    lon,
                    lat,
                    fixed: is_fixed,
                    photo: data,
                },
                made_at,
            ));
            description.set(String::new());
            fixed.set(false);
            if let Some(el) = photo.get_untracked() {
                el.set_value("");
            }
            kept.set(true);
        });
    };
    view! {
        <form class="card stack field-form" on:submit=submit>
            <label>{move || i18n.t("field.category")}
                <select bind:value=category required>
                    {move || categories.get().and_then(|r| r.ok()).unwrap_or_default().into_iter().map(|c| {
                        let hint = limits(i18n, &c.limits);
                        view! { <option value=c.id.to_string()>{format!("{}（{hint}）", c.name)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t("field.description")}
                <textarea rows="3" maxlength="1000" bind:value=description placeholder=move || i18n.t("field.description_hint")></textarea>
            </label>
            <fieldset class="place">
                <legend>{move || i18n.t("field.place")}</legend>
                <p class="muted" role="status">{move || match place.get() {
                    Some((lon, lat)) => i18n.tf("field.place_at", &[("lon", format!("{lon:.5}")), ("lat", format!("{lat:.5}"))]),
                    None => i18n.t("field.place_none"),
                }}</p>
                <div class="actions">
                    <button type="button" on:click=locate disabled=move || locating.get()>
                        {move || i18n.t(if locating.get() { "field.locating" } else { "field.my_location" })}
                    </button>
                    <a class="button" href="/map">{move || i18n.t("field.pick_on_map")}</a>
                </div>
            </fieldset>
            <crate::photo::PhotoInput node=photo label="field.photo"/>
            <Show when=worker>
                <label class="inline"><input type="checkbox" bind:checked=fixed/>{move || i18n.t("field.fixed")}</label>
            </Show>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <Show when=move || kept.get()>
                <p class="ok" role="status">{move || i18n.t("field.kept")}</p>
            </Show>
            <button type="submit" class="primary">{move || i18n.t("field.submit")}</button>
        </form>
    }
}

/// A category's limits for people: "24 小时内响应，7 个工作日内办结".
fn limits(i18n: I18n, l: &domain::field::clock::Limits) -> String {
    use domain::field::clock::Span;
    let span = |s: Span| match s {
        Span::Hours(n) => i18n.tf("field.hours", &[("n", n.to_string())]),
        Span::WorkingDays(n) => i18n.tf("field.working_days", &[("n", n.to_string())]),
    };
    i18n.tf(
        "field.limits",
        &[("ack", span(l.acknowledge)), ("resolve", span(l.resolve))],
    )
}

/// The outbox: what is kept on this phone and not yet accepted (reports, actions, grid saves),
/// each with its state; and what was sent in this visit, each a link to its report.
#[component]
pub fn OutboxList() -> impl IntoView {
    let i18n = use_i18n();
    let outbox = Outbox::get();
    view! {
        <section class="outbox" aria-labelledby="outbox-h">
            <h2 id="outbox-h">{move || i18n.t("field.outbox")}</h2>
            <ul class="outbox-list" aria-live="polite">
                {move || outbox.items.get().into_iter().map(|p| {
                    let (key, key2) = (p.key.clone(), p.key.clone());
                    let state = match p.state {
                        Sending::Waiting => "waiting",
                        Sending::Sending => "sending",
                        Sending::Failed => "failed",
                    };
                    let reason = p.reason.clone().map(|e| error_message(i18n, &e));
                    let (title, text, photo) = match &p.job {
                        Job::Report { category_name, description, photo, .. } => (
                            category_name.clone(),
                            description.chars().take(40).collect::<String>(),
                            !photo.is_empty(),
                        ),
                        Job::Act { report, name, .. } => (
                            i18n.tf("field.report_no", &[("id", report.to_string())]),
                            i18n.t(&format!("field.do.{name}")),
                            false,
                        ),
                        Job::Grids { count, .. } => (
                            i18n.t("field.outbox.grids"),
                            i18n.tf("field.outbox.grids_count", &[("n", count.to_string())]),
                            false,
                        ),
                    };
                    view! {
                        <li class="card" data-state=state>
                            <span class="field-card-head">
                                <strong>{title}</strong>
                                <span class=if state == "failed" { "tag off" } else { "tag warn" }>{move || i18n.t(&format!("field.outbox.{state}"))}</span>
                            </span>
                            <span class="description">{text}</span>
                            <span class="muted">{when(p.made_at)}{photo.then(|| format!(" · {}", i18n.t("field.with_photo")))}</span>
                            {reason.map(|r| view! { <span class="muted reason">{r}</span> })}
                            {(p.state == Sending::Failed).then(|| view! {
                                <span class="actions">
                                    <button type="button" on:click=move |_| outbox.retry(key.clone())>{move || i18n.t("field.send_again")}</button>
                                    <button type="button" on:click=move |_| outbox.discard(key2.clone())>{move || i18n.t("field.discard")}</button>
                                </span>
                            })}
                        </li>
                    }
                }).collect_view()}
                {move || outbox.sent.get().into_iter().rev().map(|done| {
                    let what = match done {
                        Sent::Report(id) | Sent::Act(id) => view! {
                            <a href=format!("/field/{id}")>{move || i18n.tf("field.report_no", &[("id", id.to_string())])}</a>
                        }.into_any(),
                        Sent::Grids(n) => view! {
                            <span>{move || i18n.tf("field.outbox.grids_saved", &[("n", n.to_string())])}</span>
                        }.into_any(),
                    };
                    view! {
                        <li class="card" data-state="sent">
                            <span class="field-card-head">
                                <span class="tag on">{move || i18n.t("field.outbox.sent")}</span>
                                {what}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || outbox.items.with(Vec::is_empty) && outbox.sent.with(Vec::is_empty)>
                <p class="muted">{move || i18n.t("field.outbox_empty")}</p>
            </Show>
        </section>
    }
}

/// The phone's position (lon, lat in WGS-84, as the grids are kept), or `None` when refused or
/// unavailable.
fn my_location(done: impl FnOnce(Option<(f64, f64)>) + 'static) {
    #[cfg(feature = "csr")]
    {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::{JsCast, JsValue};
        use web_sys::js_sys::Reflect;
        let Ok(geo) = window().navigator().geolocation() else {
            done(None);
            return;
        };
        let done = std::rc::Rc::new(std::cell::RefCell::new(Some(done)));
        let d2 = done.clone();
        let ok = Closure::once_into_js(move |pos: JsValue| {
            let coords = Reflect::get(&pos, &"coords".into()).unwrap_or(JsValue::UNDEFINED);
            let num = |k: &str| {
                Reflect::get(&coords, &k.into())
                    .ok()
                    .and_then(|v| v.as_f64())
            };
            if let Some(f) = done.borrow_mut().take() {
                f(num("longitude").zip(num("latitude")));
            }
        });
        let err = Closure::once_into_js(move |_: JsValue| {
            if let Some(f) = d2.borrow_mut().take() {
                f(None);
            }
        });
        let options = web_sys::PositionOptions::new();
        options.set_enable_high_accuracy(true);
        options.set_timeout(15_000);
        let _ = geo.get_current_position_with_error_callback_and_options(
            ok.unchecked_ref(),
            Some(err.unchecked_ref()),
            &options,
        );
    }
    #[cfg(not(feature = "csr"))]
    done(None);
}
