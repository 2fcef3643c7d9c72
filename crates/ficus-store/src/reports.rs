//! Reports to the moderators (`reports`: limits per target and per
//! e-mail counted in the same write transaction), their queue, and
//! accounts' standing (suspended until a time, or banned), every
//! moderator action in the audit log.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use ficus_core::reports::{
    REPORTS_PER_EMAIL_PER_DAY, ReportReason, ReportRefusal, ReportTarget, Standing,
};

use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::schema::{audit_log, comments, reports, users, works};
use crate::{Page, Store};

/// Reports per page of the queue.
pub const REPORTS_PER_PAGE: u32 = 25;

/// One report in the moderators' queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    pub id: i64,
    pub target_kind: String,
    pub target_id: i64,
    pub reporter: Option<String>,
    pub reporter_email: String,
    pub reason: String,
    pub description: String,
    pub at: NaiveDateTime,
    pub resolved: Option<(NaiveDateTime, Option<String>, String)>,
}

/// A change to an account's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandingChange<'a> {
    Suspend {
        until: NaiveDateTime,
        reason: &'a str,
    },
    Ban {
        reason: &'a str,
    },
    /// Back to good standing.
    Lift,
}

/// Standing helpers on a connection of either backend.
pub(crate) trait StandingHelpers {
    /// An account's standing at `now` (`Good` for no such account).
    fn standing_of(&mut self, user_id: i64, now: NaiveDateTime) -> QueryResult<Standing>;
}

impl_for_both_backends! {
    impl StandingHelpers {
        fn standing_of(&mut self, user_id: i64, now: NaiveDateTime) -> QueryResult<Standing> {
            let row: Option<(bool, Option<NaiveDateTime>)> = users::table
                .find(user_id)
                .select((users::banned, users::suspended_until))
                .first(self)
                .optional()?;
            Ok(row
                .map(|(banned, until)| Standing::of(banned, until, now))
                .unwrap_or_default())
        }
    }
}

type ReportRow = (
    i64,
    String,
    i64,
    Option<i64>,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<i64>,
    Option<String>,
);

