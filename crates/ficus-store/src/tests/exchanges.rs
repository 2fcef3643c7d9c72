//! Gift exchanges on both backends: settings, sign-ups checked against
//! them and the archive's tags, matching only once sign-ups close (with
//! the match report's reasons), sending out, posting to an assignment
//! (the work joins the exchange and is the recipient's gift whatever
//! their gift preference; no one else may post to it), defaulting, pinch
//! hitting, and the reveal date.

use chrono::Duration;
use ficus_core::account::Role as AccountRole;
use ficus_core::collections::{CollectionForm, Settings};
use ficus_core::comments::Commenter;
use ficus_core::exchange::Unmatched;
use ficus_core::exchange::rules::{
    AssignmentStatus, ExchangeRefusal, ExchangeSettings, PromptForm, SignupDraft, check_signup,
};
use ficus_core::tag::{Tag, TagName};
use ficus_core::{NewWork, TagType};

use super::comment_fixtures::*;
use super::each_backend;
use crate::{CoCreatorInvites, Store};

fn signup(settings: &ExchangeSettings, request: &str, offer: &str) -> SignupDraft {
    let prompt = |f: &str| PromptForm {
        fandoms: f.into(),
        ..PromptForm::default()
    };
    check_signup(settings, &[prompt(request)], &[prompt(offer)]).expect("valid form")
}

fn user_of(p: &Person) -> i64 {
    p.viewer.user_id().expect("an account")
}

/// Posts a work by `who` (a draft when `draft`), fulfilling `assignment`.
fn post_for(
    store: &Store,
    who: &Person,
    assignment: i64,
    draft: bool,
) -> Result<i64, crate::StoreError> {
    let Commenter::Account {
        pseud_id, user_id, ..
    } = who.commenter
    else {
        unreachable!()
    };
    let mut w = NewWork::new("A Gift", "<p>Words.</p>", chrono::Utc::now().date_naive());
    w.pseuds = vec![pseud_id];
    w.posted = !draft;
    w.tags = vec![Tag {
        kind: TagType::Fandom,
        name: TagName::parse("Alpha").expect("tag"),
    }];
    Ok(store
        .post_work(
            &w,
            Some(&CoCreatorInvites {
                by: user_id,
                assignment: Some(assignment),
                ..Default::default()
            }),
        )?
        .work_id())
}

