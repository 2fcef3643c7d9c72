//! Reading exchanges: the settings with their state, sign-ups with their
//! prompts (tag names by kind), and the match report's left-out
//! participants.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::TagType;
use ficus_core::exchange::Unmatched;
use ficus_core::exchange::rules::{ExchangeSettings, PromptKind};

use super::ExchangeHelpers;
use crate::Store;
use crate::error::StoreError;
use crate::schema::{
    challenge_prompt_tags, challenge_prompts, challenge_signups, challenge_unmatched,
    gift_exchanges, pseuds, tags, users,
};

/// An exchange's settings and where it stands.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExchangeRecord {
    pub collection_id: i64,
    pub settings: ExchangeSettings,
    pub matched_at: Option<NaiveDateTime>,
    pub sent_at: Option<NaiveDateTime>,
    pub revealed_at: Option<NaiveDateTime>,
    pub signups: i64,
}

/// One prompt of a sign-up: its tag names by kind.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PromptRecord {
    pub fandoms: Vec<String>,
    pub characters: Vec<String>,
    pub relationships: Vec<String>,
    pub freeforms: Vec<String>,
    /// Sanitized HTML (empty: none).
    pub description: String,
}

/// A sign-up with its prompts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignupRecord {
    pub id: i64,
    pub collection_id: i64,
    pub user_id: i64,
    pub login: String,
    pub pseud: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub requests: Vec<PromptRecord>,
    pub offers: Vec<PromptRecord>,
}

/// A participant matching left out, on one side.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnmatchedRecord {
    pub login: String,
    /// "giver" or "recipient".
    pub side: String,
    #[serde(skip)]
    pub reason: Option<Unmatched>,
}

impl UnmatchedRecord {
    /// As the match report words the reason.
    pub fn why(&self) -> &'static str {
        self.reason.map(Unmatched::text).unwrap_or("unknown")
    }
}

type SignupRow = (i64, i64, i64, String, String, NaiveDateTime, NaiveDateTime);

macro_rules! signup_columns {
    () => {
        (
            challenge_signups::id,
            challenge_signups::collection_id,
            challenge_signups::user_id,
            users::login,
            pseuds::name,
            challenge_signups::created_at,
            challenge_signups::updated_at,
        )
    };
}

impl Store {
    /// Collection `cid`'s exchange, if it is one.
    pub fn exchange(&self, cid: i64) -> Result<Option<ExchangeRecord>, StoreError> {
        with_conn!(self, |conn| {
            let Some((settings, matched_at, sent_at)) = conn.exchange_settings(cid)? else {
                return Ok(None);
            };
            let revealed_at: Option<NaiveDateTime> = gift_exchanges::table
                .find(cid)
                .select(gift_exchanges::revealed_at)
                .first(conn)?;
            let signups: i64 = challenge_signups::table
                .filter(challenge_signups::collection_id.eq(cid))
                .count()
                .get_result(conn)?;
            Ok(Some(ExchangeRecord {
                collection_id: cid,
                settings,
                matched_at,
                sent_at,
                revealed_at,
                signups,
            }))
        })
    }

