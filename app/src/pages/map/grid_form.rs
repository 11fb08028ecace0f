//! The attribute form of the selected grid.

use super::*;

/// The attributes of one grid, applied to the working copy (undoable) and saved with the map.
#[component]
pub(super) fn GridForm(
    grid: GridView,
    on_apply: Callback<domain::grid::GridDraft>,
    on_delete: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(grid.name.clone());
    let code = RwSignal::new(grid.code.clone());
    let source_code = RwSignal::new(grid.source_code.clone());
    let kind = RwSignal::new(grid.kind.clone());
    let households = RwSignal::new(grid.households.to_string());
    let population = RwSignal::new(grid.population.to_string());
    let workers = RwSignal::new(grid.workers.clone());
    let from = RwSignal::new(grid.valid_from.clone().unwrap_or_default());
    let to = RwSignal::new(grid.valid_to.clone().unwrap_or_default());
    let confirm = RwSignal::new(false);
    let g = StoredValue::new(grid);
    let submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        let mut d = g.with_value(|g| g.draft());
        d.name = name.get_untracked();
        d.code = code.get_untracked();
        d.source_code = source_code.get_untracked();
        d.kind = kind.get_untracked();
        d.households = households.get_untracked().trim().parse().unwrap_or(-1);
        d.population = population.get_untracked().trim().parse().unwrap_or(-1);
        d.workers = workers.get_untracked();
        d.valid_from = Some(from.get_untracked());
        d.valid_to = Some(to.get_untracked());
        on_apply.run(d);
    };
    view! {
        <form class="attr-form" on:submit=submit>
            <label>{move || i18n.t("grid.name")}<input bind:value=name required maxlength="60"/></label>
            <label>{move || i18n.t("grid.code")}<input bind:value=code inputmode="numeric" maxlength="32"/></label>
            <label>{move || i18n.t("grid.source_code")}<input bind:value=source_code maxlength="64"/></label>
            <label>{move || i18n.t("grid.kind")}
                <select on:change=move |ev| kind.set(event_target_value(&ev))>
                    {["basic", "dedicated"].into_iter().map(|k| view! {
                        <option value=k selected=move || kind.get() == k>{move || i18n.t(&format!("grid.kind.{k}"))}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>{move || i18n.t("grid.households")}<input type="number" min="0" bind:value=households/></label>
            <label>{move || i18n.t("grid.population")}<input type="number" min="0" bind:value=population/></label>
            <label class="wide">{move || i18n.t("grid.workers")}<input bind:value=workers maxlength="200"/></label>
            <label>{move || i18n.t("grid.valid_from")}<input type="date" bind:value=from/></label>
            <label>{move || i18n.t("grid.valid_to")}<input type="date" bind:value=to/></label>
            <div class="form-end wide">
                <button type="submit">{move || i18n.t("map.apply")}</button>
                {move || if confirm.get() {
                    view! { <button type="button" class="danger" on:click=move |_| { confirm.set(false); on_delete.run(()); }>{move || i18n.t("map.confirm_delete")}</button> }.into_any()
                } else {
                    view! { <button type="button" on:click=move |_| confirm.set(true)>{move || i18n.t("map.delete_grid")}</button> }.into_any()
                }}
            </div>
        </form>
    }
}