#[test]
fn an_exchange_runs_from_sign_ups_to_reveal() {
    each_backend(|store| {
        let mod_ = person(store, "mod", AccountRole::User);
        let bea = person(store, "bea", AccountRole::User);
        let cal = person(store, "cal", AccountRole::User);
        let dan = person(store, "dan", AccountRole::User);
        let eve = person(store, "eve", AccountRole::User);
        for f in ["Alpha", "Beta", "Gamma"] {
            store.find_or_create_tag(TagType::Fandom, f).expect("tag");
        }
        let draft = CollectionForm {
            name: "Fest",
            title: "Fest",
            settings: Settings {
                unrevealed: true,
                anonymous: true,
                ..Settings::default()
            },
            ..CollectionForm::default()
        }
        .check()
        .expect("valid");
        let cid = store
            .create_collection(mod_.viewer, &draft, now())
            .expect("store")
            .expect("made");
        let mut settings = ExchangeSettings {
            signup_open: true,
            ..ExchangeSettings::default()
        };
        // Not an exchange yet; only maintainers make it one.
        assert_eq!(
            store
                .save_signup(bea.viewer, cid, &signup(&settings, "Alpha", "Beta"), now())
                .expect("store"),
            Err(ExchangeRefusal::NotAnExchange)
        );
        assert_eq!(
            store
                .set_exchange(bea.viewer, cid, &settings, now())
                .expect("store"),
            Err(ExchangeRefusal::NotMaintainer)
        );
        store
            .set_exchange(mod_.viewer, cid, &settings, now())
            .expect("store")
            .expect("set");

        // A tag the archive does not have is refused, nothing written.
        assert_eq!(
            store
                .save_signup(
                    bea.viewer,
                    cid,
                    &signup(&settings, "Nowhere", "Beta"),
                    now()
                )
                .expect("store"),
            Err(ExchangeRefusal::NoSuchTag("fandom", "Nowhere".into()))
        );
        assert!(store.signup_of(cid, user_of(&bea)).expect("read").is_none());
        let first = store
            .save_signup(bea.viewer, cid, &signup(&settings, "Gamma", "Beta"), now())
            .expect("store")
            .expect("signed up");
        // Signing up again changes the same sign-up.
        let bea_s = store
            .save_signup(bea.viewer, cid, &signup(&settings, "alpha", "Beta"), now())
            .expect("store")
            .expect("changed");
        assert_eq!(first, bea_s);
        let stored = store.signup(bea_s).expect("read").expect("there");
        assert_eq!(stored.requests[0].fandoms, ["Alpha"], "the tag's own name");
        assert_eq!(stored.offers[0].fandoms, ["Beta"]);
        for (p, req, off) in [(&cal, "Beta", "Alpha"), (&dan, "Gamma", "Alpha")] {
            store
                .save_signup(p.viewer, cid, &signup(&settings, req, off), now())
                .expect("store")
                .expect("signed up");
        }
        assert_eq!(store.exchange(cid).expect("read").expect("x").signups, 3);

        // Matching waits for sign-ups to close.
        assert_eq!(
            store.run_matching(mod_.viewer, cid, now()).expect("store"),
            Err(ExchangeRefusal::SignupsStillOpen)
        );
        settings.signup_open = false;
        store
            .set_exchange(mod_.viewer, cid, &settings, now())
            .expect("store")
            .expect("set");
        assert_eq!(
            store
                .save_signup(eve.viewer, cid, &signup(&settings, "Alpha", "Beta"), now())
                .expect("store"),
            Err(ExchangeRefusal::SignupsClosed)
        );
        assert_eq!(
            store.run_matching(bea.viewer, cid, now()).expect("store"),
            Err(ExchangeRefusal::NotMaintainer)
        );
        let summary = store
            .run_matching(mod_.viewer, cid, now())
            .expect("store")
            .expect("matched");
        // bea gives to cal (Beta); cal or dan gives to bea (Alpha); no one
        // offers Gamma, so dan receives nothing.
        assert_eq!((summary.signups, summary.matched), (3, 2));
        let unmatched = store.exchange_unmatched(cid).expect("read");
        assert!(
            unmatched.iter().any(|u| u.login == "dan"
                && u.side == "recipient"
                && u.reason == Some(Unmatched::NoGiverOffersTheirRequests)),
            "{unmatched:?}"
        );
        assert!(
            unmatched
                .iter()
                .any(|u| u.side == "giver" && u.reason == Some(Unmatched::AllCandidatesTaken)),
            "{unmatched:?}"
        );
        let all = store.exchange_assignments(cid).expect("read");
        assert_eq!(all.len(), 3, "one per recipient");
        let for_cal = all
            .iter()
            .find(|a| a.recipient_login == "cal")
            .expect("cal");
        assert_eq!(for_cal.giver_login.as_deref(), Some("bea"));
        let for_dan = all
            .iter()
            .find(|a| a.recipient_login == "dan")
            .expect("dan");
        assert_eq!(for_dan.status, AssignmentStatus::Defaulted, "no giver");
        // Nobody sees an assignment before it is sent.
        assert!(
            store
                .user_assignments(user_of(&bea))
                .expect("read")
                .is_empty()
        );
        assert_eq!(
            post_for(store, &bea, for_cal.id, false).map_err(|_| ()),
            Err(()),
            "not sent yet"
        );

        assert_eq!(
            store
                .send_assignments(mod_.viewer, cid, now())
                .expect("store"),
            Ok(2)
        );
        assert_eq!(
            store.run_matching(mod_.viewer, cid, now()).expect("store"),
            Err(ExchangeRefusal::AlreadySent)
        );
        let mine = store.user_assignments(user_of(&bea)).expect("read");
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].id, for_cal.id);

        // Someone else cannot post to bea's assignment: nothing is stored.
        let before = store.count_works().expect("count");
        assert!(post_for(store, &dan, for_cal.id, false).is_err());
        assert_eq!(store.count_works().expect("count"), before);
        // bea's gift reaches cal although new accounts take no gifts.
        // A draft is linked, no more: no gift, no item, still open.
        let draft = post_for(store, &bea, for_cal.id, true).expect("draft");
        assert!(store.gifts_of_work(draft).expect("gifts").is_empty());
        let linked = store.assignment(for_cal.id).expect("read").expect("x");
        assert_eq!(linked.status, AssignmentStatus::Open);
        assert_eq!(
            linked.work.as_ref().map(|w| (w.0, w.2)),
            Some((draft, false))
        );
        // Posted, it fulfils the assignment.
        assert!(
            store
                .publish_work(draft, chrono::Utc::now().date_naive())
                .expect("publish")
        );
        assert_eq!(store.gifts_of_work(draft).expect("gifts").len(), 1);
        assert_eq!(
            store
                .assignment(for_cal.id)
                .expect("read")
                .expect("x")
                .status,
            AssignmentStatus::Complete
        );
        // Once fulfilled, no other work takes it.
        assert!(post_for(store, &bea, for_cal.id, false).is_err());
        let work = draft;
        let gifts = store.gifts_of_work(work).expect("gifts");
        assert_eq!(gifts.len(), 1);
        assert_eq!(gifts[0].login.as_deref(), Some("cal"));
        let fulfilled = store.assignment(for_cal.id).expect("read").expect("there");
        assert_eq!(fulfilled.status, AssignmentStatus::Complete);
        assert_eq!(fulfilled.work.as_ref().map(|w| w.0), Some(work));
        let in_fest = store.work(work, bea.viewer).expect("read").expect("own");
        assert!(
            in_fest.unrevealed && in_fest.anonymous,
            "the exchange hides it"
        );
        assert!(
            store.work(work, cal.viewer).expect("read").is_none(),
            "a mystery to the recipient too"
        );
        assert_eq!(
            store
                .default_assignment(bea.viewer, for_cal.id, now())
                .expect("store"),
            Err(ExchangeRefusal::AlreadyFulfilled)
        );

        // A pinch hitter covers dan's gift; defaulting gives it back.
        assert_eq!(
            store
                .cover_assignment(bea.viewer, for_dan.id, "eve", now())
                .expect("store"),
            Err(ExchangeRefusal::NotMaintainer)
        );
        assert_eq!(
            store
                .cover_assignment(mod_.viewer, for_dan.id, "dan", now())
                .expect("store"),
            Err(ExchangeRefusal::OwnGift)
        );
        store
            .cover_assignment(mod_.viewer, for_dan.id, "eve", now())
            .expect("store")
            .expect("covered");
        let eves = store.user_assignments(user_of(&eve)).expect("read");
        assert_eq!(eves.len(), 1);
        assert_eq!(eves[0].status, AssignmentStatus::PinchHit);
        // Each writer's message is queued (bea's and the other giver's at
        // the send-out, eve's now); eve's says nothing once she defaults.
        assert_eq!(store.mail_backlog().expect("backlog").0, 3);
        store
            .default_assignment(eve.viewer, for_dan.id, now())
            .expect("store")
            .expect("defaulted");
        let jobs = store
            .lease_mail_jobs(now() + Duration::seconds(1), 10, Duration::minutes(1))
            .expect("lease");
        assert_eq!(jobs.len(), 3);
        // bea's work fulfils hers, eve defaulted: only the giver still
        // writing bea's gift is told.
        let still_writing = match all
            .iter()
            .find(|a| a.recipient_login == "bea")
            .and_then(|a| a.giver_login.as_deref())
        {
            Some("cal") => user_of(&cal),
            _ => user_of(&dan),
        };
        for job in &jobs {
            let content = store.mail_content(job).expect("content");
            assert_eq!(content.is_some(), job.user_id == still_writing, "{job:?}");
        }
        assert!(
            store
                .user_assignments(user_of(&eve))
                .expect("read")
                .is_empty()
        );
        // The giver of bea's gift defaults: it waits for a pinch hitter.
        let for_bea = all
            .iter()
            .find(|a| a.recipient_login == "bea")
            .expect("bea");
        let giver = if for_bea.giver_login.as_deref() == Some("cal") {
            &cal
        } else {
            &dan
        };
        store
            .default_assignment(giver.viewer, for_bea.id, now())
            .expect("store")
            .expect("defaulted");
        assert_eq!(
            store
                .assignment(for_bea.id)
                .expect("read")
                .expect("x")
                .status,
            AssignmentStatus::Defaulted
        );
        assert_eq!(
            store
                .save_signup(bea.viewer, cid, &signup(&settings, "Alpha", "Beta"), now())
                .expect("store"),
            Err(ExchangeRefusal::AlreadySent)
        );

        // The reveal date reveals works and creators, once; a date in the
        // past would reveal at once, and is refused.
        settings.reveal_at = Some(now() - Duration::hours(1));
        assert_eq!(
            store
                .set_exchange(mod_.viewer, cid, &settings, now())
                .expect("store"),
            Err(ExchangeRefusal::RevealInPast)
        );
        settings.reveal_at = Some(now() + Duration::hours(1));
        store
            .set_exchange(mod_.viewer, cid, &settings, now())
            .expect("store")
            .expect("set");
        assert_eq!(store.reveal_due_exchanges(now()).expect("reveal"), 0);
        assert_eq!(
            store
                .reveal_due_exchanges(now() + Duration::hours(2))
                .expect("reveal"),
            1
        );
        assert_eq!(
            store
                .reveal_due_exchanges(now() + Duration::hours(3))
                .expect("reveal"),
            0
        );
        let revealed = store
            .work(work, cal.viewer)
            .expect("read")
            .expect("visible");
        assert!(!revealed.unrevealed && !revealed.anonymous);
        assert_eq!(revealed.creators, ["bea"]);
        let c = store
            .collection_by_name("Fest")
            .expect("read")
            .expect("there");
        assert!(!c.settings.unrevealed && !c.settings.anonymous);
    });
}
