//! The party organisation editor's server functions: the whole live tree (the editor virtualises
//! it), one unit's details and change log, batches of edit commands, and CSV import. Organisers
//! change only their own subtree; residents see unit names and secretaries' names only.

use super::AppError;
use domain::org::{LevelSet, OrgUnit};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

/// The tree as the caller may see it, and what the caller may edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgTreeView {
    pub levels: LevelSet,
    /// Sent column by column (`domain::org::wire`): about a third of the plain JSON.
    #[serde(with = "domain::org::wire")]
    pub units: Vec<OrgUnit>,
    /// Codes the caller may edit begin with this (`""` for administrators); `None`: read only.
    pub editable_prefix: Option<String>,
    /// Today in Asia/Shanghai (`YYYY-MM-DD`), for term reminders.
    pub today: String,
}

impl OrgTreeView {
    pub fn can_edit(&self, code: &str) -> bool {
        self.editable_prefix
            .as_deref()
            .is_some_and(|p| code.starts_with(p))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleView {
    pub id: i64,
    pub role: String,
    pub person_name: String,
    /// Masked (`138****5678`); the full number is never sent here.
    pub phone: String,
    pub resident_unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChangeView {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub before: String,
    pub after: String,
    pub reason: String,
    pub doc_no: String,
}

/// One unit's panel: its people (staff of its scope only) and its change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgUnitPanelView {
    pub unit: OrgUnit,
    pub roles: Vec<RoleView>,
    pub log: Vec<OrgChangeView>,
    /// Whether the caller sees people and the log (staff whose scope covers the unit).
    pub full: bool,
}

/// What an import found, and whether it was written (the first 200 rows and 500 problems), with
/// the file's columns, the mapping used (guessed when none was sent) and the file's type values
/// with their counts, for the user to correct the mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows: Vec<domain::org::import::ImportRow>,
    pub problems: Vec<domain::org::import::Problem>,
    pub new: usize,
    pub updated: usize,
    pub committed: bool,
    pub headers: Vec<String>,
    pub mapping: domain::org::import::Mapping,
    pub kinds: Vec<(String, usize)>,
}

/// What a committed batch changed (see `store::orgs::Applied`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedView {
    pub units: Vec<OrgUnit>,
    pub dissolved: Vec<i64>,
    pub created: Vec<i64>,
}

#[cfg(feature = "ssr")]
mod ssr_orgs {
    use super::*;
    use domain::org::OrgError;
    use domain::Principal;
    use store::orgs::OrgRefusal;

    pub fn today() -> String {
        let secs = store::now() + domain::date::SHANGHAI_OFFSET_SECS;
        let (y, m, d) = domain::date::civil_from_days(secs.div_euclid(86_400));
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// The prefix of codes the caller may edit: everything for administrators, the scope for organisers.
    pub fn editable_prefix(p: &Principal) -> Option<String> {
        if p.is_admin() {
            Some(String::new())
        } else if p.role == domain::Role::Organiser {
            p.scope.as_ref().map(|s| s.to_string())
        } else {
            None
        }
    }

    /// Whether the caller may edit the unit `code`; `""` asks whether they may add top-level units
    /// (administrators only).
    pub fn editable(p: &Principal) -> impl Fn(&str) -> bool + '_ {
        move |code: &str| {
            if code.is_empty() {
                p.is_admin()
            } else {
                domain::Code::parse(code).is_ok_and(|c| p.can_edit_unit(&c))
            }
        }
    }

