//! Grid maps: the map's data, saving edits (checked by the coverage rules inside the saving
//! transaction), the history of every grid and restoring an earlier version.

use super::AppError;
use domain::grid::GridDraft;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridView {
    pub id: i64,
    pub version: i64,
    pub code: String,
    pub parent_code: Option<String>,
    pub level: i64,
    pub name: String,
    pub kind: String,
    pub households: i64,
    pub population: i64,
    /// Assigned grid workers' names; empty for residents.
    pub workers: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    /// Who saved it last, and when (Asia/Shanghai); empty for residents.
    pub updated_by: String,
    pub updated_at: String,
    /// Whether the caller may redraw or re-attribute this grid.
    pub editable: bool,
    /// The grid's code in the system it came from (`GridDraft::source_code`).
    #[serde(default)]
    pub source_code: String,
    /// Parts with holes; one part without holes is sent as one encoded polyline (see
    /// `domain::geometry::Boundary`'s serde).
    pub boundary: domain::geometry::Boundary,
}

impl domain::grid::GridNode for GridView {
    fn code(&self) -> &str {
        &self.code
    }
    fn parent_code(&self) -> Option<&str> {
        self.parent_code.as_deref()
    }
    fn level(&self) -> i64 {
        self.level
    }
    fn boundary(&self) -> &domain::geometry::Boundary {
        &self.boundary
    }
}

impl domain::grid::StoredGrid for GridView {
    fn id(&self) -> i64 {
        self.id
    }
    fn version(&self) -> i64 {
        self.version
    }
    fn dedicated(&self) -> bool {
        self.kind == "dedicated"
    }
    fn draft(&self) -> GridDraft {
        GridView::draft(self)
    }
    fn source_code(&self) -> &str {
        &self.source_code
    }
}

impl GridView {
    /// The grid as an editable draft.
    pub fn draft(&self) -> GridDraft {
        GridDraft {
            code: self.code.clone(),
            parent_code: self.parent_code.clone(),
            level: self.level,
            name: self.name.clone(),
            kind: self.kind.clone(),
            households: self.households,
            population: self.population,
            workers: self.workers.clone(),
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
            boundary: self.boundary.clone(),
            source_code: self.source_code.clone(),
        }
    }
}

/// Everything the map page needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridMap {
    pub grids: Vec<GridView>,
    /// Households a grid is drawn for; loads are coloured against it.
    pub target_households: i64,
    /// An XYZ tile URL template (`{z}/{x}/{y}`) from the server's configuration, if any.
    pub tile_url: Option<String>,
    /// Whether the caller may edit at least one grid, or add the first ones.
    pub can_edit: bool,
    /// The district's administrative division code (GB/T 2260) new top-level grids are numbered
    /// under; `None` until an administrator sets it (the map then says so where codes are made).
    pub district_code: Option<String>,
}

pub use domain::grid::GridEdit;

/// One saved change of a grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevisionView {
    pub id: i64,
    pub version: i64,
    pub action: String,
    pub actor: String,
    pub at: String,
    pub before: Option<GridDraft>,
    pub after: Option<GridDraft>,
}

/// The most edits one save may carry.
pub const MAX_EDITS: usize = 5_000;

#[cfg(feature = "ssr")]
mod ssr_grids {
    use super::*;
    use domain::grid::CheckedGrid;
    use domain::{Code, Principal};
    pub use store::grids::Reason;
    use store::grids::{Grid, GridChange, GridState};

    pub fn view(p: &Principal, g: Grid) -> GridView {
        let staff = p.role.is_staff();
        let editable = Code::parse(&g.state.code).is_ok_and(|c| p.can_edit_grid(&c));
        let (unit_code, unit_name) = g.unit.unzip();
        let s = g.state;
        GridView {
            id: g.id,
            version: g.version,
            code: s.code,
            parent_code: s.parent_code,
            level: s.level,
            name: s.name,
            kind: s.kind.as_str().into(),
            households: s.households,
            population: s.population,
            workers: if staff { s.workers } else { String::new() },
            valid_from: s.valid_from,
            valid_to: s.valid_to,
            source_code: s.source_code,
            unit_code,
            unit_name,
            updated_by: if staff { g.updated_by } else { String::new() },
            updated_at: if g.updated_at > 0 {
                domain::date::shanghai_datetime(g.updated_at)
            } else {
                String::new()
            },
            editable,
            boundary: s.boundary,
        }
    }

