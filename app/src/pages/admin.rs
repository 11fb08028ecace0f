//! Administration: accounts, roles and scopes, self-registration, and the audit log.

use crate::api::{self, admin::UserView, grids::GridMap, AppError};
use crate::i18n::use_i18n;
use crate::ui::{ErrorNote, Loaded, Loading};
use domain::Role;
use leptos::prelude::*;

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = crate::use_auth();
    let is_admin = move || auth.user().is_some_and(|u| u.role == Role::Admin);
    view! {
        <section class="page">
            <h1>{move || i18n.t("admin.title")}</h1>
            <Show when=is_admin fallback=move || view! { <ErrorNote error=AppError::Forbidden/> }>
                <Users/>
                <Registration/>
                <GridTarget/>
                <District/>
                <ServiceTarget/>
                <super::admin_field::FieldSettings/>
                <AuditLog/>
            </Show>
        </section>
    }
}

fn role_options(i18n: crate::i18n::I18n) -> impl IntoView {
    Role::ALL.iter().map(move |r| {
        let r = *r;
        view! { <option value=r.as_str()>{move || i18n.t(&format!("role.{}", r.as_str()))}</option> }
    }).collect_view()
}

#[component]
fn Users() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let users = LocalResource::new(move || {
        version.track();
        api::admin::admin_users()
    });
    let username = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new("resident".to_owned());
    let scope = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        leptos::task::spawn_local(async move {
            let r = api::admin::admin_create_user(
                username.get_untracked(),
                display.get_untracked(),
                password.get_untracked(),
                role.get_untracked(),
                scope.get_untracked(),
            )
            .await;
            match r {
                Ok(_) => {
                    username.set(String::new());
                    display.set(String::new());
                    password.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <h2>{move || i18n.t("admin.users")}</h2>
        <Loaded resource=users ok=move |list| view! {
                    <div class="table-wrap">
                        <table class="users">
                            <thead><tr>
                                <th scope="col">{move || i18n.t("admin.username")}</th>
                                <th scope="col">{move || i18n.t("admin.display_name")}</th>
                                <th scope="col">{move || i18n.t("admin.role")}</th>
                                <th scope="col">{move || i18n.t("admin.scope")}</th>
                                <th scope="col">{move || i18n.t("admin.party_member")}</th>
                                <th scope="col">{move || i18n.t("admin.status")}</th>
                            </tr></thead>
                            <tbody>{list.into_iter().map(|u| view! { <UserRow user=u version=version/> }).collect_view()}</tbody>
                        </table>
                    </div>
                }/>
        <h3>{move || i18n.t("admin.add_user")}</h3>
        <form class="grid-form" on:submit=create>
            <label>{move || i18n.t("admin.username")}<input required maxlength="32" bind:value=username/></label>
            <label>{move || i18n.t("admin.display_name")}<input required maxlength="40" bind:value=display/></label>
            <label>{move || i18n.t("admin.initial_password")}<input type="password" autocomplete="new-password" required bind:value=password/></label>
            <label>{move || i18n.t("admin.role")}<select bind:value=role>{role_options(i18n)}</select></label>
            <label>{move || i18n.t("admin.scope")}<input bind:value=scope placeholder=move || i18n.t("admin.scope_hint") inputmode="numeric"/></label>
            <div class="form-end">
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <button type="submit" class="primary">{move || i18n.t("admin.create")}</button>
            </div>
        </form>
    }
}

#[component]
fn UserRow(user: UserView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let role = RwSignal::new(user.role.as_str().to_owned());
    let scope = RwSignal::new(user.scope.clone().unwrap_or_default());
    let error = RwSignal::new(None::<AppError>);
    let id = user.id;
    let disabled = user.disabled;
    let party_member = user.party_member;
    let toggle_member = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::admin::admin_set_party_member(id, !party_member).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let save = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::admin::admin_set_role(id, role.get_untracked(), scope.get_untracked()).await
            {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let toggle = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::admin::admin_set_disabled(id, !disabled).await {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let label = format!("{} {}", user.username, user.display_name);
    view! {
        <tr>
            <td>{user.username.clone()}</td>
            <td>{user.display_name.clone()}</td>
            <td><select bind:value=role aria-label=format!("{label} role")>{role_options(i18n)}</select></td>
            <td><input class="scope" bind:value=scope inputmode="numeric" aria-label=format!("{label} scope")/></td>
            <td><label class="check"><input type="checkbox" prop:checked=party_member on:change=toggle_member
                aria-label={let label = label.clone(); move || format!("{label} {}", i18n.t("admin.party_member"))}/>
                {move || i18n.t("admin.party_member")}</label></td>
            <td class="actions">
                <span class=if disabled { "tag off" } else { "tag on" }>
                    {move || i18n.t(if disabled { "admin.disabled" } else { "admin.enabled" })}
                </span>
                <button type="button" on:click=save>{move || i18n.t("admin.save")}</button>
                <button type="button" on:click=toggle>{move || i18n.t(if disabled { "admin.enable" } else { "admin.disable" })}</button>
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            </td>
        </tr>
    }
}

#[component]
fn Registration() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let info = LocalResource::new(move || {
        version.track();
        api::auth::registration_info()
    });
    let set = move |open: bool| {
        leptos::task::spawn_local(async move {
            let _ = api::admin::admin_set_registration(open).await;
            version.update(|v| *v += 1);
        });
    };
    view! {
        <h2>{move || i18n.t("admin.registration")}</h2>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || info.get().map(|r| match r {
                Err(e) => view! { <ErrorNote error=e/> }.into_any(),
                Ok((open, _)) => view! {
                    <p>
                        {move || i18n.t(if open { "admin.registration_open" } else { "admin.registration_closed" })}" "
                        <button type="button" on:click=move |_| set(!open)>
                            {move || i18n.t(if open { "admin.registration_close" } else { "admin.registration_reopen" })}
                        </button>
                    </p>
                }.into_any(),
            })}
        </Suspense>
    }
}

type SaveFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), AppError>>>>;

/// One deployment setting the map carries (`GridMap`), as a one-field form: `check` turns what was
/// typed into the value to send or the translation key of what is wrong, `save` sends it.
#[component]
fn MapSetting(
    title: &'static str,
    label: &'static str,
    current: fn(&GridMap) -> String,
    check: fn(&str) -> Result<String, &'static str>,
    save: fn(String) -> SaveFuture,
    #[prop(default = "")] placeholder: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let value = RwSignal::new(String::new());
    let note = RwSignal::new(None::<(bool, String)>);
    let map = LocalResource::new(api::grids::grids_list);
    Effect::new(move |_| {
        if let Some(Ok(m)) = map.get() {
            value.set(current(&m));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let v = match check(&value.get_untracked()) {
            Ok(v) => v,
            Err(key) => {
                note.set(Some((false, i18n.t(key))));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            let r = save(v).await;
            if note.is_disposed() {
                return;
            }
            note.set(Some(match r {
                Ok(()) => (true, i18n.t("admin.saved")),
                Err(e) => (false, crate::ui::error_message(i18n, &e)),
            }));
        });
    };
    view! {
        <h2>{move || i18n.t(title)}</h2>
        <form class="inline-form" on:submit=submit>
            <label class="inline">{move || i18n.t(label)}
                <input inputmode="numeric" placeholder=placeholder bind:value=value/>
            </label>
            <button type="submit">{move || i18n.t("common.save")}</button>
        </form>
        {move || note.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } role=if ok { "status" } else { "alert" }>{t}</p> })}
    }
}

