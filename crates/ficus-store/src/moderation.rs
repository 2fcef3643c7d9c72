//! Moderation: hiding works, and the audit log of such actions.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use serde::Serialize;

use crate::conn::WriteTransaction;
use crate::schema::{audit_log, users, works};
use crate::{Store, StoreError};

/// One moderation action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    /// The acting account's login (gone if the account was deleted).
    pub actor: Option<String>,
    pub action: String,
    pub work_id: Option<i64>,
    pub detail: Option<String>,
    pub at: NaiveDateTime,
}

impl Store {
    /// Hides or unhides a work and records who did it, in one transaction.
    /// False when no such work.
    pub fn set_hidden(
        &self,
        work_id: i64,
        hidden: bool,
        actor_id: i64,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let now = Utc::now().naive_utc();
        let action = if hidden { "hide_work" } else { "unhide_work" };
        let reason = reason.trim();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            // Drafts are nobody's to hide: they answer as missing works.
            let n = diesel::update(
                works::table
                    .filter(works::id.eq(work_id))
                    .filter(works::posted.eq(true)),
            )
            .set(works::hidden.eq(hidden))
            .execute(conn)?;
            if n == 0 {
                return Ok::<_, DieselError>(false);
            }
            diesel::insert_into(audit_log::table)
                .values((
                    audit_log::actor_id.eq(actor_id),
                    audit_log::action.eq(action),
                    audit_log::work_id.eq(work_id),
                    audit_log::detail.eq((!reason.is_empty()).then_some(reason)),
                    audit_log::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(true)
        }))?)
    }

    /// The newest audit entries first.
    pub fn audit_entries(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        type Row = (
            i64,
            Option<String>,
            String,
            Option<i64>,
            Option<String>,
            NaiveDateTime,
        );
        let rows: Vec<Row> = with_conn!(self, |conn| audit_log::table
            .left_join(users::table)
            .order((audit_log::created_at.desc(), audit_log::id.desc()))
            .select((
                audit_log::id,
                users::login.nullable(),
                audit_log::action,
                audit_log::work_id,
                audit_log::detail,
                audit_log::created_at,
            ))
            .limit(limit)
            .load(conn)?);
        Ok(rows
            .into_iter()
            .map(|(id, actor, action, work_id, detail, at)| AuditEntry {
                id,
                actor,
                action,
                work_id,
                detail,
                at,
            })
            .collect())
    }
}