    pub async fn map_for(p: &Principal) -> Result<GridMap, AppError> {
        let db = &state()?.db;
        let grids: Vec<GridView> = db
            .list_grids(None)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|g| view(p, g))
            .collect();
        let target_households = db
            .setting("grid_target_households")
            .await
            .map_err(internal)?
            .and_then(|v| v.parse().ok())
            .filter(|&t: &i64| t > 0)
            .unwrap_or(domain::grid::DEFAULT_TARGET_HOUSEHOLDS);
        let tile_url = state()?.tile_url;
        let district_code = db.district_code().await.map_err(internal)?;
        Ok(GridMap {
            can_edit: p.can_add_top_level_grids() || grids.iter().any(|g| g.editable),
            district_code: district_code.map(String::from),
            grids,
            target_households,
            tile_url,
        })
    }

    pub fn state_of(g: CheckedGrid) -> GridState {
        GridState {
            code: g.code.as_str().to_owned(),
            parent_code: g.parent_code.map(|c| c.as_str().to_owned()),
            level: g.level,
            name: g.name,
            kind: g.kind,
            households: g.households,
            population: g.population,
            workers: g.workers,
            valid_from: g.valid_from,
            valid_to: g.valid_to,
            boundary: g.boundary,
            source_code: g.source_code,
        }
    }

    pub fn draft_of(s: &GridState) -> GridDraft {
        GridDraft {
            code: s.code.clone(),
            parent_code: s.parent_code.clone(),
            level: s.level,
            name: s.name.clone(),
            kind: s.kind.as_str().into(),
            households: s.households,
            population: s.population,
            workers: s.workers.clone(),
            valid_from: s.valid_from.clone(),
            valid_to: s.valid_to.clone(),
            boundary: s.boundary.clone(),
            source_code: s.source_code.clone(),
        }
    }

    fn label(g: &GridState) -> String {
        format!("{}（{}）", g.name, g.code)
    }

    fn refused(status: u16, key: &str, args: &[(&str, String)]) -> AppError {
        AppError::Refused {
            status,
            key: key.into(),
            args: args
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        }
    }

    /// A stored grid as the save rules (`domain::grid::check_save`) see it.
    fn placed(g: &Grid) -> domain::grid::Placed {
        domain::grid::Placed {
            id: g.id,
            code: g.state.code.clone(),
            parent: g.state.parent_code.clone(),
            level: g.state.level,
            name: g.state.name.clone(),
            kind: g.state.kind,
            boundary: g.state.boundary.clone(),
        }
    }

    /// The save rules of `domain::grid` over the map before and after, as an answer.
    pub fn check_save(changed: &[String], before: &[Grid], after: &[Grid]) -> Result<(), AppError> {
        let before: Vec<_> = before.iter().map(placed).collect();
        let after: Vec<_> = after.iter().map(placed).collect();
        if let Some((gone, kid)) = domain::grid::orphaned(&before, &after) {
            return Err(refused(
                400,
                "err.grid_has_children",
                &[("grid", gone.label()), ("other", kid.label())],
            ));
        }
        domain::grid::check_save(changed, &before, &after).map_err(|r| refused(400, r.key, &r.args))
    }

    /// Checks the drafts, the caller's right to every grid touched, then saves all or nothing.
    pub async fn save(
        p: &Principal,
        edits: Vec<GridEdit>,
        reason: Reason,
        key: Option<&str>,
    ) -> Result<GridMap, AppError> {
        if !p.can_edit_grids() {
            return Err(deny(p, AuditAction::GridsSave, AuditObject::None).await);
        }
        if edits.is_empty() || edits.len() > MAX_EDITS {
            return Err(AppError::Invalid("err.grid_payload".into()));
        }
        let st = state()?;
        let current = st.db.list_grids(None).await.map_err(internal)?;
        let code_of = |id: i64| {
            current
                .iter()
                .find(|g| g.id == id)
                .map(|g| g.state.code.clone())
        };
        let mut changes = Vec::with_capacity(edits.len());
        let mut touched: Vec<String> = Vec::new();
        let mut changed: Vec<String> = Vec::new();
        let check = |d: &GridDraft| {
            d.check().map(state_of).map_err(|e| {
                refused(
                    400,
                    e.key(),
                    &[("grid", format!("{}（{}）", d.name.trim(), d.code.trim()))],
                )
            })
        };
        for e in edits {
            match e {
                GridEdit::Update { id, version, draft } => {
                    let old = code_of(id).ok_or_else(|| refused(409, "err.grid_gone", &[]))?;
                    let state = check(&draft)?;
                    let was = current.iter().find(|g| g.id == id).map(|g| &g.state);
                    if was.is_some_and(|w| {
                        w.parent_code != state.parent_code || w.level != state.level
                    }) {
                        return Err(AppError::Invalid("err.grid_reparent".into()));
                    }
                    touched.extend([old, state.code.clone()]);
                    changed.push(state.code.clone());
                    changes.push(GridChange::Update {
                        id,
                        version,
                        state,
                        reason,
                    });
                }
                GridEdit::Create { draft } => {
                    let state = check(&draft)?;
                    // A new grid is an addition under its parent: the parent must be the
                    // caller's too ("" for a top-level grid: administrators only), whatever code
                    // the new grid is given.
                    touched.push(state.parent_code.clone().unwrap_or_default());
                    touched.push(state.code.clone());
                    changed.push(state.code.clone());
                    changes.push(GridChange::Create { state, reason });
                }
                GridEdit::Delete { id, version } => {
                    let old = code_of(id).ok_or_else(|| refused(409, "err.grid_gone", &[]))?;
                    touched.push(old);
                    changes.push(GridChange::Delete { id, version });
                }
            }
        }
        for code in &touched {
            let allowed = if code.is_empty() {
                p.is_admin()
            } else {
                Code::parse(code).is_ok_and(|c| p.can_edit_grid(&c))
            };
            if !allowed {
                audit(
                    Some(p),
                    AuditAction::GridsSave,
                    AuditObject::Grids(code),
                    AuditResult::Refused,
                    "outside scope",
                )
                .await;
                return Err(refused(403, "err.grid_scope", &[("grid", code.clone())]));
            }
        }
        // Children of a deleted grid must be deleted in the same save, or moved first.
        let result = st
            .db
            .save_grids_keyed(
                key.map(|k| (p.user_id, k)),
                &changes,
                &p.username,
                store::now(),
                |before, after| check_save(&changed, before, after),
            )
            .await;
        match result {
            Ok(Ok(_)) => {
                let detail = format!("{} change(s)", changes.len());
                let action = if reason == Reason::Import {
                    AuditAction::GridsImport
                } else {
                    AuditAction::GridsSave
                };
                audit(
                    Some(p),
                    action,
                    AuditObject::Grids(&touched.join(",")),
                    AuditResult::Ok,
                    &detail,
                )
                .await;
                map_for(p).await
            }
            Ok(Err(e)) => Err(e),
            Err(store::StoreError::Conflict(_)) => {
                // Name the grid that changed, who changed it and when.
                for c in &changes {
                    if let GridChange::Update { id, version, .. }
                    | GridChange::Delete { id, version } = c
                    {
                        match st.db.grid(*id).await {
                            Ok(g) if g.version != *version => {
                                // What changed since the editor's version: its state is the
                                // "before" of the next revision.
                                let base = st
                                    .db
                                    .grid_history(*id)
                                    .await
                                    .ok()
                                    .and_then(|h| h.into_iter().find(|r| r.version == version + 1))
                                    .and_then(|r| r.before);
                                let what = base
                                    .map(|b| b.changed_fields(&g.state))
                                    .filter(|w| !w.is_empty());
                                let mut args = vec![
                                    ("grid", label(&g.state)),
                                    ("who", g.updated_by.clone()),
                                    ("when", domain::date::shanghai_datetime(g.updated_at)),
                                ];
                                let key = match what {
                                    Some(w) => {
                                        args.push((
                                            "what",
                                            format!(
                                                "{}{}",
                                                crate::api::TRANSLATE,
                                                w.iter()
                                                    .map(|f| f.key())
                                                    .collect::<Vec<_>>()
                                                    .join(",")
                                            ),
                                        ));
                                        "err.grid_conflict_what"
                                    }
                                    None => "err.grid_conflict",
                                };
                                return Err(refused(409, key, &args));
                            }
                            Err(store::StoreError::NotFound) => {
                                return Err(refused(409, "err.grid_gone", &[]))
                            }
                            _ => {}
                        }
                    }
                }
                Err(refused(409, "err.grid_gone", &[]))
            }
            Err(store::StoreError::NotFound) => Err(refused(409, "err.grid_gone", &[])),
            Err(store::StoreError::Duplicate) => {
                Err(AppError::Invalid("err.grid_code_taken".into()))
            }
            Err(store::StoreError::Invalid(k)) => Err(AppError::Invalid(k)),
            Err(e) => Err(internal(e)),
        }
    }
}
#[cfg(feature = "ssr")]
use ssr_grids::*;

