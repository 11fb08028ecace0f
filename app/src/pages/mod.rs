pub mod account;
pub mod admin;
pub mod admin_field;
pub mod events;
pub mod field;

pub mod login;
pub mod map;

pub mod orgs;
pub mod overview;
pub mod services;

use crate::i18n::use_i18n;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page narrow">
            <h1>{move || i18n.t("notfound.title")}</h1>
            <p>{move || i18n.t("notfound.body")}</p>
            <p><A href="/">{move || i18n.t("notfound.home")}</A></p>
        </section>
    }
}
