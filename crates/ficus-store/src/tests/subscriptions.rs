//! Subscriptions and their fan-out on both backends: who hears of a new
//! work or chapter (accounts, series, works, tags with their synonyms and
//! subtags), who never does (the creators, blocked, muting), once each,
//! and only for what is posted by an account (not imports, not drafts).

use chrono::Duration;
use ficus_core::TagType;
use ficus_core::account::Role;
use ficus_core::comments::Commenter;
use ficus_core::people::Relation;
use ficus_core::tag::{Tag, TagName};
use ficus_core::{NewChapter, NewWork};

use super::comment_fixtures::*;
use super::each_backend;
use crate::subscriptions::{NoSearches, SubscriptionKind};
use crate::wrangling::WrangleChange;
use crate::{CoCreatorInvites, Store};
use ficus_core::mail::SubscriptionMail;

fn posted_by(store: &Store, who: &Person, title: &str, fandom: &str, draft: bool) -> i64 {
    let Commenter::Account {
        pseud_id, user_id, ..
    } = who.commenter
    else {
        unreachable!()
    };
    let mut w = NewWork::new(title, "<p>Words.</p>", chrono::Utc::now().date_naive());
    w.pseuds = vec![pseud_id];
    w.posted = !draft;
    w.tags = vec![Tag {
        kind: TagType::Fandom,
        name: TagName::parse(fandom).expect("tag"),
    }];
    store
        .post_work(
            &w,
            Some(&CoCreatorInvites {
                pseuds: vec![],
                by: user_id,
                ..Default::default()
            }),
        )
        .expect("post")
        .work_id()
}

fn updates(store: &Store, p: &Person) -> Vec<(i64, String, String)> {
    let uid = p.viewer.user_id().expect("account");
    let mut got: Vec<(i64, String, String)> = store
        .subscription_updates(uid, p.viewer, 1)
        .expect("updates")
        .items
        .into_iter()
        .map(|u| (u.work_id, u.event, u.reason))
        .collect();
    got.sort();
    got
}

fn fan_out(store: &Store) -> usize {
    let mut n = 0;
    while let Some(report) = store
        .run_fanout_job(now() + Duration::seconds(1), &NoSearches)
        .expect("fan out")
    {
        n += report.queued;
    }
    n
}

