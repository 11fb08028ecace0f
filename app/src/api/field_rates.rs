//! The three rates of field reports (issue 21 §3): per grid, community, street or department, for
//! a month, ranked, with the twelve months before as a trend; and the map's hot spots (reports per
//! grid and category). The arithmetic is `domain::field::rates`; this gathers the records.

use super::AppError;
use domain::field::rates::Rates;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ssr::*;

/// One row of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateRow {
    /// A grid, community or street code, or a department's id.
    pub key: String,
    pub name: String,
    pub reports: usize,
    /// Reports the street whistled to departments.
    pub whistled: usize,
    pub rates: Rates,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRatesView {
    /// `YYYY-MM`.
    pub month: String,
    pub by: String,
    /// Best first.
    pub rows: Vec<RateRow>,
    /// Everything the caller may see in the month.
    pub total: RateRow,
    /// The twelve months up to `month`, oldest first.
    pub trend: Vec<(String, Rates)>,
}

/// Reports per grid in the last twelve months, by category: the map's hot spots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldHotSpot {
    pub grid: String,
    pub total: i64,
    /// (category, count), most first.
    pub categories: Vec<(String, i64)>,
}

/// The first instant of month `(y, m)` in Beijing time, as unix seconds.
pub fn month_start(y: i64, m: u32) -> i64 {
    domain::date::days_from_civil(y, m, 1) * 86_400 - 8 * 3600
}