    fn assemble_signups(&self, rows: Vec<SignupRow>) -> Result<Vec<SignupRecord>, StoreError> {
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut prompts: Vec<(i64, i64, String, String)> = Vec::new();
        let mut tagged: Vec<(i64, String, String)> = Vec::new();
        for chunk in ids.chunks(500) {
            with_conn!(self, |conn| {
                let found: Vec<(i64, i64, String, String)> = challenge_prompts::table
                    .filter(challenge_prompts::signup_id.eq_any(chunk))
                    .order((challenge_prompts::signup_id, challenge_prompts::position))
                    .select((
                        challenge_prompts::signup_id,
                        challenge_prompts::id,
                        challenge_prompts::kind,
                        challenge_prompts::description,
                    ))
                    .load(conn)?;
                let tags_of: Vec<(i64, String, String)> = challenge_prompt_tags::table
                    .inner_join(tags::table)
                    .inner_join(challenge_prompts::table)
                    .filter(challenge_prompts::signup_id.eq_any(chunk))
                    .order((
                        challenge_prompt_tags::prompt_id,
                        challenge_prompt_tags::position,
                    ))
                    .select((challenge_prompt_tags::prompt_id, tags::tag_type, tags::name))
                    .load(conn)?;
                prompts.extend(found);
                tagged.extend(tags_of);
                Ok::<_, StoreError>(())
            })?;
        }
        let mut by_prompt: HashMap<i64, PromptRecord> = HashMap::new();
        for (prompt, kind, name) in tagged {
            let p = by_prompt.entry(prompt).or_default();
            match TagType::parse(&kind) {
                Some(TagType::Fandom) => p.fandoms.push(name),
                Some(TagType::Character) => p.characters.push(name),
                Some(TagType::Relationship) => p.relationships.push(name),
                _ => p.freeforms.push(name),
            }
        }
        let mut out: Vec<SignupRecord> = rows
            .into_iter()
            .map(|r| SignupRecord {
                id: r.0,
                collection_id: r.1,
                user_id: r.2,
                login: r.3,
                pseud: r.4,
                created_at: r.5,
                updated_at: r.6,
                requests: Vec::new(),
                offers: Vec::new(),
            })
            .collect();
        let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        for (signup, prompt, kind, description) in prompts {
            let Some(&i) = index.get(&signup) else {
                continue;
            };
            let mut p = by_prompt.remove(&prompt).unwrap_or_default();
            p.description = description;
            match PromptKind::parse(&kind) {
                Some(PromptKind::Request) => out[i].requests.push(p),
                Some(PromptKind::Offer) => out[i].offers.push(p),
                None => {}
            }
        }
        Ok(out)
    }

    /// Sign-up `id`, if any.
    pub fn signup(&self, id: i64) -> Result<Option<SignupRecord>, StoreError> {
        let rows: Vec<SignupRow> = with_conn!(self, |conn| challenge_signups::table
            .inner_join(users::table)
            .inner_join(pseuds::table)
            .filter(challenge_signups::id.eq(id))
            .select(signup_columns!())
            .load(conn)?);
        Ok(self.assemble_signups(rows)?.pop())
    }

    /// Account `user`'s sign-up for exchange `cid`, if any.
    pub fn signup_of(&self, cid: i64, user: i64) -> Result<Option<SignupRecord>, StoreError> {
        let rows: Vec<SignupRow> = with_conn!(self, |conn| challenge_signups::table
            .inner_join(users::table)
            .inner_join(pseuds::table)
            .filter(challenge_signups::collection_id.eq(cid))
            .filter(challenge_signups::user_id.eq(user))
            .select(signup_columns!())
            .load(conn)?);
        Ok(self.assemble_signups(rows)?.pop())
    }

    /// Exchange `cid`'s sign-ups, oldest first (the maintainers' list).
    pub fn exchange_signups(&self, cid: i64) -> Result<Vec<SignupRecord>, StoreError> {
        let rows: Vec<SignupRow> = with_conn!(self, |conn| challenge_signups::table
            .inner_join(users::table)
            .inner_join(pseuds::table)
            .filter(challenge_signups::collection_id.eq(cid))
            .order(challenge_signups::id)
            .select(signup_columns!())
            .load(conn)?);
        self.assemble_signups(rows)
    }

    /// Whom exchange `cid`'s last matching left out, and why.
    pub fn exchange_unmatched(&self, cid: i64) -> Result<Vec<UnmatchedRecord>, StoreError> {
        let rows: Vec<(String, String, String)> =
            with_conn!(self, |conn| challenge_unmatched::table
                .inner_join(challenge_signups::table.inner_join(users::table))
                .filter(challenge_signups::collection_id.eq(cid))
                .order((challenge_unmatched::side, challenge_signups::id))
                .select((
                    users::login,
                    challenge_unmatched::side,
                    challenge_unmatched::reason
                ))
                .load(conn)?);
        Ok(rows
            .into_iter()
            .map(|(login, side, reason)| UnmatchedRecord {
                login,
                side,
                reason: Unmatched::from_code(&reason),
            })
            .collect())
    }
}
