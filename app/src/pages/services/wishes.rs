//! The wish wall (微心愿): residents post, party members claim, names masked.

use super::*;

/// Wishes shown before "show all" (the newest first).
const WALL_PAGE: usize = 24;

#[component]
pub(super) fn WishWall() -> impl IntoView {
    let i18n = use_i18n();
    let version = RwSignal::new(0u32);
    let grid = RwSignal::new(grid_from_query());
    let grids = community_grids();
    let wall = LocalResource::new(move || {
        version.track();
        api::service_wishes(String::new(), grid.get())
    });
    let me = LocalResource::new(api::service_mine);
    let all = RwSignal::new(false);
    let member = move || {
        me.get()
            .and_then(|r| r.ok())
            .is_some_and(|m| m.party_member)
    };
    view! {
        <PostWish version=version grids=grids/>
        <div class="toolbar filters">
            <label class="inline">{move || i18n.t("service.grid_filter")}<GridSelect value=grid grids=grids empty="service.all_grids"/></label>
        </div>
        <Loaded resource=wall ok=move |ws| {
            let (done, published) = domain::service::wish::fulfilment(
                ws.iter().filter_map(|w| domain::service::wish::WishState::parse(&w.state)),
            );
            let rate = if published > 0 { done * 100 / published } else { 0 };
            let total = ws.len();
            view! {
                <p class="summary" role="status">{move || i18n.tf("service.wall_summary", &[
                    ("published", published.to_string()),
                    ("done", done.to_string()),
                    ("rate", rate.to_string()),
                ])}</p>
                <ul class="service-cards wishes">
                    {ws.iter().take(WALL_PAGE).cloned().map(|w| view! { <li><WishCard wish=w version=version member=Signal::derive(member)/></li> }).collect_view()}
                    <Show when=move || all.get()>
                        {ws.iter().skip(WALL_PAGE).cloned().map(|w| view! { <li><WishCard wish=w version=version member=Signal::derive(member)/></li> }).collect_view()}
                    </Show>
                </ul>
                {(total > WALL_PAGE).then(|| view! {
                    <Show when=move || !all.get()>
                        <button type="button" on:click=move |_| all.set(true)>{move || i18n.tf("service.show_all", &[("n", total.to_string())])}</button>
                    </Show>
                })}
            }
        }/>
    }
}

#[component]
pub(super) fn WishCard(
    wish: WishView,
    version: RwSignal<u32>,
    member: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let w = wish;
    let error = RwSignal::new(None::<AppError>);
    let (id, v) = (w.id, w.version);
    let act = move |action: &'static str| {
        run(
            api::service_wish_action(id, v, action.into(), String::new(), String::new(), 0, None),
            version,
            error,
        )
    };
    let cat = w.category.clone();
    let claimable = w.state == "verified";
    let confirmable = w.mine && w.state == "fulfilled";
    view! {
        <article class="card wish">
            <header class="listing-head">
                <h2>{w.title.clone()}</h2>
                <span class="tag">{move || category(i18n, &cat)}</span>
                <StateTag state=w.state.clone()/>
            </header>
            {(!w.description.is_empty()).then(|| view! { <p class="description">{w.description.clone()}</p> })}
            <dl class="facts">
                <dt>{move || i18n.t("service.for_whom")}</dt><dd>{w.who.clone()}</dd>
                <dt>{move || i18n.t("service.unit")}</dt><dd>{w.unit_name.clone()}</dd>
                {w.claimant_name.clone().map(|c| view! { <dt>{move || i18n.t("service.claimant")}</dt><dd>{c}</dd> })}
                {(!w.note.is_empty()).then(|| view! { <dt>{move || i18n.t("service.note")}</dt><dd>{w.note.clone()}</dd> })}
            </dl>
            <crate::photo::PhotoStrip photos=w.photos.clone()/>
            {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
            <div class="actions">
                <Show when=move || claimable && member.get()>
                    <button type="button" class="primary" on:click=move |_| act("claim")>{move || i18n.t("service.claim_wish")}</button>
                </Show>
                {w.claim_as_unit.clone().map(|(report, name)| view! {
                    <button type="button" on:click=move |_| run(
                        api::service_wish_action(id, v, "claim".into(), String::new(), String::new(), 0, Some(report)),
                        version,
                        error,
                    )>{move || i18n.tf("service.claim_as_unit", &[("unit", name.clone())])}</button>
                })}
                {confirmable.then(|| view! {
                    <button type="button" class="primary" on:click=move |_| act("confirm")>{move || i18n.t("service.confirm_wish")}</button>
                })}
            </div>
        </article>
    }
}

/// A resident posts a wish of their own.
#[component]
fn PostWish(version: RwSignal<u32>, grids: LocalResource<Vec<(String, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let cat = RwSignal::new("elderly".to_owned());
    let grid = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let photo_error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let photo = NodeRef::<leptos::html::Input>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        error.set(None);
        photo_error.set(None);
        let (t, d, c, g) = (
            title.get_untracked(),
            description.get_untracked(),
            cat.get_untracked(),
            grid.get_untracked(),
        );
        busy.set(true);
        leptos::task::spawn_local(async move {
            // The photo is prepared first: one the browser cannot read stops the post.
            let data = match photo.get_untracked() {
                Some(el) => match crate::photo::shrink_chosen(&el).await {
                    Ok(d) => d,
                    Err(e) => {
                        busy.set(false);
                        photo_error.set(Some(crate::photo::shrink_error(i18n, e)));
                        return;
                    }
                },
                None => None,
            };
            match api::service_post_wish(String::new(), t, d, c, String::new(), g).await {
                Ok(id) => {
                    if let Some(data) = data {
                        if let Err(e) =
                            crate::api::photos::service_wish_photo(id, "wish".into(), data).await
                        {
                            error.set(Some(e));
                        }
                    }
                    title.set(String::new());
                    description.set(String::new());
                    if let Some(el) = photo.get_untracked() {
                        el.set_value("");
                    }
                    done.set(true);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="card publish">
            <summary>{move || i18n.t("service.post_wish")}</summary>
            <form class="stack" on:submit=submit>
                <p class="muted">{move || i18n.t("service.wish_hint")}</p>
                <label>{move || i18n.t("service.wish_title")}
                    <input type="text" required maxlength="60" bind:value=title/>
                </label>
                <label>{move || i18n.t("service.description")}
                    <textarea rows="2" maxlength="1000" bind:value=description></textarea>
                </label>
                <label>{move || i18n.t("service.category")}<CategorySelect value=cat all=false/></label>
                <label>{move || i18n.t("service.wish_grid")}<GridSelect value=grid grids=grids empty="service.no_grid"/></label>
                <crate::photo::PhotoInput node=photo label="photo.wish_optional"/>
                {move || photo_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                {move || error.get().map(|e| view! { <ErrorNote error=e/> })}
                <Show when=move || done.get()>
                    <p class="ok" role="status">{move || i18n.t("service.wish_posted")}</p>
                </Show>
                <button type="submit" class="primary" disabled=move || busy.get()>{move || i18n.t("service.post_wish_submit")}</button>
            </form>
        </details>
    }
}
