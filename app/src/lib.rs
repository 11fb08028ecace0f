//! The Linli browser app (Leptos, client-side rendered, built by Trunk) and, under the `ssr`
//! feature, the server functions it calls. Pages live in `pages/`, server functions in `api/`.

pub mod api;
pub mod area;
pub mod i18n;
pub mod outbox;
pub mod pages;
pub mod photo;
pub mod qr;
pub mod ui;

use api::auth::Me;
use area::Area;
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
        // Without a network (a phone in the field opening the app from its kept shell) the
        // last account seen here stands in, so the outbox and the kept pages work; the server
        // still decides every request.
        let me = match api::auth::whoami().await {
            Ok(me) => me,
            Err(api::AppError::Request(_)) => remembered_me(),
            Err(_) => None,
        };
        auth.me.set(Some(me));
    });
    Effect::new(move |_| {
        if let Some(me) = auth.me.get() {
            remember_me(me.as_ref());
        }
    });
    #[cfg(feature = "csr")]
    follow_links_to_other_areas();
    // Reports kept on the phone go out at start (and whenever the network returns), whichever
    // page is open.
    outbox::Outbox::get().start();
    #[cfg(feature = "csr")]
    register_service_worker();

    view! {
        <Router>
            <a class="skip-link" href="#main">{move || i18n.t("nav.skip")}</a>
            <Header/>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <pages::NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/login") view=pages::login::LoginPage/>
                    <Route path=path!("/register") view=pages::login::RegisterPage/>
                    <Route path=path!("/map") view={area_page::<{ Area::Map.is_here() }, _, _>(pages::map::MapPage)}/>
                    <Route path=path!("/overview") view={area_page::<{ Area::Map.is_here() }, _, _>(pages::overview::OverviewPage)}/>
                    <Route path=path!("/field") view={area_page::<{ Area::Map.is_here() }, _, _>(pages::field::FieldPage)}/>
                    <Route path=path!("/field/:id") view={area_page::<{ Area::Map.is_here() }, _, _>(pages::field::FieldReportPage)}/>
                    <Route path=path!("/orgs") view={area_page::<{ Area::Orgs.is_here() }, _, _>(pages::orgs::OrgsPage)}/>
                    <Route path=path!("/orgs/chart") view={area_page::<{ Area::Orgs.is_here() }, _, _>(pages::orgs::chart::OrgChartPage)}/>
                    <Route path=path!("/events") view={area_page::<{ Area::Events.is_here() }, _, _>(pages::events::EventsPage)}/>
                    <Route path=path!("/events/stats") view={area_page::<{ Area::Events.is_here() }, _, _>(pages::events::StatsPage)}/>
                    <Route path=path!("/events/new") view={area_page::<{ Area::Events.is_here() }, _, _>(pages::events::NewEventPage)}/>
                    <Route path=path!("/events/:id") view={area_page::<{ Area::Events.is_here() }, _, _>(pages::events::EventPage)}/>
                    <Route path=path!("/events/:id/edit") view={area_page::<{ Area::Events.is_here() }, _, _>(pages::events::EditEventPage)}/>
                    <Route path=path!("/services") view={area_page::<{ Area::Events.is_here() }, _, _>(pages::services::ServicesPage)}/>
                    <Route path=path!("/services/certificate") view={area_page::<{ Area::Events.is_here() }, _, _>(pages::services::CertificatePage)}/>
                    <Route path=path!("/admin") view={area_page::<{ Area::Admin.is_here() }, _, _>(pages::admin::AdminPage)}/>
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

/// The view of a route to a page of an area (`HERE`: whether this bundle carries the area): the
/// page for logged-in users, or a reload into the area's own bundle. `HERE` is a constant, so a
/// bundle holds no code of the other areas' pages.
fn area_page<const HERE: bool, F, V>(page: F) -> impl Fn() -> AnyView + Clone + Send + 'static
where
    F: Fn() -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || {
        if HERE {
            view! { <RequireLogin>{move || page()}</RequireLogin> }.into_any()
        } else {
            view! { <Elsewhere/> }.into_any()
        }
    }
}