    /// Whether an imported row may link the grid `code`: it must exist and be of the caller's
    /// own area (`Principal::can_link_grid`).
    pub fn grid_usable<'a>(
        p: &'a Principal,
        grids: &'a std::collections::HashSet<String>,
    ) -> impl Fn(&str) -> Result<(), &'static str> + 'a {
        move |g: &str| {
            if !grids.contains(g) {
                Err("org_import.grid")
            } else if !domain::Code::parse(g).is_ok_and(|c| p.can_link_grid(&c)) {
                Err("org_import.grid_scope")
            } else {
                Ok(())
            }
        }
    }

    /// Reads a file, maps it (`mapping`, or the guess) and checks it against the tree and the
    /// caller's scope; writes it when `commit` is set and nothing is wrong.
    pub async fn import(
        p: &Principal,
        table: Result<domain::org::import::Table, domain::org::import::Problem>,
        mapping: Option<domain::org::import::Mapping>,
        commit: bool,
    ) -> Result<ImportReport, AppError> {
        use domain::org::import as imp;
        let db = &state()?.db;
        let levels = db.org_levels().await.map_err(internal)?;
        let editable = editable(p);
        let mut report = ImportReport::default();
        let read = match &table {
            Ok(t) => {
                let m = match mapping {
                    Some(m) => m.completed(t, &levels),
                    None => imp::guess(t, &levels),
                };
                report.headers = t.headers.clone();
                report.kinds = imp::kind_values(t, m.column(imp::Field::Kind));
                let read = imp::rows(t, &m, &levels);
                report.mapping = m;
                read
            }
            Err(problem) => imp::ImportPlan {
                rows: Vec::new(),
                problems: vec![problem.clone()],
            },
        };
        let plan = if commit && read.is_clean() {
            db.import_org(&p.username, store::now(), |stored, grids| {
                imp::plan(read, stored, &levels, &editable, grid_usable(p, grids))
            })
            .await
            .map_err(internal)?
        } else {
            let tree = domain::org::Tree::new(db.org_units().await.map_err(internal)?);
            let (sources, taken) = db.org_import_context().await.map_err(internal)?;
            let grids: std::collections::HashSet<String> = db
                .list_grids(None)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|g| g.state.code)
                .collect();
            let stored = imp::Stored {
                tree: &tree,
                sources: &sources,
                taken: &taken,
            };
            imp::plan(read, &stored, &levels, &editable, grid_usable(p, &grids))
        };
        let committed = commit && plan.is_clean();
        audit(
            Some(p),
            AuditAction::OrgsImport,
            AuditObject::None,
            if committed {
                AuditResult::Ok
            } else if plan.is_clean() {
                AuditResult::Preview
            } else {
                AuditResult::Refused
            },
            &format!(
                "{} row(s), {} problem(s)",
                plan.rows.len(),
                plan.problems.len()
            ),
        )
        .await;
        report.updated = plan.rows.iter().filter(|r| r.update).count();
        report.new = plan.rows.len() - report.updated;
        report.committed = committed;
        report.rows = plan.rows.into_iter().take(200).collect();
        report.problems = plan.problems.into_iter().take(500).collect();
        Ok(report)
    }

    pub async fn refusal(p: &Principal, r: OrgRefusal) -> AppError {
        match r {
            OrgRefusal::Conflict { unit, by, at } => AppError::Refused {
                status: 409,
                key: "err.org_conflict".into(),
                args: vec![
                    ("unit".into(), unit),
                    ("who".into(), by),
                    ("when".into(), domain::date::shanghai_datetime(at)),
                ],
            },
            OrgRefusal::UnknownGrid(g) => AppError::Refused {
                status: 400,
                key: "err.org_grid".into(),
                args: vec![("grid".into(), g)],
            },
            OrgRefusal::Rule(e) => {
                let status = match e {
                    OrgError::OutOfScope { .. } => {
                        audit(
                            Some(p),
                            AuditAction::OrgsApply,
                            AuditObject::None,
                            AuditResult::Refused,
                            "out of scope",
                        )
                        .await;
                        403
                    }
                    OrgError::UnknownUnit => 404,
                    _ => 400,
                };
                AppError::Refused {
                    status,
                    key: e.key().into(),
                    args: e.args(),
                }
            }
        }
    }
}

/// The live organisation tree. Residents get unit names and secretaries' names only.
#[server(prefix = "/api", endpoint = "orgs_tree")]
pub async fn orgs_tree() -> Result<OrgTreeView, AppError> {
    let p = require_user().await?;
    let db = &state()?.db;
    let levels = db.org_levels().await.map_err(internal)?;
    let mut units = db.org_units().await.map_err(internal)?;
    if !p.role.is_staff() {
        for u in &mut units {
            u.term_start = None;
            u.members = 0;
        }
    }
    Ok(OrgTreeView {
        levels,
        units,
        editable_prefix: ssr_orgs::editable_prefix(&p),
        today: ssr_orgs::today(),
    })
}

/// One unit's people and change log. People (phones masked) and the log are for administrators
/// and the organisers whose scope covers the unit; everyone else sees the unit and its secretary.
#[server(prefix = "/api", endpoint = "org_unit_panel")]
pub async fn org_unit_panel(id: i64) -> Result<OrgUnitPanelView, AppError> {
    let p = require_user().await?;
    let db = &state()?.db;
    let (unit, dissolved) = db.org_unit(id).await?;
    let full = domain::Code::parse(&unit.code).is_ok_and(|c| p.can_see_unit_people(&c));
    if dissolved.is_some() && !full {
        return Err(AppError::NotFound);
    }
    let roles = db.unit_roles(id).await.map_err(internal)?;
    let roles = roles
        .into_iter()
        .filter(|r| full || r.role == "secretary")
        .map(|r| RoleView {
            id: r.id,
            role: r.role,
            person_name: r.person_name,
            phone: if full {
                domain::mask::phone(&r.phone)
            } else {
                String::new()
            },
            resident_unit: r.resident_unit.unwrap_or_default(),
        })
        .collect();
    let log = if full {
        db.org_unit_log(id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|c| OrgChangeView {
                at: domain::date::shanghai_datetime(c.at),
                actor: c.actor,
                action: c.action,
                before: c.before,
                after: c.after,
                reason: c.reason,
                doc_no: c.doc_no,
            })
            .collect()
    } else {
        Vec::new()
    };
    let mut unit = unit;
    if !full {
        unit.term_start = None;
        unit.members = 0;
    }
    Ok(OrgUnitPanelView {
        unit,
        roles,
        log,
        full,
    })
}