#[test]
fn new_works_and_chapters_reach_their_subscribers_once() {
    each_backend(|store| {
        let ada = person(store, "ada", Role::User);
        let [bea, cam, dan, eve, fay] =
            ["bea", "cam", "dan", "eve", "fay"].map(|n| person(store, n, Role::User));
        let id = |p: &Person| p.viewer.user_id().expect("account");
        // A canonical fandom with a synonym and a subtag.
        let big = store
            .find_or_create_tag(TagType::Fandom, "Big Fandom")
            .expect("tag");
        let short = store
            .find_or_create_tag(TagType::Fandom, "BF")
            .expect("tag");
        store
            .wrangle_all(
                short.id,
                &[
                    WrangleChange::SetCanonical(false),
                    WrangleChange::SynonymOf(Some(big.id)),
                ],
            )
            .expect("synonym");
        let small = store
            .find_or_create_tag(TagType::Fandom, "Small Fandom")
            .expect("tag");
        store
            .wrangle(small.id, &WrangleChange::AddMeta(big.id))
            .expect("subtag");
        let t = now();
        for p in [&bea, &dan, &eve] {
            assert!(
                store
                    .subscribe(
                        id(p),
                        SubscriptionKind::Tag,
                        big.id,
                        SubscriptionMail::Off,
                        t
                    )
                    .expect("sub")
                    .new
            );
        }
        assert!(
            !store
                .subscribe(
                    id(&bea),
                    SubscriptionKind::Tag,
                    big.id,
                    SubscriptionMail::Off,
                    t
                )
                .expect("sub")
                .new,
            "once"
        );
        store
            .subscribe(
                id(&cam),
                SubscriptionKind::User,
                id(&ada),
                SubscriptionMail::Off,
                t,
            )
            .expect("sub");
        // Dan muted ada; ada blocked eve.
        store
            .set_related(Relation::Mute, id(&dan), "ada", true, t)
            .expect("store")
            .expect("muted");
        store
            .set_related(Relation::Block, id(&ada), "eve", true, t)
            .expect("store")
            .expect("blocked");

        let via_synonym = posted_by(store, &ada, "Via Synonym", "BF", false);
        let via_subtag = posted_by(store, &ada, "Via Subtag", "Small Fandom", false);
        let elsewhere = posted_by(store, &ada, "Elsewhere", "Another Fandom", false);
        assert_eq!(fan_out(store), 2 + 1 + 1 + 1);
        assert_eq!(
            updates(store, &bea),
            vec![
                (via_synonym, "work".into(), "tag".into()),
                (via_subtag, "work".into(), "tag".into()),
            ]
        );
        let cams = updates(store, &cam);
        assert_eq!(cams.len(), 3, "every new work of the account: {cams:?}");
        assert!(cams.iter().any(|u| u.0 == elsewhere && u.2 == "user"));
        assert!(updates(store, &dan).is_empty(), "dan muted the creator");
        assert!(
            updates(store, &eve).is_empty(),
            "eve is blocked by the creator"
        );
        assert!(updates(store, &ada).is_empty(), "not the creator herself");
        assert_eq!(fan_out(store), 0, "each job runs once");

        // A new chapter: the work's subscribers and the account's, not the tag's.
        store
            .subscribe(
                id(&fay),
                SubscriptionKind::Work,
                via_synonym,
                SubscriptionMail::Off,
                t,
            )
            .expect("sub");
        let chapter = NewChapter {
            title: None,
            summary: None,
            notes: None,
            end_notes: None,
            body: "<p>More.</p>".into(),
            published: None,
        };
        store
            .add_chapter(via_synonym, &chapter, chrono::Utc::now().date_naive())
            .expect("add")
            .expect("chapter");
        assert_eq!(fan_out(store), 2);
        assert_eq!(
            updates(store, &fay),
            vec![(via_synonym, "chapter".into(), "work".into())]
        );
        assert_eq!(updates(store, &bea).len(), 2, "tags follow new works only");
        assert_eq!(updates(store, &cam).len(), 4);

        // Drafts wait until posted; imports notify nobody.
        let draft = posted_by(store, &ada, "Draft", "BF", true);
        assert_eq!(fan_out(store), 0);
        assert!(
            store
                .publish_work(draft, chrono::Utc::now().date_naive())
                .expect("publish")
        );
        assert_eq!(fan_out(store), 2, "bea by tag, cam by account");
        let mut imported = NewWork::new("Imported", "<p>x</p>", chrono::Utc::now().date_naive());
        imported.tags = vec![Tag {
            kind: TagType::Fandom,
            name: TagName::parse("BF").expect("tag"),
        }];
        store.insert_work(&imported).expect("import");
        assert_eq!(fan_out(store), 0);

        // A series: its next work reaches the series' subscribers.
        let mut part_one = NewWork::new("Part One", "<p>x</p>", chrono::Utc::now().date_naive());
        let Commenter::Account {
            pseud_id, user_id, ..
        } = ada.commenter
        else {
            unreachable!()
        };
        part_one.pseuds = vec![pseud_id];
        part_one.series = vec![("Saga".into(), 1)];
        let invites = CoCreatorInvites {
            pseuds: vec![],
            by: user_id,
            ..Default::default()
        };
        let one = store
            .post_work(&part_one, Some(&invites))
            .expect("post")
            .work_id();
        fan_out(store);
        let saga = store
            .work(one, ficus_core::access::Viewer::System)
            .expect("read")
            .expect("work")
            .series[0]
            .series_id;
        let gus = person(store, "gus", Role::User);
        store
            .subscribe(
                id(&gus),
                SubscriptionKind::Series,
                saga,
                SubscriptionMail::Off,
                now(),
            )
            .expect("sub");
        let mut part_two = part_one.clone();
        part_two.title = "Part Two".into();
        part_two.series = vec![("Saga".into(), 2)];
        let two = store
            .post_work(&part_two, Some(&invites))
            .expect("post")
            .work_id();
        fan_out(store);
        assert_eq!(
            updates(store, &gus),
            vec![(two, "work".into(), "series".into())]
        );

        // Unsubscribing stops it.
        let sub = store
            .subscription_to(id(&bea), SubscriptionKind::Tag, big.id)
            .expect("read")
            .expect("subscribed");
        assert!(store.unsubscribe(id(&bea), sub).expect("unsub"));
        assert!(!store.unsubscribe(id(&cam), sub).expect("not cam's"));
        posted_by(store, &ada, "After", "BF", false);
        fan_out(store);
        assert_eq!(updates(store, &bea).len(), 3);
    });
}