/// A click on a link to another area's page becomes an ordinary page load (one new history entry),
/// before the router sees it (capture phase; the router leaves clicks whose default is prevented).
#[cfg(feature = "csr")]
fn follow_links_to_other_areas() {
    use wasm_bindgen::JsCast;
    let on_click = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MouseEvent)>::new(
        |ev: web_sys::MouseEvent| {
            if ev.default_prevented()
                || ev.button() != 0
                || ev.meta_key()
                || ev.alt_key()
                || ev.ctrl_key()
                || ev.shift_key()
            {
                return;
            }
            let Some(a) = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest("a[href]").ok().flatten())
                .and_then(|el| el.dyn_into::<web_sys::HtmlAnchorElement>().ok())
            else {
                return;
            };
            let here = window().location();
            if !a.target().is_empty()
                || a.has_attribute("download")
                || a.origin() != here.origin().unwrap_or_default()
            {
                return;
            }
            if Area::is_elsewhere(&a.pathname()) {
                ev.prevent_default();
                let _ = here.assign(&a.href());
            }
        },
    );
    let _ = window().add_event_listener_with_callback_and_bool(
        "click",
        on_click.as_ref().unchecked_ref(),
        true,
    );
    on_click.forget();
}

#[cfg(feature = "csr")]
const ME_KEY: &str = "linli.me";

/// Keeps who is logged in (or forgets it) in the browser, for a start without a network.
fn remember_me(me: Option<&Me>) {
    #[cfg(feature = "csr")]
    if let Ok(Some(s)) = window().local_storage() {
        let _ = match me.and_then(|m| serde_json::to_string(m).ok()) {
            Some(json) => s.set_item(ME_KEY, &json),
            None => s.remove_item(ME_KEY),
        };
    }
    #[cfg(not(feature = "csr"))]
    let _ = me;
}

/// The account last seen logged in here, if any.
fn remembered_me() -> Option<Me> {
    #[cfg(feature = "csr")]
    {
        let s = window().local_storage().ok().flatten()?;
        serde_json::from_str(&s.get_item(ME_KEY).ok().flatten()?).ok()
    }
    #[cfg(not(feature = "csr"))]
    None
}

/// Lets the browser keep the app's shell for loading without a network (`public/sw.js`).
#[cfg(feature = "csr")]
fn register_service_worker() {
    // Absent outside secure contexts (plain http to another host) and in some web views.
    let nav = window().navigator();
    let present = web_sys::js_sys::Reflect::has(&nav, &"serviceWorker".into()).unwrap_or(false);
    if present {
        let _ = nav.service_worker().register("/sw.js");
    }
}

/// Goes to `path` after an action (a login, say): through the router when this bundle carries the
/// path's area, else by loading the page so the server sends the area's bundle.
pub fn go_to(navigate: &impl Fn(&str, leptos_router::NavigateOptions), path: &str) {
    if Area::is_elsewhere(path) {
        #[cfg(feature = "csr")]
        let _ = window().location().assign(path);
    } else {
        navigate(path, Default::default());
    }
}

/// A page of another area reached inside this bundle: the back and forward buttons (the address is
/// already the new one: reload, and the server sends the bundle that carries it), or a navigation
/// that went through the router after all (links do not: `follow_links_to_other_areas`; the router
/// renders before it writes the address: load it in place of the entry about to be written).
#[component]
fn Elsewhere() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let search = location.search.get_untracked();
    let hash = location.hash.get_untracked();
    let target = format!(
        "{}{}{search}{}{hash}",
        location.pathname.get_untracked(),
        if search.is_empty() { "" } else { "?" },
        if hash.is_empty() || hash.starts_with('#') {
            ""
        } else {
            "#"
        },
    );
    #[cfg(feature = "csr")]
    {
        let here = window().location();
        let current = format!(
            "{}{}{}",
            here.pathname().unwrap_or_default(),
            here.search().unwrap_or_default(),
            here.hash().unwrap_or_default()
        );
        let _ = if current == target {
            here.reload()
        } else {
            here.replace(&target)
        };
    }
    #[cfg(not(feature = "csr"))]
    let _ = target;
    view! { <ui::Loading/> }
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
                    <Show when=move || auth.user().is_some_and(|u| u.role != domain::Role::Resident)>
                        <A href="/overview">{move || i18n.t("nav.overview")}</A>
                    </Show>
                    <A href="/map">{move || i18n.t("nav.map")}</A>
                    <A href="/orgs">{move || i18n.t("nav.orgs")}</A>
                    <A href="/events">{move || i18n.t("nav.events")}</A>
                    <A href="/services">{move || i18n.t("nav.services")}</A>
                    <A href="/field">{move || i18n.t("nav.field")}</A>
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
