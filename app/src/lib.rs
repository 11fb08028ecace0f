//! The Linli browser app (Leptos, client-side rendered, built by Trunk) and, under the `ssr`
//! feature, the server functions it calls. Pages live in `pages/`, server functions in `api/`.

pub mod api;
pub mod i18n;
pub mod pages;
pub mod qr;
pub mod ui;

use api::auth::Me;
use i18n::{use_i18n, I18n, Locale};
use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes, A};
use leptos_router::path;

/// Who is logged in, shared by every page. `None` inside means "not logged in";
/// the outer `Option` is `None` until the server has answered.
#[derive(Clone, Copy)]
pub struct Auth {
    pub me: RwSignal<Option<Option<Me>>>,
    /// A message for the login page after leaving (a translation key), e.g. after erasing the account.
    pub farewell: RwSignal<Option<&'static str>>,
}

impl Auth {
    pub fn user(&self) -> Option<Me> {
        self.me.get().flatten()
    }
}

pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}

#[component]
pub fn App() -> impl IntoView {
    let i18n = I18n {
        locale: RwSignal::new(i18n::initial_locale()),
    };
    i18n.set(i18n.locale.get_untracked());
    provide_context(i18n);
    let auth = Auth {
        me: RwSignal::new(None),
        farewell: RwSignal::new(None),
    };
    provide_context(auth);
    leptos::task::spawn_local(async move {
        let me = api::auth::whoami().await.ok().flatten();
        auth.me.set(Some(me));
    });

    view! {
        <Router>
            <a class="skip-link" href="#main">{move || i18n.t("nav.skip")}</a>
            <Header/>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <pages::NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/login") view=pages::login::LoginPage/>
                    <Route path=path!("/register") view=pages::login::RegisterPage/>
                    <Route path=path!("/map") view=|| view! { <RequireLogin><pages::map::MapPage/></RequireLogin> }/>
                    <Route path=path!("/orgs") view=|| view! { <RequireLogin><pages::orgs::OrgsPage/></RequireLogin> }/>
                    <Route path=path!("/orgs/chart") view=|| view! { <RequireLogin><pages::org_chart::OrgChartPage/></RequireLogin> }/>
                    <Route path=path!("/events") view=|| view! { <RequireLogin><pages::events::EventsPage/></RequireLogin> }/>
                    <Route path=path!("/events/stats") view=|| view! { <RequireLogin><pages::events::StatsPage/></RequireLogin> }/>
                    <Route path=path!("/events/new") view=|| view! { <RequireLogin><pages::events::NewEventPage/></RequireLogin> }/>
                    <Route path=path!("/events/:id") view=|| view! { <RequireLogin><pages::events::EventPage/></RequireLogin> }/>
                    <Route path=path!("/events/:id/edit") view=|| view! { <RequireLogin><pages::events::EditEventPage/></RequireLogin> }/>
                    <Route path=path!("/admin") view=|| view! { <RequireLogin><pages::admin::AdminPage/></RequireLogin> }/>
                    <Route path=path!("/account") view=|| view! { <RequireLogin><pages::account::AccountPage/></RequireLogin> }/>
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Home() -> impl IntoView {
    let auth = use_auth();
    move || match auth.me.get() {
        None => view! { <ui::Loading/> }.into_any(),
        Some(Some(_)) => view! { <Redirect path="/map"/> }.into_any(),
        Some(None) => view! { <Redirect path="/login"/> }.into_any(),
    }
}

/// Shows its children to logged-in users and sends everyone else to the login page.
#[component]
fn RequireLogin(children: ChildrenFn) -> impl IntoView {
    let auth = use_auth();
    move || match auth.me.get() {
        None => view! { <ui::Loading/> }.into_any(),
        Some(Some(_)) => children().into_any(),
        Some(None) => view! { <Redirect path="/login"/> }.into_any(),
    }
}

#[component]
fn Header() -> impl IntoView {
    let i18n = use_i18n();
    let auth = use_auth();
    let navigate = leptos_router::hooks::use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let _ = api::auth::logout().await;
            auth.me.set(Some(None));
            navigate("/login", Default::default());
        });
    };
    let toggle = move |_| {
        i18n.set(if i18n.locale.get() == Locale::Zh {
            Locale::En
        } else {
            Locale::Zh
        });
    };
    view! {
        <header class="top">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"邻"</span>
                <span>{move || i18n.t("app.name")}</span>
            </A>
            <Show when=move || auth.user().is_some()>
                <nav class="main-nav" aria-label=move || i18n.t("nav.label")>
                    <A href="/map">{move || i18n.t("nav.map")}</A>
                    <A href="/orgs">{move || i18n.t("nav.orgs")}</A>
                    <A href="/events">{move || i18n.t("nav.events")}</A>
                    <Show when=move || auth.user().is_some_and(|u| u.role == domain::Role::Admin)>
                        <A href="/admin">{move || i18n.t("nav.admin")}</A>
                    </Show>
                </nav>
            </Show>
            <div class="top-actions">
                <button type="button" class="lang" on:click=toggle
                    aria-label=move || i18n.t("lang.switch")
                    lang=move || if i18n.locale.get() == Locale::Zh { "en" } else { "zh-CN" }>
                    {move || i18n.t("lang.other")}
                </button>
                {move || auth.user().map(|u| view! {
                    <A href="/account" attr:class="who">{u.display_name.clone()}</A>
                    <button type="button" class="link" on:click=logout.clone()>{move || i18n.t("nav.logout")}</button>
                })}
            </div>
        </header>
    }
}