/// Every grid with what the caller may do with it, the household target and the tile layer.
#[server(prefix = "/api", endpoint = "grids_list")]
pub async fn grids_list() -> Result<GridMap, AppError> {
    let p = require_user().await?;
    map_for(&p).await
}

/// Saves a batch of edits (JSON list of `GridEdit`) all or nothing; answers with the new map.
/// Refused: invalid polygons, new overlaps and spills (naming the neighbour), grids outside the
/// caller's scope (403), edits based on an old version (409, naming who changed it and when).
/// With a `key` (a save made offline on a phone, maybe sent twice) it is done once.
#[server(prefix = "/api", endpoint = "grids_save")]
pub async fn grids_save(
    edits: String,
    #[server(default)] key: String,
) -> Result<GridMap, AppError> {
    let p = require_user().await?;
    let edits: Vec<GridEdit> =
        serde_json::from_str(&edits).map_err(|_| AppError::Invalid("err.grid_payload".into()))?;
    save(&p, edits, Reason::Edit, request_key(&key)?).await
}

/// Imports grids (JSON list of `GridEdit`, built in the browser from a GeoJSON file and previewed
/// there) all or nothing, through the same checks as any save; recorded as imports. Its route
/// accepts larger bodies than other server functions (see `server::IMPORT_BODY_LIMIT`).
#[server(prefix = "/api", endpoint = "grids_import")]
pub async fn grids_import(edits: String) -> Result<GridMap, AppError> {
    let p = require_user().await?;
    let edits: Vec<GridEdit> =
        serde_json::from_str(&edits).map_err(|_| AppError::Invalid("err.grid_payload".into()))?;
    let r = save(&p, edits, Reason::Import, None).await;
    if let Err(e) = &r {
        audit(
            Some(&p),
            AuditAction::GridsImport,
            AuditObject::None,
            AuditResult::Refused,
            e.message_key(),
        )
        .await;
    }
    r
}