/// The household load a grid is drawn for; the map colours grids against it.
#[component]
fn GridTarget() -> impl IntoView {
    view! {
        <MapSetting title="admin.grid_target" label="admin.grid_target_label"
            current=|m| m.target_households.to_string()
            check=|s| {
                s.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|t| (1..=100_000).contains(t))
                    .map(|t| t.to_string())
                    .ok_or("err.grid_target")
            }
            save=|v| Box::pin(api::admin::admin_set_grid_target(v.parse().unwrap_or(0)))/>
    }
}

/// The yearly service hours asked of each party member.
#[component]
fn ServiceTarget() -> impl IntoView {
    let i18n = use_i18n();
    let value = RwSignal::new(String::new());
    let percent = RwSignal::new(String::new());
    let note = RwSignal::new(None::<(bool, String)>);
    let year: i32 = crate::ui::shanghai_now()[..4].parse().unwrap_or(2026);
    leptos::task::spawn_local(async move {
        if let Ok(s) = crate::api::services::service_stats(year).await {
            value.set((s.target_minutes / 60).to_string());
            percent.set(s.unit_percent.to_string());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let hours = value.get_untracked().trim().parse::<i64>().unwrap_or(0);
        let unit_percent = percent.get_untracked().trim().parse::<i64>().unwrap_or(0);
        leptos::task::spawn_local(async move {
            let r = api::admin::admin_set_service_target(hours, unit_percent).await;
            note.set(Some(match r {
                Ok(()) => (true, i18n.t("admin.saved")),
                Err(e) => (false, crate::ui::error_message(i18n, &e)),
            }));
        });
    };
    view! {
        <h2>{move || i18n.t("admin.service_target")}</h2>
        <form class="inline-form" on:submit=submit>
            <label class="inline">{move || i18n.t("admin.service_target_label")}
                <input inputmode="numeric" bind:value=value/>
            </label>
            <label class="inline">{move || i18n.t("admin.unit_percent_label")}
                <input inputmode="numeric" bind:value=percent/>
            </label>
            <button type="submit">{move || i18n.t("common.save")}</button>
        </form>
        {move || note.get().map(|(ok, t)| view! { <p class=if ok { "note" } else { "error" } role=if ok { "status" } else { "alert" }>{t}</p> })}
    }
}

/// The district's administrative division code (GB/T 2260); new top-level grid codes start with it.
#[component]
fn District() -> impl IntoView {
    view! {
        <MapSetting title="admin.district" label="admin.district_label" placeholder="320113"
            current=|m| m.district_code.clone().unwrap_or_default()
            check=|s| domain::Code::district(s).map(String::from).map_err(|e| e.key())
            save=|v| Box::pin(api::admin::admin_set_district(v))/>
    }
}

#[component]
fn AuditLog() -> impl IntoView {
    let i18n = use_i18n();
    let action = RwSignal::new(String::new());
    let actor = RwSignal::new(String::new());
    let result = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let entries = LocalResource::new(move || {
        api::admin::admin_audit(
            action.get(),
            Some(actor.get()),
            Some(result.get()),
            Some(from.get()),
            Some(to.get()),
        )
    });
    view! {
        <h2 id="audit-title">{move || i18n.t("admin.audit")}</h2>
        <p class="muted">{move || i18n.t("admin.audit_retention")}</p>
        <div class="filters audit-filters">
            <label>{move || i18n.t("admin.audit_filter")}
                <input list="audit-actions" bind:value=action autocomplete="off" spellcheck="false" maxlength="64"/>
            </label>
            <datalist id="audit-actions">
                {domain::audit::AuditAction::ALL.iter()
                    .map(|a| view! { <option value=a.as_str()></option> }).collect_view()}
            </datalist>
            <label>{move || i18n.t("admin.audit_by")}
                <input bind:value=actor autocomplete="off" spellcheck="false" maxlength="64"/>
            </label>
            <label>{move || i18n.t("admin.audit_outcome")}
                <select bind:value=result>
                    <option value="">{move || i18n.t("admin.audit_all")}</option>
                    <option value="ok">"ok"</option>
                    <option value="refused">"refused"</option>
                </select>
            </label>
            <label>{move || i18n.t("admin.audit_from")}
                <input type="date" bind:value=from/>
            </label>
            <label>{move || i18n.t("admin.audit_to")}
                <input type="date" bind:value=to/>
            </label>
        </div>
        <Loaded resource=entries ok=move |list| view! {
                    <div class="table-wrap">
                        <table class="audit">
                            <thead><tr>
                                <th scope="col">{move || i18n.t("admin.audit_time")}</th>
                                <th scope="col">{move || i18n.t("admin.audit_actor")}</th>
                                <th scope="col">{move || i18n.t("admin.audit_action")}</th>
                                <th scope="col">{move || i18n.t("admin.audit_object")}</th>
                                <th scope="col">{move || i18n.t("admin.audit_result")}</th>
                                <th scope="col">"IP"</th>
                            </tr></thead>
                            <tbody>{list.into_iter().map(|a| view! {
                                <tr><td>{domain::date::shanghai_datetime(a.ts)}</td><td>{a.actor}</td><td>{a.action}</td><td>{a.object}</td><td>{a.result}</td><td>{a.ip}</td></tr>
                            }).collect_view()}</tbody>
                        </table>
                    </div>
                }/>
    }
}