impl Store {
    /// Files a report, within the limits (per target, per e-mail), in
    /// one write transaction. `Ok(Err(_))` is a refusal.
    pub fn file_report(
        &self,
        target: ReportTarget,
        reporter: Option<i64>,
        email: &str,
        reason: ReportReason,
        description: &str,
        now: NaiveDateTime,
    ) -> Result<Result<i64, ReportRefusal>, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let exists: i64 = match target {
                ReportTarget::Work(id) => works::table
                    .filter(works::id.eq(id))
                    .filter(works::posted.eq(true))
                    .count()
                    .get_result(conn)?,
                ReportTarget::Comment(id) => comments::table
                    .filter(comments::id.eq(id))
                    .count()
                    .get_result(conn)?,
                ReportTarget::Account(id) => users::table
                    .filter(users::id.eq(id))
                    .count()
                    .get_result(conn)?,
            };
            if exists == 0 {
                return Ok::<_, diesel::result::Error>(Err(ReportRefusal::BadTarget));
            }
            let (max, days) = target.limit();
            let about: i64 = reports::table
                .filter(reports::target_kind.eq(target.kind()))
                .filter(reports::target_id.eq(target.id()))
                .filter(reports::created_at.gt(now - Duration::days(days)))
                .count()
                .get_result(conn)?;
            if about >= max {
                return Ok(Err(ReportRefusal::TargetLimit));
            }
            let by_email: i64 = reports::table
                .filter(reports::reporter_email.eq(email))
                .filter(reports::created_at.gt(now - Duration::days(1)))
                .count()
                .get_result(conn)?;
            if by_email >= REPORTS_PER_EMAIL_PER_DAY {
                return Ok(Err(ReportRefusal::EmailLimit));
            }
            let id: i64 = diesel::insert_into(reports::table)
                .values((
                    reports::target_kind.eq(target.kind()),
                    reports::target_id.eq(target.id()),
                    reports::reporter_id.eq(reporter),
                    reports::reporter_email.eq(email),
                    reports::reason.eq(reason.as_str()),
                    reports::description.eq(description),
                    reports::created_at.eq(now),
                ))
                .returning(reports::id)
                .get_result(conn)?;
            Ok(Ok(id))
        }))?)
    }

    /// Page `page` of the reports (only open ones with `open_only`), open
    /// ones first, oldest first.
    pub fn reports(&self, page: u32, open_only: bool) -> Result<Page<ReportRecord>, StoreError> {
        let page = page.max(1);
        let (total, rows, logins) = with_conn!(self, |conn| {
            let mut count = reports::table.into_boxed();
            let mut q = reports::table.into_boxed();
            if open_only {
                count = count.filter(reports::resolved_at.is_null());
                q = q.filter(reports::resolved_at.is_null());
            }
            let total: i64 = count.count().get_result(conn)?;
            let rows: Vec<ReportRow> = q
                .order((reports::resolved_at.is_not_null(), reports::id.asc()))
                .select((
                    reports::id,
                    reports::target_kind,
                    reports::target_id,
                    reports::reporter_id,
                    reports::reporter_email,
                    reports::reason,
                    reports::description,
                    reports::created_at,
                    reports::resolved_at,
                    reports::resolved_by,
                    reports::resolution,
                ))
                .limit(i64::from(REPORTS_PER_PAGE))
                .offset(i64::from(page - 1) * i64::from(REPORTS_PER_PAGE))
                .load(conn)?;
            let ids: Vec<i64> = rows.iter().flat_map(|r| [r.3, r.9]).flatten().collect();
            let logins: Vec<(i64, String)> = users::table
                .filter(users::id.eq_any(&ids))
                .select((users::id, users::login))
                .load(conn)?;
            Ok::<_, StoreError>((total, rows, logins))
        })?;
        let login = |id: Option<i64>| {
            id.and_then(|id| {
                logins
                    .iter()
                    .find(|(u, _)| *u == id)
                    .map(|(_, l)| l.clone())
            })
        };
        Ok(Page {
            items: rows
                .into_iter()
                .map(
                    |(
                        id,
                        kind,
                        target,
                        reporter,
                        email,
                        reason,
                        description,
                        at,
                        resolved_at,
                        by,
                        note,
                    )| {
                        ReportRecord {
                            id,
                            target_kind: kind,
                            target_id: target,
                            reporter: login(reporter),
                            reporter_email: email,
                            reason,
                            description,
                            at,
                            resolved: resolved_at.map(|t| (t, login(by), note.unwrap_or_default())),
                        }
                    },
                )
                .collect(),
            page,
            per_page: REPORTS_PER_PAGE,
            total: total.max(0) as u64,
        })
    }

    /// Marks a report resolved, with a note, in the audit log too. False
    /// when there is no such open report.
    pub fn resolve_report(
        &self,
        id: i64,
        moderator: i64,
        note: &str,
        now: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let n = diesel::update(
                reports::table
                    .filter(reports::id.eq(id))
                    .filter(reports::resolved_at.is_null()),
            )
            .set((
                reports::resolved_at.eq(now),
                reports::resolved_by.eq(moderator),
                reports::resolution.eq(note),
            ))
            .execute(conn)?;
            if n == 0 {
                return Ok::<_, diesel::result::Error>(false);
            }
            diesel::insert_into(audit_log::table)
                .values((
                    audit_log::actor_id.eq(moderator),
                    audit_log::action.eq("resolve_report"),
                    audit_log::detail.eq(format!("report {id}: {note}")),
                    audit_log::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(true)
        }))?)
    }

    /// An account's standing now.
    pub fn standing(&self, user_id: i64, now: NaiveDateTime) -> Result<Standing, StoreError> {
        Ok(with_conn!(self, |conn| conn.standing_of(user_id, now))?)
    }

    /// Suspends, bans or restores account `login` (never an admin), in the
    /// audit log too. False when there is no such account (or it is an
    /// admin's).
    pub fn set_standing(
        &self,
        login: &str,
        change: StandingChange<'_>,
        actor: i64,
        now: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let key = login.trim().to_ascii_lowercase();
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let target: Option<(i64, String)> = users::table
                .filter(users::login_key.eq(&key))
                .select((users::id, users::role))
                .first(conn)
                .optional()?;
            let Some((id, role)) = target else {
                return Ok::<_, diesel::result::Error>(false);
            };
            let actor_role: Option<String> = users::table
                .find(actor)
                .select(users::role)
                .first(conn)
                .optional()?;
            // Nobody changes their own standing; only an admin a
            // moderator's; nobody an admin's.
            let staff = role == "admin" || role == "moderator";
            if id == actor || role == "admin" || (staff && actor_role.as_deref() != Some("admin")) {
                return Ok(false);
            }
            let (until, banned, reason, action, detail) = match change {
                StandingChange::Suspend { until, reason } => (
                    Some(until),
                    false,
                    Some(reason),
                    "suspend_user",
                    format!(
                        "{login} until {} UTC: {reason}",
                        until.format("%Y-%m-%d %H:%M")
                    ),
                ),
                StandingChange::Ban { reason } => (
                    None,
                    true,
                    Some(reason),
                    "ban_user",
                    format!("{login}: {reason}"),
                ),
                StandingChange::Lift => (None, false, None, "lift_user", login.to_string()),
            };
            diesel::update(users::table.find(id))
                .set((
                    users::suspended_until.eq(until),
                    users::banned.eq(banned),
                    users::standing_reason.eq(reason),
                ))
                .execute(conn)?;
            diesel::insert_into(audit_log::table)
                .values((
                    audit_log::actor_id.eq(actor),
                    audit_log::action.eq(action),
                    audit_log::detail.eq(detail),
                    audit_log::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(true)
        }))?)
    }
}