/// The saved changes of one grid, newest first. Staff only.
#[server(prefix = "/api", endpoint = "grid_history")]
pub async fn grid_history(id: i64) -> Result<Vec<RevisionView>, AppError> {
    let p = require_user().await?;
    if !p.role.is_staff() {
        return Err(deny(&p, AuditAction::GridHistory, AuditObject::GridId(id)).await);
    }
    let revs = state()?.db.grid_history(id).await.map_err(internal)?;
    Ok(revs
        .into_iter()
        .map(|r| RevisionView {
            id: r.id,
            version: r.version,
            action: r.action,
            actor: r.actor,
            at: domain::date::shanghai_datetime(r.at),
            before: r.before.as_ref().map(draft_of),
            after: r.after.as_ref().map(draft_of),
        })
        .collect())
}

/// Undoes one saved change: the state the change replaced becomes current again, as a new version
/// and through the same checks as any save (a deleted grid comes back). `version` is the grid's
/// current version as the caller saw it.
#[server(prefix = "/api", endpoint = "grid_restore")]
pub async fn grid_restore(revision: i64, version: i64) -> Result<GridMap, AppError> {
    let p = require_user().await?;
    let db = &state()?.db;
    let rev = match db.grid_revision(revision).await {
        Ok(r) => r,
        Err(store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(internal(e)),
    };
    let Some(target) = rev.before.as_ref() else {
        return Err(AppError::Invalid("err.grid_restore_created".into()));
    };
    let draft = draft_of(target);
    let edit = match db.grid(rev.grid_id).await {
        Ok(_) => GridEdit::Update {
            id: rev.grid_id,
            version,
            draft,
        },
        Err(store::StoreError::NotFound) => GridEdit::Create { draft },
        Err(e) => return Err(internal(e)),
    };
    save(&p, vec![edit], Reason::Restore, None).await
}

/// A context layer (roads, buildings…) drawn beneath the grids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerView {
    pub id: i64,
    pub name: String,
    pub paths: Vec<Vec<[f64; 2]>>,
}

