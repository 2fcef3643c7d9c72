//! Gift exchanges as stored: a collection's exchange settings
//! (`gift_exchanges`), its sign-ups (`challenge_signups`) with their
//! prompts and each prompt's tags, the assignments matching makes
//! (`challenge_assignments`) and whom it left out (`challenge_unmatched`).
//! Each action is one transaction; the rules are
//! `ficus_core::exchange`. Sign-ups are here, matching and sending in
//! `matching.rs`, assignments in `assignments.rs`, reads in `read.rs`.

mod assignments;
mod matching;
mod read;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_core::exchange::MatchRules;
use ficus_core::exchange::rules::{ExchangeRefusal, ExchangeSettings, PromptKind, SignupDraft};

pub(crate) use assignments::AssignmentHelpers;
pub use assignments::AssignmentRecord;
pub use matching::MatchSummary;
pub use read::{ExchangeRecord, PromptRecord, SignupRecord, UnmatchedRecord};

use crate::Store;
use crate::collections::CollectionHelpers;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::reports::StandingHelpers;
use crate::schema::{
    challenge_assignments, challenge_prompt_tags, challenge_prompts, challenge_signups,
    challenge_unmatched, gift_exchanges, pseuds, tags,
};

type Outcome<T> = Result<Result<T, ExchangeRefusal>, StoreError>;

