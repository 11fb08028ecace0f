//! The party organisation, read-only for now: a lazily loaded outline of units with their level,
//! secretary and number of sub-units. Disclosure buttons carry `aria-expanded`.

use crate::api::{self, data::UnitView};
use crate::i18n::use_i18n;
use crate::ui::{ErrorNote, Loading};
use leptos::prelude::*;

fn level_name(key: &str, zh: bool) -> String {
    domain::org::LevelSet::five_level()
        .get(key)
        .map(|l| {
            if zh {
                l.name_zh.clone()
            } else {
                l.name_en.clone()
            }
        })
        .unwrap_or_else(|| key.to_owned())
}

#[component]
pub fn OrgsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="page">
            <h1>{move || i18n.t("orgs.title")}</h1>
            <p class="muted">{move || i18n.t("orgs.intro")}</p>
            <Units parent=String::new()/>
        </section>
    }
}

#[component]
fn Units(parent: String) -> impl IntoView {
    let units = LocalResource::new(move || api::data::units_children(parent.clone()));
    view! {
        <Suspense fallback=|| view! { <Loading/> }>
            {move || units.get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                Ok(list) => view! {
                    <ul class="org-list">
                        {list.into_iter().map(|u| view! { <Unit unit=u/> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Suspense>
    }
}

#[component]
fn Unit(unit: UnitView) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let has_children = unit.children > 0;
    let level = unit.level.clone();
    let code = unit.code.clone();
    let secretary = unit.secretary.clone();
    view! {
        <li class="org-unit">
            <div class="org-row">
                {if has_children {
                    view! {
                        <button type="button" class="disclose" aria-expanded=move || open.get().to_string()
                            on:click=move |_| open.update(|o| *o = !*o)>
                            <span aria-hidden="true">{move || if open.get() { "▾" } else { "▸" }}</span>
                            <span class="org-name">{unit.name.clone()}</span>
                        </button>
                    }.into_any()
                } else {
                    view! { <span class="leaf"><span class="org-name">{unit.name.clone()}</span></span> }.into_any()
                }}
                <span class="tag">{move || level_name(&level, i18n.locale.get() == crate::i18n::Locale::Zh)}</span>
                {secretary.map(|s| view! { <span class="muted">{move || i18n.t("orgs.secretary")}": "{s.clone()}</span> })}
                <Show when=move || has_children>
                    <span class="muted">{move || i18n.tf("orgs.children", &[("n", unit.children.to_string())])}</span>
                </Show>
            </div>
            <Show when=move || open.get()>
                <Units parent=code.clone()/>
            </Show>
        </li>
    }
}