#[cfg(feature = "ssr")]
async fn layer_views() -> Result<Vec<LayerView>, AppError> {
    Ok(state()?
        .db
        .map_layers()
        .await
        .map_err(internal)?
        .into_iter()
        .map(|l| LayerView {
            id: l.id,
            name: l.name,
            paths: l.paths,
        })
        .collect())
}

/// The context layers, for everyone logged in.
#[server(prefix = "/api", endpoint = "map_layers")]
pub async fn map_layers() -> Result<Vec<LayerView>, AppError> {
    require_user().await?;
    layer_views().await
}

/// Stores a GeoJSON file's lines and outlines as the context layer `name` (administrators).
/// Shares the larger body limit of grid imports.
#[server(prefix = "/api", endpoint = "map_layer_upload")]
pub async fn map_layer_upload(
    name: String,
    crs: String,
    geojson: String,
) -> Result<Vec<LayerView>, AppError> {
    let p = require(AuditAction::MapLayerUpload, AuditObject::Layers, |p| {
        p.can_administer()
    })
    .await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 || name.chars().any(char::is_control) {
        return Err(AppError::Invalid("err.layer_name".into()));
    }
    let crs =
        domain::grid_import::Crs::parse(&crs).ok_or(AppError::Invalid("err.layer_crs".into()))?;
    let paths = domain::grid_import::context_paths(&geojson, crs)
        .map_err(|e| AppError::Invalid(e.key().into()))?;
    state()?
        .db
        .put_map_layer(name, &paths, &p.username, store::now())
        .await
        .map_err(internal)?;
    audit(
        Some(&p),
        AuditAction::MapLayerUpload,
        AuditObject::Layers,
        AuditResult::Ok,
        &format!("{name}: {} paths", paths.len()),
    )
    .await;
    layer_views().await
}

#[server(prefix = "/api", endpoint = "map_layer_delete")]
pub async fn map_layer_delete(id: i64) -> Result<Vec<LayerView>, AppError> {
    let p = require(AuditAction::MapLayerDelete, AuditObject::Layers, |p| {
        p.can_administer()
    })
    .await?;
    match state()?.db.delete_map_layer(id).await {
        Ok(()) => {}
        Err(store::StoreError::NotFound) => return Err(AppError::NotFound),
        Err(e) => return Err(internal(e)),
    }
    audit(
        Some(&p),
        AuditAction::MapLayerDelete,
        AuditObject::Layer(id),
        AuditResult::Ok,
        "",
    )
    .await;
    layer_views().await
}
