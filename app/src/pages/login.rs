use crate::api::{self, AppError};
use crate::i18n::use_i18n;
use crate::ui::ErrorNote;
use crate::use_auth;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::auth::login(username.get_untracked(), password.get_untracked()).await {
                Ok(me) => {
                    auth.farewell.set(None);
                    auth.me.set(Some(Some(me)));
                    crate::go_to(&navigate, "/map");
                }
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(e));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <section class="page narrow card">
            <h1>{move || i18n.t("login.title")}</h1>
            {move || auth.farewell.get().map(|key| view! { <p class="note" role="status">{move || i18n.t(key)}</p> })}
            <p class="muted">{move || i18n.t("login.intro")}</p>
            <form on:submit=submit class="stack">
                <label>{move || i18n.t("login.username")}
                    <input name="username" autocomplete="username" required maxlength="64" bind:value=username/>
                </label>
                <label>{move || i18n.t("login.password")}
                    <input name="password" type="password" autocomplete="current-password" required maxlength="512" bind:value=password/>
                </label>
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class="primary" disabled=move || busy.get()>{move || i18n.t("login.submit")}</button>
            </form>
            <p><A href="/register">{move || i18n.t("login.to_register")}</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let navigate = use_navigate();
    let info = LocalResource::new(|| api::auth::registration_info());
    let username = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let community = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::auth::register(
                username.get_untracked(),
                display.get_untracked(),
                password.get_untracked(),
                community.get_untracked(),
            )
            .await
            {
                Ok(me) => {
                    auth.farewell.set(None);
                    auth.me.set(Some(Some(me)));
                    crate::go_to(&navigate, "/events");
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="page narrow card">
            <h1>{move || i18n.t("register.title")}</h1>
            <Suspense fallback=|| view! { <crate::ui::Loading/> }>
                {move || info.get().map(|r| match r {
                    Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                    Ok((false, _)) => view! { <p class="error" role="alert">{move || i18n.t("register.closed")}</p> }.into_any(),
                    Ok((true, communities)) => {
                        if community.get_untracked().is_empty() {
                            if let Some(c) = communities.first() { community.set(c.code.clone()); }
                        }
                        view! {
                            <form on:submit=submit.clone() class="stack">
                                <label>{move || i18n.t("register.username")}
                                    <input name="username" autocomplete="username" required maxlength="32" bind:value=username/>
                                    <small class="muted">{move || i18n.t("register.username_hint")}</small>
                                </label>
                                <label>{move || i18n.t("register.display_name")}
                                    <input name="display_name" autocomplete="name" required maxlength="40" bind:value=display/>
                                </label>
                                <label>{move || i18n.t("login.password")}
                                    <input name="password" type="password" autocomplete="new-password" required maxlength="128" bind:value=password/>
                                    <small class="muted">{move || i18n.t("register.password_hint")}</small>
                                </label>
                                <label>{move || i18n.t("register.community")}
                                    <select name="community" bind:value=community>
                                        {communities.into_iter().map(|c| view! { <option value=c.code.clone()>{c.name}</option> }).collect_view()}
                                    </select>
                                </label>
                                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                                <button type="submit" class="primary">{move || i18n.t("register.submit")}</button>
                            </form>
                        }.into_any()
                    }
                })}
            </Suspense>
            <p><A href="/login">{move || i18n.t("register.to_login")}</A></p>
        </section>
    }
}