/// Chooses the built-in level set (`five`, `four` or `district`; a custom set is a JSON file for
/// `linli org-levels`). Administrators only; refused while live units have a level the new set
/// lacks.
#[server(prefix = "/api", endpoint = "orgs_set_levels")]
pub async fn orgs_set_levels(set: String) -> Result<(), AppError> {
    let object = AuditObject::Setting("org_levels");
    let p = require(AuditAction::OrgsSetLevels, object, |p| p.is_admin()).await?;
    let Some(levels) = ["five", "four", "district"]
        .contains(&set.as_str())
        .then(|| domain::org::LevelSet::from_setting(&set))
        .flatten()
    else {
        return Err(AppError::Invalid("err.org_levels".into()));
    };
    let db = &state()?.db;
    let units = db.org_units().await.map_err(internal)?;
    if let Some(u) = units.iter().find(|u| levels.get(&u.level).is_none()) {
        audit(
            Some(&p),
            AuditAction::OrgsSetLevels,
            object,
            AuditResult::Refused,
            &set,
        )
        .await;
        return Err(AppError::Refused {
            status: 409,
            key: "err.org_levels_used".into(),
            args: vec![("unit".into(), u.name.clone())],
        });
    }
    db.set_org_levels(&set).await.map_err(internal)?;
    audit(
        Some(&p),
        AuditAction::OrgsSetLevels,
        object,
        AuditResult::Ok,
        &set,
    )
    .await;
    Ok(())
}

/// Applies a batch of edit commands (JSON list of `domain::org::OrgCommand`) all or nothing.
#[server(prefix = "/api", endpoint = "orgs_apply")]
pub async fn orgs_apply(commands: String) -> Result<AppliedView, AppError> {
    let p = require_user().await?;
    if ssr_orgs::editable_prefix(&p).is_none() {
        return Err(deny(&p, AuditAction::OrgsApply, AuditObject::None).await);
    }
    let commands: Vec<domain::org::OrgCommand> =
        serde_json::from_str(&commands).map_err(|_| AppError::Invalid("err.org_payload".into()))?;
    if commands.is_empty() || commands.len() > 1000 {
        return Err(AppError::Invalid("err.org_payload".into()));
    }
    // A unit's grid must be of the caller's own area, as an event's place must.
    for c in &commands {
        if let domain::org::OrgCommand::Details { details, .. } = c {
            if let Some(g) = details
                .grid
                .as_deref()
                .map(str::trim)
                .filter(|g| !g.is_empty())
            {
                if !domain::Code::parse(g).is_ok_and(|c| p.can_link_grid(&c)) {
                    return Err(deny(&p, AuditAction::OrgsApply, AuditObject::Grids(g)).await);
                }
            }
        }
    }
    let db = &state()?.db;
    let r = db
        .apply_org(&commands, &p.username, store::now(), ssr_orgs::editable(&p))
        .await
        .map_err(internal)?;
    match r {
        Ok(a) => {
            audit(
                Some(&p),
                AuditAction::OrgsApply,
                AuditObject::None,
                AuditResult::Ok,
                &format!("{} command(s)", commands.len()),
            )
            .await;
            Ok(AppliedView {
                units: a.units,
                dissolved: a.dissolved,
                created: a.created,
            })
        }
        Err(e) => Err(ssr_orgs::refusal(&p, e).await),
    }
}

/// Reads an export — `format` `csv` (text, decoded to UTF-8 by the browser), `xlsx` (base64) or
/// `json` (text) — maps its columns and type values (`mapping`: a JSON `Mapping`, or empty for the
/// guess), checks every row against the tree and the caller's scope, and writes it all when
/// `commit` is set and nothing is wrong. Its route accepts larger bodies than other server
/// functions.
#[server(prefix = "/api", endpoint = "orgs_import")]
pub async fn orgs_import(
    data: String,
    format: String,
    mapping: String,
    commit: bool,
) -> Result<ImportReport, AppError> {
    use domain::org::import as imp;
    let p = require_user().await?;
    if ssr_orgs::editable_prefix(&p).is_none() {
        return Err(deny(&p, AuditAction::OrgsImport, AuditObject::None).await);
    }
    let mapping = match mapping.trim() {
        "" => None,
        m => Some(
            serde_json::from_str::<imp::Mapping>(m)
                .map_err(|_| AppError::Invalid("err.org_payload".into()))?,
        ),
    };
    let table = match format.as_str() {
        "csv" => imp::read_csv_table(&data),
        "json" => imp::read_json_table(&data),
        "xlsx" => {
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|_| AppError::Invalid("err.org_payload".into()))?;
            imp::read_xlsx_table(&bytes)
        }
        // Excel 97–2003: its sheets are read whole into memory by the readers there are, which
        // a hostile file can make enormous; the office saves it as .xlsx or CSV instead.
        "xls" => Err(imp::Problem {
            line: 1,
            key: "org_import.xls".into(),
            args: Vec::new(),
        }),
        _ => return Err(AppError::Invalid("err.org_payload".into())),
    };
    ssr_orgs::import(&p, table, mapping, commit).await
}