/// `(y, m)` moved by `n` months.
pub fn add_months(y: i64, m: u32, n: i64) -> (i64, u32) {
    let k = y * 12 + m as i64 - 1 + n;
    (k.div_euclid(12), (k.rem_euclid(12) + 1) as u32)
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr_rates {
    use domain::field::clock::Due;
    use domain::field::rates::{By, CaseRecord, StepRecord};
    use domain::field::{FieldState, Satisfaction};
    use std::collections::HashMap;

    pub fn step(s: &store::field::RateStep, acknowledged_at: Option<i64>) -> StepRecord {
        StepRecord {
            due: Due {
                started_at: s.started_at,
                acknowledge_by: s.acknowledge_by,
                resolve_by: s.resolve_by,
            },
            acknowledged_at,
            resolved_at: s.resolved_at,
        }
    }

    /// The records of `rows`, each with the keys it counts for under `by` (a report whistled to
    /// two departments is one record for each, with that department's steps and its own time of
    /// reporting).
    pub fn records(rows: &store::field::RateRows, by: By) -> Vec<(String, CaseRecord, bool)> {
        let mut steps: HashMap<i64, Vec<&store::field::RateStep>> = HashMap::new();
        for s in &rows.steps {
            steps.entry(s.report_id).or_default().push(s);
        }
        let acks: HashMap<(i64, i64), i64> = rows
            .department_acks
            .iter()
            .map(|&(r, d, at)| ((r, d), at))
            .collect();
        let mut out = Vec::new();
        for r in &rows.reports {
            let Some(state) = FieldState::parse(&r.state) else {
                continue;
            };
            let own = steps.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
            let departments: Vec<(i64, bool)> =
                serde_json::from_str(&r.departments).unwrap_or_default();
            let record = |steps: Vec<StepRecord>| CaseRecord {
                steps,
                state,
                satisfaction: r.satisfaction.as_deref().and_then(Satisfaction::parse),
                made_at: r.made_at,
                closed_at: r.closed_at,
            };
            let whistled = !departments.is_empty();
            if by == By::Department {
                for (d, _) in departments {
                    let mine = own
                        .iter()
                        .filter(|s| s.level == "department")
                        .map(|s| step(s, acks.get(&(r.id, d)).copied()))
                        .collect();
                    out.push((d.to_string(), record(mine), whistled));
                }
            } else if let Some(key) = r.grid_code.as_deref().and_then(|g| by.area_of(g)) {
                let all = own.iter().map(|s| step(s, s.acknowledged_at)).collect();
                out.push((key, record(all), whistled));
            }
        }
        out
    }
}

/// The ranking for `month` (`YYYY-MM`, empty: this month) by `by` (`grid`, `community`,
/// `street`, `department`). Staff see their scope; a department's account its department;
/// residents nothing.
#[server(prefix = "/api", endpoint = "field_rates")]
pub async fn field_rates(month: String, by: String) -> Result<FieldRatesView, AppError> {
    use domain::field::rates::{rank, rates, By};
    use domain::Role;
    let p = require_user().await?;
    let db = state()?.db;
    let department = db.department_of(p.user_id).await?;
    let prefix = match (p.role, &p.scope) {
        (Role::Admin, _) => Some(String::new()),
        (Role::Organiser | Role::GridWorker, Some(s)) => Some(s.to_string()),
        _ => None,
    };
    let mut by = By::parse(by.trim()).unwrap_or(By::Community);
    let prefix = match (prefix, department) {
        (Some(p), _) => p,
        // A department sees how it does, wherever it was sent.
        (None, Some(_)) => {
            by = By::Department;
            String::new()
        }
        (None, None) => {
            return Err(deny(&p, AuditAction::FieldRates, AuditObject::None).await);
        }
    };
    let now = store::now();
    let (y, m) = match domain::date::parse_ymd(&format!("{}-01", month.trim())) {
        Some((y, m, _)) if !month.trim().is_empty() => (y, m),
        _ if month.trim().is_empty() => {
            let (y, m, _) = domain::date::civil_from_days((now + 8 * 3600).div_euclid(86_400));
            (y, m)
        }
        _ => return Err(AppError::Invalid("field.err.month".into())),
    };
    let (fy, fm) = add_months(y, m, -11);
    let (ny, nm) = add_months(y, m, 1);
    let rows = db
        .field_rate_rows(month_start(fy, fm), month_start(ny, nm), &prefix)
        .await?;
    let mut records = ssr_rates::records(&rows, by);
    // Staff see every department their scope's reports were sent to; a department's account
    // only its own.
    if prefix.is_empty() && p.role != Role::Admin {
        let mine = department.map(|d| d.to_string()).unwrap_or_default();
        records.retain(|(k, _, _)| *k == mine);
    }
    let month_of = |t: i64| {
        let (yy, mm, _) = domain::date::civil_from_days((t + 8 * 3600).div_euclid(86_400));
        (yy, mm)
    };
    let trend = (0..12)
        .map(|i| {
            let (ty, tm) = add_months(fy, fm, i);
            let r = rates(
                records
                    .iter()
                    .filter(|(_, c, _)| month_of(c.made_at) == (ty, tm))
                    .map(|(_, c, _)| c),
                now,
            );
            (format!("{ty:04}-{tm:02}"), r)
        })
        .collect();
    records.retain(|(_, c, _)| month_of(c.made_at) == (y, m));
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, (k, _, _)) in records.iter().enumerate() {
        groups.entry(k.clone()).or_default().push(i);
    }
    let names: HashMap<String, String> = if by == By::Department {
        db.departments()
            .await?
            .into_iter()
            .map(|(id, n)| (id.to_string(), n))
            .collect()
    } else {
        db.grid_names(&prefix).await?.into_iter().collect()
    };
    let row = |key: String, idx: &[usize]| RateRow {
        name: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
        reports: idx.len(),
        whistled: idx.iter().filter(|&&i| records[i].2).count(),
        rates: rates(idx.iter().map(|&i| &records[i].1), now),
        key,
    };
    let mut ranked: Vec<(String, Rates, RateRow)> = groups
        .into_iter()
        .map(|(k, idx)| {
            let r = row(k.clone(), &idx);
            (k, r.rates, r)
        })
        .collect();
    rank(&mut ranked);
    let all: Vec<usize> = (0..records.len()).collect();
    let mut total = row(String::new(), &all);
    total.name = String::new();
    Ok(FieldRatesView {
        month: format!("{y:04}-{m:02}"),
        by: by.as_str().to_owned(),
        rows: ranked.into_iter().map(|(_, _, r)| r).collect(),
        total,
        trend,
    })
}

#[cfg(feature = "ssr")]
use std::collections::HashMap;

/// Reports per grid over the last twelve months, by category. Every logged-in user (counts
/// only).
#[server(prefix = "/api", endpoint = "field_hot_spots")]
pub async fn field_hot_spots() -> Result<Vec<FieldHotSpot>, AppError> {
    require_user().await?;
    let now = store::now();
    let counts = state()?
        .db
        .field_counts(now - 365 * 86_400, now + 1)
        .await?;
    let mut out: Vec<FieldHotSpot> = Vec::new();
    for (grid, category, n) in counts {
        match out.last_mut() {
            Some(h) if h.grid == grid => {
                h.total += n;
                h.categories.push((category, n));
            }
            _ => out.push(FieldHotSpot {
                grid,
                total: n,
                categories: vec![(category, n)],
            }),
        }
    }
    for h in &mut out {
        h.categories
            .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    }
    Ok(out)
}
