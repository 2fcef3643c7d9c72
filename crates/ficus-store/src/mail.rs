//! The mail queue (`mail_jobs`): jobs written in the transaction of the
//! change they tell about (a comment, kudos), taken by one node at a time
//! through a lease (a compare-and-set on `lease_until`, the same SQL on
//! both backends), marked sent, or retried later with backoff. What a
//! job's message says is read when it is sent, as its recipient may see
//! it then (a comment deleted meanwhile sends nothing).

use chrono::{Duration, NaiveDate, NaiveDateTime, Timelike};
use diesel::prelude::*;
use ficus_core::access::Viewer;
use ficus_core::account::Role;
use ficus_core::mail::{MailKind, MailPref, MailTopic, SubscriptionMail};

use crate::subscriptions::mail::{MailUpdate, UpdateMail};

use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::schema::{
    comments, creators, inbox_items, kudos, mail_jobs, pseuds, users, work_creators, works,
};
use crate::{Found, Store};

/// Attempts before a job is given up (kept, with its last error).
pub const MAX_ATTEMPTS: i32 = 12;

/// A job taken from the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailJob {
    pub id: i64,
    pub user_id: i64,
    pub kind: MailKind,
    pub comment_id: Option<i64>,
    pub day: Option<NaiveDate>,
    /// The chapter a subscription update's message tells of.
    pub chapter_id: Option<i64>,
    /// The gift exchange assignment an assignment message tells of.
    pub assignment_id: Option<i64>,
    pub attempts: i32,
    /// The end of this node's lease: also its mark on the job, so only
    /// the node still holding the lease records the outcome.
    pub lease_until: NaiveDateTime,
}

/// Who a message goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub user_id: i64,
    pub login: String,
    pub email: String,
}

/// One comment as a message tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailComment {
    pub comment_id: i64,
    pub work_id: i64,
    pub work_title: String,
    pub chapter_position: i32,
    pub author: String,
    /// The comment's text as plain text.
    pub text: String,
    /// A reply to the recipient's own comment (else: on their work).
    pub reply_to_you: bool,
}

/// Kudos on one work in a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailKudos {
    pub work_id: i64,
    pub work_title: String,
    pub names: Vec<String>,
    pub guests: u64,
}

/// A gift exchange assignment as a message tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailAssignment {
    pub assignment_id: i64,
    pub collection_name: String,
    pub collection_title: String,
    /// The recipient's pseud.
    pub recipient: String,
    pub due_at: Option<NaiveDateTime>,
    /// The writer covers it as a pinch hitter.
    pub pinch_hit: bool,
}

/// What a job's message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailContent {
    Comment(MailComment),
    CommentDigest(Vec<MailComment>),
    KudosDigest(Vec<MailKudos>),
    /// One subscription update.
    Subscription(MailUpdate),
    /// A daily or weekly digest of subscription updates.
    SubscriptionDigest(SubscriptionMail, Vec<MailUpdate>),
    /// An assignment to write.
    Assignment(MailAssignment),
}

impl MailContent {
    /// What the message's unsubscribe link turns off.
    pub fn topic(&self) -> MailTopic {
        match self {
            MailContent::Comment(_) | MailContent::CommentDigest(_) => MailTopic::Comments,
            MailContent::KudosDigest(_) => MailTopic::Kudos,
            MailContent::Subscription(u) => MailTopic::Subscription(u.subscription_id),
            MailContent::SubscriptionDigest(..) => MailTopic::Subscriptions,
            MailContent::Assignment(_) => MailTopic::Challenges,
        }
    }
}

