use crate::api::{self, AppError};
use crate::i18n::use_i18n;
use crate::ui::ErrorNote;
use crate::use_auth;
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(false);
        leptos::task::spawn_local(async move {
            match api::auth::change_password(current.get_untracked(), new.get_untracked()).await {
                Ok(()) => {
                    current.set(String::new());
                    new.set(String::new());
                    done.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="page narrow card">
            <h1>{move || i18n.t("account.title")}</h1>
            {move || auth.user().map(|u| view! {
                <dl class="facts">
                    <dt>{move || i18n.t("admin.username")}</dt><dd>{u.username.clone()}</dd>
                    <dt>{move || i18n.t("admin.role")}</dt><dd>{let r = u.role; move || i18n.t(&format!("role.{}", r.as_str()))}</dd>
                    <dt>{move || i18n.t("admin.scope")}</dt><dd>{u.scope.clone().unwrap_or_else(|| "—".into())}</dd>
                </dl>
            })}
            <PhoneForm/>
            <h2>{move || i18n.t("account.change_password")}</h2>
            <form on:submit=submit class="stack">
                <label>{move || i18n.t("account.current")}
                    <input type="password" autocomplete="current-password" required bind:value=current/>
                </label>
                <label>{move || i18n.t("account.new")}
                    <input type="password" autocomplete="new-password" required bind:value=new/>
                </label>
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <Show when=move || done.get()>
                    <p class="ok" role="status">{move || i18n.t("account.changed")}</p>
                </Show>
                <button type="submit" class="primary">{move || i18n.t("account.save")}</button>
            </form>
            <MyData/>
        </section>
    }
}

/// PIPL: download everything held about me; residents can erase their account.
#[component]
fn MyData() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let navigate = leptos_router::hooks::use_navigate();
    let password = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let may_erase = move || {
        auth.user()
            .is_some_and(|u| u.role == domain::Role::Resident)
    };
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        confirming.set(true);
    };
    let erase = Callback::new(move |()| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::auth::delete_my_account(password.get_untracked()).await {
                Ok(()) => {
                    auth.farewell.set(Some("login.erased"));
                    auth.me.set(Some(None));
                    navigate("/login", Default::default());
                }
                Err(e) => {
                    if !error.is_disposed() {
                        confirming.set(false);
                        error.set(Some(e));
                    }
                }
            }
        });
    });
    view! {
        <h2>{move || i18n.t("account.my_data")}</h2>
        <p class="muted">{move || i18n.t("account.my_data_hint")}</p>
        <p><a href="/export/me.json" download="">{move || i18n.t("account.download")}</a></p>
        <Show when=may_erase fallback=move || view! { <p class="muted">{move || i18n.t("account.erase_staff")}</p> }>
            <h3>{move || i18n.t("account.erase")}</h3>
            <p class="muted">{move || i18n.t("account.erase_hint")}</p>
            <form on:submit=ask class="stack">
                <label>{move || i18n.t("account.erase_password")}
                    <input type="password" autocomplete="current-password" required bind:value=password/>
                </label>
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <Show when=move || confirming.get() fallback=move || view! {
                    <button type="submit" class="danger">{move || i18n.t("account.erase")}</button>
                }>
                    <p role="alert"><strong>{move || i18n.t("account.erase_confirm")}</strong></p>
                    <div class="actions">
                        <button type="button" class="danger" on:click=move |_| erase.run(())>{move || i18n.t("account.erase_yes")}</button>
                        " "
                        <button type="button" on:click=move |_| confirming.set(false)>{move || i18n.t("common.back")}</button>
                    </div>
                </Show>
            </form>
        </Show>
    }
}

#[component]
fn PhoneForm() -> impl IntoView {
    let i18n = use_i18n();
    let phone = RwSignal::new(String::new());
    let saved = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::auth::set_my_phone(phone.get_untracked()).await {
                Ok(masked) => {
                    phone.set(String::new());
                    saved.set(Some(masked));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <h2>{move || i18n.t("account.phone")}</h2>
        <p class="muted">{move || i18n.t("account.phone_hint")}</p>
        <form on:submit=submit class="stack">
            <label>{move || i18n.t("account.phone_label")}
                <input type="tel" inputmode="tel" autocomplete="tel" maxlength="20" bind:value=phone/>
            </label>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            {move || saved.get().map(|m| view! { <p class="ok" role="status">{i18n.tf("account.phone_saved", &[("phone", m)])}</p> })}
            <button type="submit">{move || i18n.t("account.phone_save")}</button>
        </form>
    }
}
