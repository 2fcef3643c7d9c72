//! Running an exchange's matching (the maintainers' action: the sign-ups
//! as `ficus_core::exchange::Signup`s, each tag as its canonical tag, then
//! `match_signups`) and sending the assignments out.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_core::exchange::rules::{ExchangeRefusal, PromptKind};
use ficus_core::exchange::{Prompt, Signup, match_signups};

use super::{ExchangeHelpers, Outcome, account};
use crate::Store;
use crate::conn::WriteTransaction;
use crate::mail::MailHelpers;
use crate::schema::{
    challenge_assignments, challenge_prompt_tags, challenge_prompts, challenge_signups,
    challenge_unmatched, gift_exchanges, tags,
};

/// What a matching run did, for the maintainer's notice.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct MatchSummary {
    pub signups: usize,
    /// Sign-ups with a giver.
    pub matched: usize,
    pub unmatched_givers: usize,
    pub unmatched_recipients: usize,
    pub mean_overlap: f64,
}

/// Prompt tag lists by kind, as `Prompt::new` takes them.
type TagLists = (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>);

impl Store {
    /// Matches exchange `cid`'s sign-ups (its maintainers only, sign-ups
    /// closed, assignments not sent), replacing any earlier matches, in
    /// one transaction: each sign-up gets an assignment as recipient (with
    /// a giver, or none: a pinch hitter's to cover), and the match report
    /// says who was left out and why.
    pub fn run_matching(
        &self,
        viewer: Viewer,
        cid: i64,
        now: NaiveDateTime,
    ) -> Outcome<MatchSummary> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let (settings, _) = match conn.unsent_for_maintainer(cid, user)? {
                Ok(found) => found,
                Err(r) => return Ok::<_, diesel::result::Error>(Err(r)),
            };
            if settings.signups_open(now) {
                return Ok(Err(ExchangeRefusal::SignupsStillOpen));
            }
            let ids: Vec<i64> = challenge_signups::table
                .filter(challenge_signups::collection_id.eq(cid))
                .order(challenge_signups::id)
                .select(challenge_signups::id)
                .load(conn)?;
            if ids.is_empty() {
                return Ok(Err(ExchangeRefusal::NoSignups));
            }
            let prompts: Vec<(i64, i64, String)> = challenge_prompts::table
                .inner_join(challenge_signups::table)
                .filter(challenge_signups::collection_id.eq(cid))
                .order((challenge_prompts::signup_id, challenge_prompts::position))
                .select((
                    challenge_prompts::signup_id,
                    challenge_prompts::id,
                    challenge_prompts::kind,
                ))
                .load(conn)?;
            let tagged: Vec<(i64, i64, String, Option<i64>)> = challenge_prompt_tags::table
                .inner_join(tags::table)
                .filter(
                    challenge_prompt_tags::prompt_id.eq_any(
                        challenge_prompts::table
                            .inner_join(challenge_signups::table)
                            .filter(challenge_signups::collection_id.eq(cid))
                            .select(challenge_prompts::id),
                    ),
                )
                .select((
                    challenge_prompt_tags::prompt_id,
                    tags::id,
                    tags::tag_type,
                    tags::merger_id,
                ))
                .load(conn)?;
            // A synonym matches as its canonical tag.
            let mut lists: HashMap<i64, TagLists> = HashMap::new();
            for (prompt, tag, kind, merger) in tagged {
                let entry = lists.entry(prompt).or_default();
                let id = merger.unwrap_or(tag);
                match TagType::parse(&kind) {
                    Some(TagType::Fandom) => entry.0.push(id),
                    Some(TagType::Character) => entry.1.push(id),
                    Some(TagType::Relationship) => entry.2.push(id),
                    Some(TagType::Freeform) => entry.3.push(id),
                    _ => {}
                }
            }
            let mut by_id: HashMap<i64, Signup> = ids
                .iter()
                .map(|&id| {
                    (
                        id,
                        Signup {
                            id,
                            ..Signup::default()
                        },
                    )
                })
                .collect();
            for (signup, prompt, kind) in prompts {
                let (f, c, r, t) = lists.remove(&prompt).unwrap_or_default();
                let p = Prompt::new(f, c, r, t);
                if let Some(s) = by_id.get_mut(&signup) {
                    match PromptKind::parse(&kind) {
                        Some(PromptKind::Request) => s.requests.push(p),
                        Some(PromptKind::Offer) => s.offers.push(p),
                        None => {}
                    }
                }
            }
            let signups: Vec<Signup> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
            let report = match_signups(&signups, &settings.rules);
            conn.forget_matches(cid)?;
            let givers: HashMap<i64, (i64, u32)> = report
                .assignments
                .iter()
                .map(|a| (a.recipient, (a.giver, a.overlap)))
                .collect();
            for &recipient in &ids {
                let (giver, overlap) = match givers.get(&recipient) {
                    Some(&(g, o)) => (Some(g), o),
                    None => (None, 0),
                };
                diesel::insert_into(challenge_assignments::table)
                    .values((
                        challenge_assignments::collection_id.eq(cid),
                        challenge_assignments::recipient_signup_id.eq(recipient),
                        challenge_assignments::giver_signup_id.eq(giver),
                        challenge_assignments::overlap
                            .eq(i32::try_from(overlap).unwrap_or(i32::MAX)),
                        challenge_assignments::created_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            for (side, list) in [
                ("giver", &report.unmatched_givers),
                ("recipient", &report.unmatched_recipients),
            ] {
                for (signup, why) in list {
                    diesel::insert_into(challenge_unmatched::table)
                        .values((
                            challenge_unmatched::signup_id.eq(signup),
                            challenge_unmatched::side.eq(side),
                            challenge_unmatched::reason.eq(why.code()),
                        ))
                        .execute(conn)?;
                }
            }
            diesel::update(gift_exchanges::table.find(cid))
                .set(gift_exchanges::matched_at.eq(Some(now)))
                .execute(conn)?;
            Ok(Ok(MatchSummary {
                signups: ids.len(),
                matched: report.assignments.len(),
                unmatched_givers: report.unmatched_givers.len(),
                unmatched_recipients: report.unmatched_recipients.len(),
                mean_overlap: report.mean_overlap(),
            }))
        }))?)
    }

    /// Sends exchange `cid`'s assignments out (its maintainers only, after
    /// matching): each giver sees theirs from now on, and sign-ups and
    /// matches no longer change. Returns how many assignments have a
    /// writer.
    pub fn send_assignments(&self, viewer: Viewer, cid: i64, now: NaiveDateTime) -> Outcome<usize> {
        let user = match account(viewer) {
            Ok(u) => u,
            Err(r) => return Ok(Err(r)),
        };
        Ok(with_conn!(self, |conn| conn.write_transaction(|conn| {
            let matched = match conn.unsent_for_maintainer(cid, user)? {
                Ok((_, matched)) => matched,
                Err(r) => return Ok::<_, diesel::result::Error>(Err(r)),
            };
            if matched.is_none() {
                return Ok(Err(ExchangeRefusal::NotMatched));
            }
            diesel::update(gift_exchanges::table.find(cid))
                .set(gift_exchanges::sent_at.eq(Some(now)))
                .execute(conn)?;
            // Each writer hears of theirs: a pinch hitter named already,
            // else the matched giver.
            let rows: Vec<(i64, Option<i64>, Option<i64>)> = challenge_assignments::table
                .filter(challenge_assignments::collection_id.eq(cid))
                .select((
                    challenge_assignments::id,
                    challenge_assignments::giver_signup_id,
                    challenge_assignments::pinch_hitter_id,
                ))
                .load(conn)?;
            let mut writers = Vec::new();
            for (id, giver, pinch) in rows {
                match (pinch, giver) {
                    (Some(p), _) => writers.push((p, id)),
                    (None, Some(g)) => {
                        let user: i64 = challenge_signups::table
                            .find(g)
                            .select(challenge_signups::user_id)
                            .first(conn)?;
                        writers.push((user, id));
                    }
                    (None, None) => {}
                }
            }
            conn.queue_assignment_mail(&writers, now)?;
            let with_giver: i64 = challenge_assignments::table
                .filter(challenge_assignments::collection_id.eq(cid))
                .filter(challenge_assignments::giver_signup_id.is_not_null())
                .count()
                .get_result(conn)?;
            Ok(Ok(with_giver as usize))
        }))?)
    }
}