/// When a day's digest is due: when the day is over (UTC).
pub fn digest_due(day: NaiveDate) -> NaiveDateTime {
    (day + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
}

/// Queue helpers on a connection of either backend.
pub(crate) trait MailHelpers {
    /// Queues what comment `comment_id` makes each recipient get, by
    /// their preference: a message now, a place in today's digest, or
    /// nothing.
    fn queue_comment_mail(
        &mut self,
        comment_id: i64,
        recipients: &[i64],
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// Queues today's kudos digest for each owner who wants one.
    fn queue_kudos_digest(&mut self, owners: &[i64], now: NaiveDateTime) -> QueryResult<()>;

    /// Queues a message about each (writer, assignment) for writers who
    /// want assignment mail.
    fn queue_assignment_mail(
        &mut self,
        writers: &[(i64, i64)],
        now: NaiveDateTime,
    ) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl MailHelpers {
        fn queue_comment_mail(
            &mut self,
            comment_id: i64,
            recipients: &[i64],
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            if recipients.is_empty() {
                return Ok(());
            }
            let prefs: Vec<(i64, String)> = users::table
                .filter(users::id.eq_any(recipients))
                .select((users::id, users::pref_comment_mail))
                .load(self)?;
            for (user, pref) in prefs {
                match MailPref::parse(&pref).unwrap_or_default() {
                    MailPref::Immediate => {
                        diesel::insert_into(mail_jobs::table)
                            .values((
                                mail_jobs::user_id.eq(user),
                                mail_jobs::kind.eq(MailKind::Comment.as_str()),
                                mail_jobs::comment_id.eq(comment_id),
                                mail_jobs::created_at.eq(now),
                                mail_jobs::due_at.eq(now),
                            ))
                            .execute(self)?;
                    }
                    MailPref::Daily => {
                        diesel::insert_into(mail_jobs::table)
                            .values((
                                mail_jobs::user_id.eq(user),
                                mail_jobs::kind.eq(MailKind::CommentDigest.as_str()),
                                mail_jobs::day.eq(now.date()),
                                mail_jobs::created_at.eq(now),
                                mail_jobs::due_at.eq(digest_due(now.date())),
                            ))
                            .on_conflict_do_nothing()
                            .execute(self)?;
                    }
                    MailPref::Off => {}
                }
            }
            Ok(())
        }

        fn queue_assignment_mail(
            &mut self,
            writers: &[(i64, i64)],
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            for &(user, assignment) in writers {
                let pref: Option<String> = users::table
                    .find(user)
                    .select(users::pref_challenge_mail)
                    .first(self)
                    .optional()?;
                if pref.is_none_or(|p| MailPref::parse(&p) == Some(MailPref::Off)) {
                    continue;
                }
                diesel::insert_into(mail_jobs::table)
                    .values((
                        mail_jobs::user_id.eq(user),
                        mail_jobs::kind.eq(MailKind::Assignment.as_str()),
                        mail_jobs::assignment_id.eq(assignment),
                        mail_jobs::created_at.eq(now),
                        mail_jobs::due_at.eq(now),
                    ))
                    .execute(self)?;
            }
            Ok(())
        }

        fn queue_kudos_digest(&mut self, owners: &[i64], now: NaiveDateTime) -> QueryResult<()> {
            if owners.is_empty() {
                return Ok(());
            }
            let wanting: Vec<i64> = users::table
                .filter(users::id.eq_any(owners))
                .filter(users::pref_kudos_mail.eq(MailPref::Daily.as_str()))
                .select(users::id)
                .load(self)?;
            for user in wanting {
                diesel::insert_into(mail_jobs::table)
                    .values((
                        mail_jobs::user_id.eq(user),
                        mail_jobs::kind.eq(MailKind::KudosDigest.as_str()),
                        mail_jobs::day.eq(now.date()),
                        mail_jobs::created_at.eq(now),
                        mail_jobs::due_at.eq(digest_due(now.date())),
                    ))
                    .on_conflict_do_nothing()
                    .execute(self)?;
            }
            Ok(())
        }
    }
}

type JobRow = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<NaiveDate>,
    Option<i64>,
    Option<i64>,
    i32,
);

impl Store {
    /// Takes up to `limit` due jobs for this node until `now + lease`:
    /// each by a compare-and-set on its lease, so no two nodes (or
    /// threads) take the same job; a node that dies leaves its jobs to be
    /// taken again once the lease is over.
    pub fn lease_mail_jobs(
        &self,
        now: NaiveDateTime,
        limit: i64,
        lease: Duration,
    ) -> Result<Vec<MailJob>, StoreError> {
        // Whole microseconds: PostgreSQL keeps no finer, and the value is
        // compared again when the outcome is recorded.
        let until = now + lease;
        let until = until
            .with_nanosecond(until.nanosecond() / 1_000 * 1_000)
            .unwrap_or(until);
        Ok(with_conn!(self, |conn| {
            let due: Vec<JobRow> = mail_jobs::table
                .filter(mail_jobs::sent_at.is_null())
                .filter(mail_jobs::due_at.le(now))
                .filter(mail_jobs::attempts.lt(MAX_ATTEMPTS))
                .filter(
                    mail_jobs::lease_until
                        .is_null()
                        .or(mail_jobs::lease_until.lt(now)),
                )
                .order(mail_jobs::due_at.asc())
                .select((
                    mail_jobs::id,
                    mail_jobs::user_id,
                    mail_jobs::kind,
                    mail_jobs::comment_id,
                    mail_jobs::day,
                    mail_jobs::chapter_id,
                    mail_jobs::assignment_id,
                    mail_jobs::attempts,
                ))
                .limit(limit)
                .load(conn)?;
            let mut taken = Vec::new();
            for (id, user_id, kind, comment_id, day, chapter_id, assignment_id, attempts) in due {
                let got = diesel::update(
                    mail_jobs::table
                        .filter(mail_jobs::id.eq(id))
                        .filter(mail_jobs::sent_at.is_null())
                        .filter(
                            mail_jobs::lease_until
                                .is_null()
                                .or(mail_jobs::lease_until.lt(now)),
                        ),
                )
                .set(mail_jobs::lease_until.eq(until))
                .execute(conn)?;
                if got == 1
                    && let Some(kind) = MailKind::parse(&kind)
                {
                    taken.push(MailJob {
                        id,
                        user_id,
                        kind,
                        comment_id,
                        day,
                        chapter_id,
                        assignment_id,
                        attempts,
                        lease_until: until,
                    });
                }
            }
            Ok::<_, StoreError>(taken)
        })?)
    }

    /// Marks a job sent (or, with nothing to say any more, done).
    /// `false` when this node's lease was over and another node has
    /// taken the job since: the outcome is that node's to record.
    pub fn mail_job_done(&self, job: &MailJob, now: NaiveDateTime) -> Result<bool, StoreError> {
        let changed = with_conn!(self, |conn| diesel::update(
            mail_jobs::table
                .filter(mail_jobs::id.eq(job.id))
                .filter(mail_jobs::lease_until.eq(job.lease_until))
        )
        .set((
            mail_jobs::sent_at.eq(now),
            mail_jobs::lease_until.eq(None::<NaiveDateTime>)
        ))
        .execute(conn)?);
        Ok(changed == 1)
    }

    /// Records a failed attempt; the job is due again at `retry_at`.
    /// `false` when this node no longer holds the lease (as for
    /// [`Store::mail_job_done`]).
    pub fn mail_job_failed(
        &self,
        job: &MailJob,
        error: &str,
        retry_at: NaiveDateTime,
    ) -> Result<bool, StoreError> {
        let changed = with_conn!(self, |conn| diesel::update(
            mail_jobs::table
                .filter(mail_jobs::id.eq(job.id))
                .filter(mail_jobs::lease_until.eq(job.lease_until))
        )
        .set((
            mail_jobs::attempts.eq(mail_jobs::attempts + 1),
            mail_jobs::last_error.eq(error),
            mail_jobs::due_at.eq(retry_at),
            mail_jobs::lease_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?);
        Ok(changed == 1)
    }

    /// Jobs not sent yet: (waiting, given up).
    pub fn mail_backlog(&self) -> Result<(u64, u64), StoreError> {
        let (waiting, dead): (i64, i64) = with_conn!(self, |conn| {
            let unsent = || mail_jobs::table.filter(mail_jobs::sent_at.is_null());
            let waiting: i64 = unsent()
                .filter(mail_jobs::attempts.lt(MAX_ATTEMPTS))
                .count()
                .get_result(conn)?;
            let dead: i64 = unsent()
                .filter(mail_jobs::attempts.ge(MAX_ATTEMPTS))
                .count()
                .get_result(conn)?;
            Ok::<_, StoreError>((waiting, dead))
        })?;
        Ok((waiting.max(0) as u64, dead.max(0) as u64))
    }

    /// A job's recipient (`None`: the account is gone) and what its
    /// message says as they may see it now (`None`: nothing to say).
    pub fn mail_content(
        &self,
        job: &MailJob,
    ) -> Result<Option<(Recipient, MailContent)>, StoreError> {
        let account: Option<(String, String, String)> = with_conn!(self, |conn| users::table
            .find(job.user_id)
            .select((users::login, users::email, users::role))
            .first(conn)
            .optional()?);
        let Some((login, email, role)) = account else {
            return Ok(None);
        };
        let recipient = Recipient {
            user_id: job.user_id,
            login,
            email,
        };
        let viewer = Viewer::User {
            id: job.user_id,
            role: Role::parse(&role).unwrap_or_default(),
        };
        let content = match job.kind {
            MailKind::Comment => {
                let Some(id) = job.comment_id else {
                    return Ok(None);
                };
                self.mail_comment(id, viewer)?.map(MailContent::Comment)
            }
            MailKind::CommentDigest => {
                let Some(day) = job.day else { return Ok(None) };
                let ids: Vec<i64> = with_conn!(self, |conn| inbox_items::table
                    .filter(inbox_items::user_id.eq(job.user_id))
                    .filter(
                        inbox_items::created_at.ge(day.and_hms_opt(0, 0, 0).unwrap_or_default())
                    )
                    .filter(inbox_items::created_at.lt(digest_due(day)))
                    .order(inbox_items::created_at.asc())
                    .select(inbox_items::comment_id)
                    .load(conn)?);
                let mut all = Vec::new();
                for id in ids {
                    if let Some(c) = self.mail_comment(id, viewer)? {
                        all.push(c);
                    }
                }
                (!all.is_empty()).then_some(MailContent::CommentDigest(all))
            }
            MailKind::KudosDigest => {
                let Some(day) = job.day else { return Ok(None) };
                let from = day.and_hms_opt(0, 0, 0).unwrap_or_default();
                let rows: Vec<(i64, String, Option<String>)> =
                    with_conn!(self, |conn| kudos::table
                        .inner_join(works::table)
                        .left_join(users::table)
                        .filter(
                            kudos::work_id.eq_any(
                                work_creators::table
                                    .inner_join(creators::table.inner_join(pseuds::table))
                                    .filter(pseuds::user_id.eq(job.user_id))
                                    .select(work_creators::work_id),
                            ),
                        )
                        .filter(kudos::created_at.ge(from))
                        .filter(kudos::created_at.lt(digest_due(day)))
                        .filter(works::hidden.eq(false))
                        .order((kudos::work_id.asc(), kudos::id.asc()))
                        .select((kudos::work_id, works::title, users::login.nullable()))
                        .load(conn)?);
                let mut per_work: Vec<MailKudos> = Vec::new();
                for (work_id, title, login) in rows {
                    if per_work.last().is_none_or(|w| w.work_id != work_id) {
                        per_work.push(MailKudos {
                            work_id,
                            work_title: title,
                            names: Vec::new(),
                            guests: 0,
                        });
                    }
                    if let Some(w) = per_work.last_mut() {
                        match login {
                            Some(l) => w.names.push(l),
                            None => w.guests += 1,
                        }
                    }
                }
                (!per_work.is_empty()).then_some(MailContent::KudosDigest(per_work))
            }
            MailKind::Assignment => {
                let Some(id) = job.assignment_id else {
                    return Ok(None);
                };
                // Only while the job's account still writes it: a default
                // or another pinch hitter meanwhile sends nothing.
                self.assignment(id)?
                    .filter(|a| {
                        a.sent
                            && a.writer_id == Some(job.user_id)
                            && a.status != ficus_core::exchange::rules::AssignmentStatus::Complete
                    })
                    .map(|a| {
                        MailContent::Assignment(MailAssignment {
                            assignment_id: a.id,
                            pinch_hit: a.pinch_hitter_login.is_some(),
                            collection_name: a.collection_name,
                            collection_title: a.collection_title,
                            recipient: a.recipient_pseud,
                            due_at: a.due_at,
                        })
                    })
            }
            MailKind::Subscription | MailKind::SubscriptionDaily | MailKind::SubscriptionWeekly => {
                let Some(what) = UpdateMail::of_job(job.kind, job.chapter_id, job.day) else {
                    return Ok(None);
                };
                let mut updates = self.mail_updates(job.user_id, viewer, what)?;
                match what {
                    UpdateMail::Chapter(_) => updates.pop().map(MailContent::Subscription),
                    UpdateMail::Digest(mail, _) => (!updates.is_empty())
                        .then_some(MailContent::SubscriptionDigest(mail, updates)),
                }
            }
        };
        Ok(content.map(|c| (recipient, c)))
    }

    /// One comment as `viewer` may read it in a message: shown in full,
    /// counted (not hidden, deleted or spam).
    fn mail_comment(&self, id: i64, viewer: Viewer) -> Result<Option<MailComment>, StoreError> {
        let Found::Visible(thread) = self.comment_thread(id, viewer)? else {
            return Ok(None);
        };
        let n = &thread.node;
        if n.sight != ficus_core::comments::Sight::Full
            || n.from_blocked
            || n.state.hidden
            || n.state.deleted
            || n.state.spam
        {
            return Ok(None);
        }
        let parent_author: Option<i64> = match n.parent_id {
            Some(p) => with_conn!(self, |conn| comments::table
                .find(p)
                .select(comments::user_id)
                .first::<Option<i64>>(conn)
                .optional()?)
            .flatten(),
            None => None,
        };
        let author = match &n.author {
            crate::comments::CommentAuthor::Account { login, pseud, .. } if pseud != login => {
                format!("{pseud} ({login})")
            }
            crate::comments::CommentAuthor::Account { login, .. } => login.clone(),
            crate::comments::CommentAuthor::Guest { name } => format!("{name} (Guest)"),
            crate::comments::CommentAuthor::Gone => "A deleted account".into(),
            crate::comments::CommentAuthor::AnonymousCreator => {
                crate::comments::ANONYMOUS_CREATOR.into()
            }
        };
        Ok(Some(MailComment {
            comment_id: n.id,
            work_id: thread.work_id,
            work_title: thread.work_title.clone(),
            chapter_position: n.chapter_position,
            author,
            text: ficus_core::html::plain_text(&n.body),
            reply_to_you: parent_author.is_some() && parent_author == viewer.user_id(),
        }))
    }

    /// Sets an account's gift exchange mail preference.
    pub fn set_challenge_mail(&self, user_id: i64, pref: MailPref) -> Result<(), StoreError> {
        with_conn!(self, |conn| diesel::update(users::table.find(user_id))
            .set(users::pref_challenge_mail.eq(pref.as_str()))
            .execute(conn)?);
        Ok(())
    }

    /// Sets an account's mail preferences (either may stay as it is).
    pub fn set_mail_prefs(
        &self,
        user_id: i64,
        comments: Option<MailPref>,
        kudos: Option<MailPref>,
    ) -> Result<(), StoreError> {
        with_conn!(self, |conn| conn.write_transaction(|conn| {
            if let Some(p) = comments {
                diesel::update(users::table.find(user_id))
                    .set(users::pref_comment_mail.eq(p.as_str()))
                    .execute(conn)?;
            }
            if let Some(p) = kudos {
                diesel::update(users::table.find(user_id))
                    .set(users::pref_kudos_mail.eq(p.as_str()))
                    .execute(conn)?;
            }
            Ok::<_, diesel::result::Error>(())
        })?);
        Ok(())
    }
}
