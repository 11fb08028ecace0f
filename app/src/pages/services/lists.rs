//! The three lists: filters, claiming, and the organiser's publishing, dispatching and closing.

use super::*;

#[component]
pub(super) fn Lists() -> impl IntoView {
    let i18n = use_i18n();
    let kind = RwSignal::new("need".to_owned());
    let cat = RwSignal::new(String::new());
    let status = RwSignal::new("open".to_owned());
    let grid = RwSignal::new(grid_from_query());
    let grids = community_grids();
    let version = RwSignal::new(0u32);
    let lists = LocalResource::new(move || {
        version.track();
        api::service_lists(
            kind.get(),
            status.get(),
            cat.get(),
            String::new(),
            None,
            grid.get(),
        )
    });
    let staff = move || {
        crate::use_auth()
            .user()
            .is_some_and(|u| u.role.publishes_events())
    };
    view! {
        <div class="toolbar filters">
            <label class="inline">{move || i18n.t("service.kind")}
                <select bind:value=kind>
                    <option value="">{move || i18n.t("service.all")}</option>
                    {["need", "resource", "project"].map(|k| view! {
                        <option value=k>{move || i18n.t(&format!("service.kind.{k}"))}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="inline">{move || i18n.t("service.category")}<CategorySelect value=cat all=true/></label>
            <label class="inline">{move || i18n.t("service.grid_filter")}<GridSelect value=grid grids=grids empty="service.all_grids"/></label>
            <label class="inline">{move || i18n.t("service.status")}
                <select bind:value=status>
                    <option value="">{move || i18n.t("service.all")}</option>
                    <option value="open">{move || i18n.t("service.state.open")}</option>
                    <option value="closed">{move || i18n.t("service.state.closed")}</option>
                </select>
            </label>
        </div>
        <Show when=staff>
            <PublishForm version=version/>
        </Show>
        <Loaded resource=lists ok=move |items| {
            if items.is_empty() {
                view! { <p class="muted">{move || i18n.t("service.none")}</p> }.into_any()
            } else {
                view! {
                    <ul class="service-cards">
                        {items.into_iter().map(|l| view! { <li><ListingCard listing=l version=version/></li> }).collect_view()}
                    </ul>
                }.into_any()
            }
        }/>
    }
}

#[component]
fn ListingCard(listing: ListingView, version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let l = listing;
    let id = l.id;
    let error = RwSignal::new(None::<AppError>);
    let amount = RwSignal::new("1".to_owned());
    let member = RwSignal::new(String::new());
    let show_claims = RwSignal::new(false);
    let measure = l.measure.clone();
    let unit = move |n: i64| {
        i18n.tf(
            &format!("service.measure.{measure}"),
            &[("n", n.to_string())],
        )
    };
    let held = l.amount - l.left;
    let claim = move |_| {
        let n = amount.get_untracked().trim().parse().unwrap_or(0);
        run(api::service_claim(id, n, None), version, error);
    };
    let as_unit = l.claim_as_unit.clone();
    let claim_as_unit = move |report: i64| {
        let n = amount.get_untracked().trim().parse().unwrap_or(0);
        run(api::service_claim(id, n, Some(report)), version, error);
    };
    let dispatch = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = amount.get_untracked().trim().parse().unwrap_or(0);
        run(
            api::service_dispatch(id, member.get_untracked(), n),
            version,
            error,
        );
    };
    let open = l.status == "open";
    let lv = l.version;
    let toggle = move |_| {
        run(
            api::service_set_listing_status(id, lv, !open),
            version,
            error,
        )
    };
    let claims = LocalResource::new(move || {
        version.track();
        let shown = show_claims.get();
        async move {
            if shown {
                api::service_listing_claims(id).await
            } else {
                Ok(Vec::new())
            }
        }
    });
    let kind = l.kind.clone();
    let cat = l.category.clone();
    let is_need = l.kind == "need";
    view! {
        <article class="card listing">
            <header class="listing-head">
                <h2>{l.title.clone()}</h2>
                <span class="tag">{move || i18n.t(&format!("service.kind.{kind}"))}</span>
                <span class="tag">{move || category(i18n, &cat)}</span>
                <StateTag state=l.status.clone()/>
            </header>
            {(!l.description.is_empty()).then(|| view! { <p class="description">{l.description.clone()}</p> })}
            <dl class="facts">
                <dt>{move || i18n.t("service.unit")}</dt><dd>{l.unit_name.clone()}</dd>
                {l.deadline.clone().map(|d| view! { <dt>{move || i18n.t("service.deadline")}</dt><dd>{d}</dd> })}
                {l.event_id.map(|e| view! {
                    <dt>{move || i18n.t("service.serves_event")}</dt>
                    <dd>{match l.event_at.clone() {
                        Some(at) => view! { <a href=format!("/events/{e}?at={at}")>{l.event_title.clone().unwrap_or_default()} " " {at.replace('T', " ")}</a> }.into_any(),
                        None => view! { <span>{l.event_title.clone().unwrap_or_default()}</span> }.into_any(),
                    }}</dd>
                })}
                {l.grid_code.clone().map(|g| view! {
                    <dt>{move || i18n.t("service.place")}</dt>
                    <dd><a href=format!("/map?grid={g}")>{move || i18n.t("service.on_map")}</a></dd>
                })}
                {(l.kind != "project").then(|| view! {
                <dt>{move || i18n.t("service.amount")}</dt>
                    <dd>{
                        let unit = unit.clone();
                        move || if is_need {
                            i18n.tf("service.left_of", &[("left", unit(l.left)), ("all", unit(l.amount))])
                        } else {
                            unit(l.amount)
                        }
                    }</dd>
                })}
            </dl>
            {is_need.then(|| view! {
                <progress class="meter" max=l.amount.to_string() value=held.to_string() aria-label=move || i18n.t("service.taken")></progress>
            })}
            {(l.kind == "project").then(|| view! {
                <Milestones id=id version=lv list=l.milestones.clone() editable=l.can_manage reload=version error=error/>
            })}
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <div class="actions">
                {(l.can_claim || as_unit.is_some()).then(|| view! {
                    <label class="inline">{move || i18n.t("service.how_many")}
                        <input type="number" min="1" max=l.left.to_string() bind:value=amount class="short"/>
                    </label>
                })}
                {l.can_claim.then(|| view! {
                    <button type="button" class="primary" on:click=claim>{move || i18n.t("service.claim")}</button>
                })}
                {as_unit.map(|(report, name)| view! {
                    <button type="button" on:click=move |_| claim_as_unit(report)>
                        {move || i18n.tf("service.claim_as_unit", &[("unit", name.clone())])}
                    </button>
                })}
                {l.can_manage.then(|| view! {
                    <button type="button" on:click=toggle>{move || i18n.t(if open { "service.close" } else { "service.reopen" })}</button>
                    {is_need.then(|| view! {
                        <button type="button" aria-expanded=move || show_claims.get().to_string()
                            on:click=move |_| show_claims.update(|s| *s = !*s)>{move || i18n.t("service.claims")}</button>
                    })}
                })}
            </div>
            {(l.can_manage && is_need && open).then(|| view! {
                <form class="inline-form dispatch" on:submit=dispatch>
                    <label>{move || i18n.t("service.dispatch_to")}
                        <input type="text" required autocomplete="off" bind:value=member placeholder=move || i18n.t("service.username")/>
                    </label>
                    <label class="short-label">{move || i18n.t("service.how_many")}
                        <input type="number" min="1" bind:value=amount class="short"/>
                    </label>
                    <button type="submit">{move || i18n.t("service.dispatch")}</button>
                </form>
            })}
            <Show when=move || show_claims.get()>
                <Loaded resource=claims ok=move |cs| view! { <ClaimTable claims=cs/> }/>
            </Show>
        </article>
    }
}

/// A project's milestones: a checklist its organiser ticks and extends.
#[component]
fn Milestones(
    id: i64,
    version: i64,
    list: Vec<domain::service::listing::Milestone>,
    editable: bool,
    reload: RwSignal<u32>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let (done, all) = domain::service::listing::progress(&list);
    let new_title = RwSignal::new(String::new());
    let save = move |list: Vec<domain::service::listing::Milestone>| {
        let json = serde_json::to_string(&list).unwrap_or_default();
        run(
            api::service_set_milestones(id, version, json),
            reload,
            error,
        );
    };
    let items = list.clone();
    let add = {
        let list = list.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let mut next = list.clone();
            next.push(domain::service::listing::Milestone {
                title: new_title.get_untracked(),
                done: false,
            });
            save(next);
        }
    };
    view! {
        <div class="milestones">
            <p class="muted">{move || i18n.tf("service.progress", &[("done", done.to_string()), ("all", all.to_string())])}</p>
            <ol>
                {items.into_iter().enumerate().map(|(i, m)| {
                    let list = list.clone();
                    let toggle = move |_| {
                        let mut next = list.clone();
                        next[i].done = !next[i].done;
                        save(next);
                    };
                    view! {
                        <li><label class="inline">
                            <input type="checkbox" prop:checked=m.done disabled=!editable on:change=toggle/>
                            {m.title.clone()}
                        </label></li>
                    }
                }).collect_view()}
            </ol>
            {editable.then(|| view! {
                <form class="inline-form" on:submit=add>
                    <label>{move || i18n.t("service.new_milestone")}
                        <input type="text" required maxlength="60" bind:value=new_title/>
                    </label>
                    <button type="submit">{move || i18n.t("service.add_milestone")}</button>
                </form>
            })}
        </div>
    }
}

/// A need's claims, for its organiser.
#[component]
fn ClaimTable(claims: Vec<ClaimView>) -> impl IntoView {
    let i18n = use_i18n();
    if claims.is_empty() {
        return view! { <p class="muted">{move || i18n.t("service.no_claims")}</p> }.into_any();
    }
    view! {
        <div class="table-wrap"><table>
            <thead><tr>
                <th scope="col">{move || i18n.t("service.claimant")}</th>
                <th scope="col">{move || i18n.t("service.amount")}</th>
                <th scope="col">{move || i18n.t("service.status")}</th>
            </tr></thead>
            <tbody>{claims.into_iter().map(|c| view! {
                <tr><td>{c.claimant_name}</td><td>{c.amount}</td>
                    <td><StateTag state=c.state/>{(!c.reason.is_empty()).then(|| view! { " " <span class="muted">{c.reason}</span> })}</td></tr>
            }).collect_view()}</tbody>
        </table></div>
    }.into_any()
}

/// The organiser publishes a need, resource or project for a unit of their scope.
#[component]
fn PublishForm(version: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let units = LocalResource::new(api::service_desk);
    let unit = RwSignal::new(String::new());
    let kind = RwSignal::new("need".to_owned());
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let cat = RwSignal::new("elderly".to_owned());
    let amount = RwSignal::new("5".to_owned());
    let measure = RwSignal::new("people".to_owned());
    let deadline = RwSignal::new(String::new());
    let event = RwSignal::new(String::new());
    let events = LocalResource::new(|| {
        crate::api::data::events_upcoming(crate::ui::shanghai_now()[..16].to_owned())
    });
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        let unit_code = if unit.get_untracked().is_empty() {
            units
                .get_untracked()
                .and_then(|r| r.ok())
                .and_then(|d| d.units.first().map(|u| u.0.clone()))
                .unwrap_or_default()
        } else {
            unit.get_untracked()
        };
        let call = api::service_create_listing(
            unit_code,
            kind.get_untracked(),
            title.get_untracked(),
            description.get_untracked(),
            cat.get_untracked(),
            amount.get_untracked().trim().parse().unwrap_or(0),
            measure.get_untracked(),
            deadline.get_untracked(),
            String::new(),
            event.get_untracked().parse().ok(),
        );
        error.set(None);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(_) => {
                    title.set(String::new());
                    description.set(String::new());
                    done.set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <details class="card publish">
            <summary>{move || i18n.t("service.publish")}</summary>
            <form class="stack" on:submit=submit>
                <div class="form-row">
                    <label>{move || i18n.t("service.unit")}
                        <select bind:value=unit>
                            {move || units.get().and_then(|r| r.ok()).map(|d| d.units.into_iter().map(|(code, name)| view! {
                                <option value=code.clone()>{name}</option>
                            }).collect_view())}
                        </select>
                    </label>
                    <label>{move || i18n.t("service.kind")}
                        <select bind:value=kind>
                            {["need", "resource", "project"].map(|k| view! {
                                <option value=k>{move || i18n.t(&format!("service.kind.{k}"))}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>{move || i18n.t("service.category")}<CategorySelect value=cat all=false/></label>
                </div>
                <label>{move || i18n.t("service.what")}
                    <input type="text" required maxlength="60" bind:value=title/>
                </label>
                <label>{move || i18n.t("service.description")}
                    <textarea rows="2" maxlength="1000" bind:value=description></textarea>
                </label>
                <div class="form-row">
                    <label>{move || i18n.t("service.amount")}
                        <input type="number" min="1" max="10000" required bind:value=amount/>
                    </label>
                    <label>{move || i18n.t("service.measure")}
                        <select bind:value=measure>
                            <option value="people">{move || i18n.t("service.measure_people")}</option>
                            <option value="hours">{move || i18n.t("service.measure_hours")}</option>
                        </select>
                    </label>
                    <label>{move || i18n.t("service.deadline")}
                        <input type="date" bind:value=deadline/>
                    </label>
                </div>
                <label>{move || i18n.t("service.serves_event")}
                    <select bind:value=event>
                        <option value="">"—"</option>
                        {move || events.get().and_then(|r| r.ok()).map(|es| es.into_iter()
                            .filter(|e| matches!(e.category.as_str(), "service-day" | "volunteer"))
                            .map(|e| view! { <option value=e.id.to_string()>{format!("{}（{}）", e.title, e.unit_name)}</option> })
                            .collect_view())}
                    </select>
                </label>
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <Show when=move || done.get()>
                    <p class="ok" role="status">{move || i18n.t("service.published")}</p>
                </Show>
                <button type="submit" class="primary">{move || i18n.t("service.publish_submit")}</button>
            </form>
        </details>
    }
}