/// (settings, matched at, sent at) of a stored exchange.
pub(crate) type Stored = (
    ExchangeSettings,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

type SettingsRow = (
    bool,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    (i32, i32, i32, i32),
    (i32, i32, i32, i32),
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

macro_rules! settings_columns {
    () => {
        (
            gift_exchanges::signup_open,
            gift_exchanges::signups_open_at,
            gift_exchanges::signups_close_at,
            gift_exchanges::assignments_due_at,
            gift_exchanges::reveal_at,
            (
                gift_exchanges::requests_required,
                gift_exchanges::requests_allowed,
                gift_exchanges::offers_required,
                gift_exchanges::offers_allowed,
            ),
            (
                gift_exchanges::match_fandoms,
                gift_exchanges::match_characters,
                gift_exchanges::match_relationships,
                gift_exchanges::match_freeforms,
            ),
            gift_exchanges::instructions,
            gift_exchanges::matched_at,
            gift_exchanges::sent_at,
        )
    };
}

fn unsigned(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn settings_of(r: SettingsRow) -> Stored {
    let (rr, ra, or, oa) = r.5;
    let (f, c, rel, t) = r.6;
    (
        ExchangeSettings {
            signup_open: r.0,
            signups_open_at: r.1,
            signups_close_at: r.2,
            assignments_due_at: r.3,
            reveal_at: r.4,
            requests_required: unsigned(rr),
            requests_allowed: unsigned(ra),
            offers_required: unsigned(or),
            offers_allowed: unsigned(oa),
            rules: MatchRules {
                fandoms: unsigned(f),
                characters: unsigned(c),
                relationships: unsigned(rel),
                freeforms: unsigned(t),
            },
            instructions: r.7,
        },
        r.8,
        r.9,
    )
}

fn signed(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Typed helpers on a connection of either backend.
pub(crate) trait ExchangeHelpers {
    /// The exchange of collection `cid`, if it is one.
    fn exchange_settings(&mut self, cid: i64) -> QueryResult<Option<Stored>>;

    /// Takes exchange `cid`'s row lock (a no-op update) before its state
    /// is read: sign-ups, matching and sending serialize on PostgreSQL as
    /// on SQLite.
    fn lock_exchange(&mut self, cid: i64) -> QueryResult<()>;

    /// Resolves a prompt's tag names of `kind` to tag ids, or the first
    /// name the archive has no tag for.
    fn prompt_tag_ids(
        &mut self,
        kind: TagType,
        names: &[String],
    ) -> QueryResult<Result<Vec<i64>, String>>;

    /// Exchange `cid` (its settings and when it was matched) for a
    /// maintainer's change to its matches, its row locked: refused when
    /// `user` is no maintainer, it is no exchange, or its assignments are
    /// out.
    fn unsent_for_maintainer(
        &mut self,
        cid: i64,
        user: i64,
    ) -> QueryResult<Result<(ExchangeSettings, Option<NaiveDateTime>), ExchangeRefusal>>;

    /// Drops exchange `cid`'s matches (assignments and the match report):
    /// a changed sign-up makes them stale. Only before they are sent.
    fn forget_matches(&mut self, cid: i64) -> QueryResult<()>;
}

impl_for_both_backends! {
    impl ExchangeHelpers {
        fn exchange_settings(&mut self, cid: i64) -> QueryResult<Option<Stored>> {
            let row: Option<SettingsRow> = gift_exchanges::table
                .find(cid)
                .select(settings_columns!())
                .first(self)
                .optional()?;
            Ok(row.map(settings_of))
        }

        fn unsent_for_maintainer(
            &mut self,
            cid: i64,
            user: i64,
        ) -> QueryResult<Result<(ExchangeSettings, Option<NaiveDateTime>), ExchangeRefusal>> {
            if !self
                .role_in(cid, user)?
                .is_some_and(ficus_core::collections::Role::maintains)
            {
                return Ok(Err(ExchangeRefusal::NotMaintainer));
            }
            self.lock_exchange(cid)?;
            Ok(match self.exchange_settings(cid)? {
                None => Err(ExchangeRefusal::NotAnExchange),
                Some((_, _, Some(_))) => Err(ExchangeRefusal::AlreadySent),
                Some((settings, matched, None)) => Ok((settings, matched)),
            })
        }

        fn lock_exchange(&mut self, cid: i64) -> QueryResult<()> {
            diesel::update(gift_exchanges::table.find(cid))
                .set(gift_exchanges::collection_id.eq(gift_exchanges::collection_id))
                .execute(self)?;
            Ok(())
        }

        fn prompt_tag_ids(
            &mut self,
            kind: TagType,
            names: &[String],
        ) -> QueryResult<Result<Vec<i64>, String>> {
            let mut ids = Vec::with_capacity(names.len());
            for name in names {
                let id: Option<i64> = tags::table
                    .filter(tags::tag_type.eq(kind.as_str()))
                    .filter(tags::name_key.eq(ficus_core::tag::tag_key(name)))
                    .select(tags::id)
                    .first(self)
                    .optional()?;
                match id {
                    Some(id) if !ids.contains(&id) => ids.push(id),
                    Some(_) => {}
                    None => return Ok(Err(name.clone())),
                }
            }
            Ok(Ok(ids))
        }

        fn forget_matches(&mut self, cid: i64) -> QueryResult<()> {
            let signups = challenge_signups::table
                .filter(challenge_signups::collection_id.eq(cid))
                .select(challenge_signups::id);
            diesel::delete(
                challenge_unmatched::table.filter(challenge_unmatched::signup_id.eq_any(signups)),
            )
            .execute(self)?;
            diesel::delete(
                challenge_assignments::table.filter(challenge_assignments::collection_id.eq(cid)),
            )
            .execute(self)?;
            diesel::update(gift_exchanges::table.find(cid))
                .set(gift_exchanges::matched_at.eq(None::<NaiveDateTime>))
                .execute(self)?;
            Ok(())
        }
    }
}

/// The viewer's account, or `NotFound` (guests sign up for nothing).
fn account(viewer: Viewer) -> Result<i64, ExchangeRefusal> {
    viewer.user_id().ok_or(ExchangeRefusal::NotFound)
}

/// How the refusals name a tag kind.
fn kind_word(kind: TagType) -> &'static str {
    match kind {
        TagType::Fandom => "fandom",
        TagType::Character => "character",
        TagType::Relationship => "relationship",
        _ => "additional",
    }
}

impl Store {
    /// Makes collection `cid` a gift exchange with `settings`, or changes
    /// its settings (its maintainers only), in one transaction.
    pub fn set_exchange(
        &self,
        viewer: Viewer,
        cid: i64,
        settings: &ExchangeSettings,
        now: NaiveDateTime,
    ) -> Outcome<()> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        let s = settings;
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            if !conn
                .role_in(cid, user)?
                .is_some_and(ficus_core::collections::Role::maintains)
            {
                return Ok::<_, diesel::result::Error>(Err(ExchangeRefusal::NotMaintainer));
            }
            conn.lock_exchange(cid)?;
            let before = conn.exchange_settings(cid)?;
            // A new reveal date must be ahead: one in the past would
            // reveal everything at once, earlier rounds too.
            let old_reveal = before.as_ref().and_then(|b| b.0.reveal_at);
            if s.reveal_at != old_reveal && s.reveal_at.is_some_and(|t| t <= now) {
                return Ok(Err(ExchangeRefusal::RevealInPast));
            }
            // Matches made under other rules are stale until sent.
            if let Some((old, Some(_), None)) = &before
                && (old.rules != s.rules
                    || (old.requests_allowed, old.offers_allowed)
                        != (s.requests_allowed, s.offers_allowed))
            {
                conn.forget_matches(cid)?;
            }
            let values = (
                gift_exchanges::signup_open.eq(s.signup_open),
                gift_exchanges::signups_open_at.eq(s.signups_open_at),
                gift_exchanges::signups_close_at.eq(s.signups_close_at),
                gift_exchanges::assignments_due_at.eq(s.assignments_due_at),
                gift_exchanges::reveal_at.eq(s.reveal_at),
                gift_exchanges::requests_required.eq(signed(s.requests_required)),
                gift_exchanges::requests_allowed.eq(signed(s.requests_allowed)),
                gift_exchanges::offers_required.eq(signed(s.offers_required)),
                gift_exchanges::offers_allowed.eq(signed(s.offers_allowed)),
                gift_exchanges::match_fandoms.eq(signed(s.rules.fandoms)),
                gift_exchanges::match_characters.eq(signed(s.rules.characters)),
                gift_exchanges::match_relationships.eq(signed(s.rules.relationships)),
                gift_exchanges::match_freeforms.eq(signed(s.rules.freeforms)),
                gift_exchanges::instructions.eq(&s.instructions),
                gift_exchanges::updated_at.eq(now),
            );
            let changed = diesel::update(gift_exchanges::table.find(cid))
                .set(values)
                .execute(conn)?;
            if changed == 0 {
                diesel::insert_into(gift_exchanges::table)
                    .values((
                        gift_exchanges::collection_id.eq(cid),
                        gift_exchanges::created_at.eq(now),
                        values,
                    ))
                    .execute(conn)?;
            }
            Ok(Ok(()))
        }))?)
    }

    /// Makes or replaces the viewer's sign-up for exchange `cid` (as their
    /// default pseud), in one transaction: sign-ups open, assignments not
    /// sent, every tag one the archive has. A changed sign-up drops the
    /// exchange's matches (they were made without it).
    pub fn save_signup(
        &self,
        viewer: Viewer,
        cid: i64,
        draft: &SignupDraft,
        now: NaiveDateTime,
    ) -> Outcome<i64> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            conn.lock_exchange(cid)?;
            let Some((settings, _, sent)) = conn.exchange_settings(cid)? else {
                return Ok::<_, diesel::result::Error>(Err(ExchangeRefusal::NotAnExchange));
            };
            if sent.is_some() {
                return Ok(Err(ExchangeRefusal::AlreadySent));
            }
            if !settings.signups_open(now) {
                return Ok(Err(ExchangeRefusal::SignupsClosed));
            }
            if !conn.standing_of(user, now)?.may_act() {
                return Ok(Err(ExchangeRefusal::Suspended));
            }
            // Every name is resolved before anything is written.
            let mut prompts = Vec::new();
            for (kind, list) in [
                (PromptKind::Request, &draft.requests),
                (PromptKind::Offer, &draft.offers),
            ] {
                for p in list {
                    let mut ids = Vec::new();
                    for (tag_kind, names) in [
                        (TagType::Fandom, &p.fandoms),
                        (TagType::Character, &p.characters),
                        (TagType::Relationship, &p.relationships),
                        (TagType::Freeform, &p.freeforms),
                    ] {
                        match conn.prompt_tag_ids(tag_kind, names)? {
                            Ok(found) => ids.extend(found),
                            Err(name) => {
                                return Ok(Err(ExchangeRefusal::NoSuchTag(
                                    kind_word(tag_kind),
                                    name,
                                )));
                            }
                        }
                    }
                    prompts.push((kind, p.description.clone(), ids));
                }
            }
            let pseud: i64 = pseuds::table
                .filter(pseuds::user_id.eq(user))
                .filter(pseuds::is_default.eq(true))
                .select(pseuds::id)
                .first(conn)?;
            let existing: Option<i64> = challenge_signups::table
                .filter(challenge_signups::collection_id.eq(cid))
                .filter(challenge_signups::user_id.eq(user))
                .select(challenge_signups::id)
                .first(conn)
                .optional()?;
            let id = match existing {
                Some(id) => {
                    diesel::update(challenge_signups::table.find(id))
                        .set(challenge_signups::updated_at.eq(now))
                        .execute(conn)?;
                    diesel::delete(
                        challenge_prompts::table.filter(challenge_prompts::signup_id.eq(id)),
                    )
                    .execute(conn)?;
                    id
                }
                None => {
                    diesel::insert_into(challenge_signups::table)
                        .values((
                            challenge_signups::collection_id.eq(cid),
                            challenge_signups::user_id.eq(user),
                            challenge_signups::pseud_id.eq(pseud),
                            challenge_signups::created_at.eq(now),
                            challenge_signups::updated_at.eq(now),
                        ))
                        .execute(conn)?;
                    challenge_signups::table
                        .filter(challenge_signups::collection_id.eq(cid))
                        .filter(challenge_signups::user_id.eq(user))
                        .select(challenge_signups::id)
                        .first(conn)?
                }
            };
            for (position, (kind, description, ids)) in prompts.into_iter().enumerate() {
                let prompt_id: i64 = diesel::insert_into(challenge_prompts::table)
                    .values((
                        challenge_prompts::signup_id.eq(id),
                        challenge_prompts::kind.eq(kind.as_str()),
                        challenge_prompts::position.eq(position as i32),
                        challenge_prompts::description.eq(description),
                    ))
                    .returning(challenge_prompts::id)
                    .get_result(conn)?;
                for (i, tag) in ids.into_iter().enumerate() {
                    diesel::insert_into(challenge_prompt_tags::table)
                        .values((
                            challenge_prompt_tags::prompt_id.eq(prompt_id),
                            challenge_prompt_tags::tag_id.eq(tag),
                            challenge_prompt_tags::position.eq(i as i32),
                        ))
                        .execute(conn)?;
                }
            }
            conn.forget_matches(cid)?;
            Ok(Ok(id))
        }))?)
    }

    /// Withdraws sign-up `signup_id`: its participant while sign-ups are
    /// open, or a maintainer before assignments are sent. The exchange's
    /// matches go with it.
    pub fn delete_signup(&self, viewer: Viewer, signup_id: i64, now: NaiveDateTime) -> Outcome<()> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let Some((cid, owner)) = challenge_signups::table
                .find(signup_id)
                .select((challenge_signups::collection_id, challenge_signups::user_id))
                .first::<(i64, i64)>(conn)
                .optional()?
            else {
                return Ok::<_, diesel::result::Error>(Err(ExchangeRefusal::NotFound));
            };
            conn.lock_exchange(cid)?;
            let maintainer = conn
                .role_in(cid, user)?
                .is_some_and(ficus_core::collections::Role::maintains);
            if owner != user && !maintainer {
                return Ok(Err(ExchangeRefusal::NotFound));
            }
            let Some((settings, _, sent)) = conn.exchange_settings(cid)? else {
                return Ok(Err(ExchangeRefusal::NotFound));
            };
            if sent.is_some() {
                return Ok(Err(ExchangeRefusal::AlreadySent));
            }
            if !maintainer && !settings.signups_open(now) {
                return Ok(Err(ExchangeRefusal::SignupsClosed));
            }
            conn.forget_matches(cid)?;
            diesel::delete(challenge_signups::table.find(signup_id)).execute(conn)?;
            Ok(Ok(()))
        }))?)
    }
}
