//! The demo's departments and its year of field reports (`domain::demo_field`), replayed through
//! the same rules and writes as a real deployment's (`field::file_in`, `field::act_in`) in one
//! transaction, at the times the script says.

use crate::field::NewReport;
use crate::{Db, Result, StoreError};
use domain::demo_field::{DemoActor, DemoDepartment, DemoReport};
use domain::field::clock::WorkCalendar;
use domain::field::{FieldAction, Standing};
use std::collections::HashMap;

impl Db {
    /// The departments and their accounts' membership (the accounts are the demo's users).
    pub(crate) async fn load_demo_departments(&self, deps: &[DemoDepartment]) -> Result<()> {
        for d in deps {
            let id = match self.department_id(&d.name).await? {
                Some(id) => id,
                None => self.add_department(&d.name).await?,
            };
            if let Some(u) = self.user_by_name(&d.username).await? {
                match self.add_department_member(id, u.id).await {
                    Ok(()) | Err(StoreError::Duplicate) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Files and acts out `reports` (a retry of the demo finds their keys and adds nothing).
    /// Returns how many were filed.
    pub async fn load_demo_field(
        &self,
        reports: &[DemoReport],
        deps: &[DemoDepartment],
    ) -> Result<usize> {
        let users: HashMap<String, i64> =
            sqlx::query_as::<_, (i64, String)>("SELECT id, username FROM app_user")
                .fetch_all(self.pool())
                .await?
                .into_iter()
                .map(|(id, name)| (name, id))
                .collect();
        let categories: HashMap<String, i64> = self
            .field_categories()
            .await?
            .into_iter()
            .map(|c| (c.name, c.id))
            .collect();
        let departments: HashMap<String, i64> = self
            .departments()
            .await?
            .into_iter()
            .map(|(id, name)| (name, id))
            .collect();
        let missing = |what: &str| StoreError::Other(format!("demo field reports: no {what}"));
        let department_of = |i: i64| -> Result<i64> {
            deps.get(i as usize)
                .and_then(|d| departments.get(&d.name).copied())
                .ok_or_else(|| missing("department"))
        };
        let standing = |a: &DemoActor| -> Result<Standing> {
            Ok(Standing {
                user_id: *users.get(&a.username).ok_or_else(|| missing(&a.username))?,
                handles: a.handles.clone(),
                department: a
                    .department
                    .as_ref()
                    .map(|d| departments.get(d).copied().ok_or_else(|| missing(d)))
                    .transpose()?,
            })
        };
        let cal = WorkCalendar::default();
        let mut filed = 0;
        let mut tx = self.begin_write().await?;
        for r in reports {
            let new = NewReport {
                key: r.key.clone(),
                category_id: *categories
                    .get(&r.category)
                    .ok_or_else(|| missing(&r.category))?,
                description: r.description.clone(),
                lon: r.at[0],
                lat: r.at[1],
                grid_id: self.grid_id_in(&mut tx, r.grid.as_str()).await?,
                reporter_id: *users.get(&r.reporter).ok_or_else(|| missing(&r.reporter))?,
                made_at: r.made_at,
                fixed_on_spot: r.fixed,
            };
            let (id, is_new) = self.file_in(&mut tx, &new, &cal, r.made_at + 30).await?;
            if !is_new {
                continue;
            }
            filed += 1;
            for a in &r.acts {
                let action = match &a.action {
                    FieldAction::Whistle { lead, co } => FieldAction::Whistle {
                        lead: department_of(*lead)?,
                        co: co
                            .iter()
                            .map(|c| department_of(*c))
                            .collect::<Result<_>>()?,
                    },
                    other => other.clone(),
                };
                self.act_in(&mut tx, id, None, &action, &standing(&a.by)?, &cal, a.at)
                    .await?
                    .map_err(|e| {
                        StoreError::Other(format!(
                            "demo field report {}: {} refused: {e}",
                            r.key,
                            action.name()
                        ))
                    })?;
            }
        }
        tx.commit().await?;
        Ok(filed)
    }

    async fn grid_id_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        code: &str,
    ) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT id FROM grid WHERE code = $1")
            .bind(code)
            .fetch_optional(&mut **tx)
            .await?)
    }
}