/// Matches a saved search when the work's title holds the search's query
/// (the real matcher, with the index's rules, is the web layer's).
struct TitleHolds;

impl crate::subscriptions::SearchMatcher for TitleHolds {
    fn matching(
        &self,
        store: &Store,
        _: &ficus_core::wrangling::TagGraph,
        work_id: i64,
        searches: &[(i64, crate::subscriptions::SavedSearch)],
    ) -> Result<Vec<i64>, crate::StoreError> {
        let title = store.works_by_ids(&[work_id])?[0].title.clone();
        Ok(searches
            .iter()
            .filter(|(_, s)| title.contains(&s.query))
            .map(|(id, _)| *id)
            .collect())
    }
}

fn fan_out_with(store: &Store, matcher: &dyn crate::subscriptions::SearchMatcher) -> usize {
    let mut n = 0;
    while let Some(report) = store
        .run_fanout_job(now() + Duration::seconds(1), matcher)
        .expect("fan out")
    {
        n += report.queued;
    }
    n
}

/// Every due mail job at `at`, with what its message would say.
fn due_mail(store: &Store, at: chrono::NaiveDateTime) -> Vec<(String, crate::mail::MailContent)> {
    let mut out = Vec::new();
    for job in store
        .lease_mail_jobs(at, 100, Duration::minutes(5))
        .expect("lease")
    {
        if let Some((to, content)) = store.mail_content(&job).expect("content") {
            // As the sender does once a message is out.
            let (chapters, digest) = match &content {
                crate::mail::MailContent::Subscription(u) => (vec![u.chapter_id], None),
                crate::mail::MailContent::SubscriptionDigest(mail, all) => {
                    (all.iter().map(|u| u.chapter_id).collect(), Some(*mail))
                }
                _ => (Vec::new(), None),
            };
            store
                .updates_mailed(to.user_id, &chapters, digest, at)
                .expect("mailed");
            out.push((to.login, content));
        }
        store.mail_job_done(&job, at).expect("done");
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn subscription_mail_and_saved_searches() {
    use crate::mail::MailContent;
    use crate::subscriptions::SavedSearch;
    each_backend(|store| {
        let id = |p: &Person| p.viewer.user_id().expect("account");
        let ada = person(store, "ada", Role::User);
        let bea = person(store, "bea", Role::User);
        let cam = person(store, "cam", Role::User);
        let dee = person(store, "dee", Role::User);
        let first = posted_by(store, &ada, "Opening", "Mail F", false);
        fan_out(store);
        let fandom = store
            .work(first, ficus_core::access::Viewer::System)
            .expect("read")
            .expect("work")
            .tags_of(TagType::Fandom)
            .next()
            .expect("fandom")
            .id;
        let t = now();
        // Bea: the account (a message each) and the tag (weekly); the
        // account's message stands for both. Cam: the tag, daily. Dee: a
        // search, a message each.
        store
            .subscribe(
                id(&bea),
                SubscriptionKind::User,
                id(&ada),
                SubscriptionMail::Immediate,
                t,
            )
            .expect("sub");
        store
            .subscribe(
                id(&bea),
                SubscriptionKind::Tag,
                fandom,
                SubscriptionMail::Weekly,
                t,
            )
            .expect("sub");
        store
            .subscribe(
                id(&cam),
                SubscriptionKind::Tag,
                fandom,
                SubscriptionMail::Daily,
                t,
            )
            .expect("sub");
        let needle = SavedSearch {
            path: "/works".into(),
            query: "Needle".into(),
        };
        let dee_sub = store
            .subscribe_search(id(&dee), &needle, SubscriptionMail::Immediate, 1, t)
            .expect("sub")
            .expect("under the cap");
        assert!(dee_sub.new);
        assert!(
            !store
                .subscribe_search(id(&dee), &needle, SubscriptionMail::Daily, 1, t)
                .expect("again")
                .expect("the same search is not a new one")
                .new
        );
        let hay = SavedSearch {
            path: "/works".into(),
            query: "Hay".into(),
        };
        assert!(
            store
                .subscribe_search(id(&dee), &hay, SubscriptionMail::Daily, 1, t)
                .expect("refused")
                .is_none(),
            "a second search over a cap of one"
        );
        assert_eq!(
            store
                .search_subscription_to(id(&dee), &needle)
                .expect("read"),
            Some(dee_sub.id)
        );

        let hit = posted_by(store, &ada, "A Needle Found", "Mail F", false);
        let miss = posted_by(store, &ada, "Only Hay", "Mail F", false);
        assert_eq!(
            fan_out_with(store, &TitleHolds),
            3 + 2,
            "bea, cam, dee; bea, cam"
        );
        assert_eq!(
            updates(store, &dee),
            vec![(hit, "work".into(), "search".into())],
            "the search fires for its match only"
        );
        // A fan-out run again (its node died) writes nothing twice.
        let reset = || -> Result<usize, crate::StoreError> {
            Ok(with_conn!(store, |conn| diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE fanout_jobs SET done_at = NULL"),
                conn
            )?))
        };
        reset().expect("reset");
        assert_eq!(fan_out_with(store, &TitleHolds), 0);

        // Now: bea and dee get a message per update; cam's digest waits
        // for the day's end.
        let sent = due_mail(store, now() + Duration::seconds(2));
        let who: Vec<&str> = sent.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(who, ["bea", "bea", "dee"], "{sent:?}");
        for (login, content) in &sent {
            let MailContent::Subscription(u) = content else {
                panic!("{content:?}")
            };
            assert_eq!(u.event, "work");
            assert_eq!(u.byline, "ada");
            if login == "dee" {
                assert_eq!((u.work_id, u.reason.as_str()), (hit, "search"));
            } else {
                assert_eq!(u.reason, "user");
            }
        }
        let tomorrow = crate::mail::digest_due(now().date()) + Duration::seconds(5);
        let sent = due_mail(store, tomorrow);
        assert_eq!(sent.len(), 1, "{sent:?}");
        let (login, MailContent::SubscriptionDigest(mail, items)) = &sent[0] else {
            panic!("{sent:?}")
        };
        assert_eq!((login.as_str(), *mail), ("cam", SubscriptionMail::Daily));
        let mut ids: Vec<i64> = items.iter().map(|u| u.work_id).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec![hit, miss]);

        // A work fanned out on the same day after that day's digest went:
        // it comes in the next day's digest, alone.
        let late = posted_by(store, &ada, "Late Evening", "Mail F", false);
        fan_out_with(store, &TitleHolds);
        assert!(due_mail(store, tomorrow).iter().all(|(l, _)| l != "cam"));
        let sent = due_mail(store, tomorrow + Duration::days(1));
        let cams: Vec<&crate::mail::MailContent> = sent
            .iter()
            .filter(|(l, _)| l == "cam")
            .map(|(_, c)| c)
            .collect();
        assert_eq!(cams.len(), 1, "{sent:?}");
        let MailContent::SubscriptionDigest(_, items) = cams[0] else {
            panic!("{cams:?}")
        };
        assert_eq!(
            items.iter().map(|u| u.work_id).collect::<Vec<_>>(),
            vec![late]
        );

        // Bea stops the account's mail: a new chapter reaches her inbox,
        // and the queued message says nothing (it is dropped).
        let subs = store.subscriptions_of(id(&bea)).expect("subs");
        let by_user = subs
            .iter()
            .find(|s| s.kind == SubscriptionKind::User)
            .expect("user sub");
        assert!(
            store
                .set_subscription_mail(id(&bea), by_user.id, SubscriptionMail::Off)
                .expect("set")
        );
        assert!(
            !store
                .set_subscription_mail(id(&cam), by_user.id, SubscriptionMail::Daily)
                .expect("not cam's")
        );
        let chapter = NewChapter {
            title: None,
            summary: None,
            notes: None,
            end_notes: None,
            body: "<p>More.</p>".into(),
            published: None,
        };
        store
            .add_chapter(hit, &chapter, chrono::Utc::now().date_naive())
            .expect("chapter");
        fan_out_with(store, &TitleHolds);
        assert!(
            updates(store, &bea).iter().any(|u| u.1 == "chapter"),
            "still in the inbox"
        );
        assert!(due_mail(store, now() + Duration::seconds(2)).is_empty());

        // Unsubscribing from the search forgets it.
        assert!(store.unsubscribe(id(&dee), dee_sub.id).expect("unsub"));
        assert_eq!(
            store
                .search_subscription_to(id(&dee), &needle)
                .expect("read"),
            None
        );
    });
}
