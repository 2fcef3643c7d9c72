//! Each user action is one transaction: a later step that fails leaves
//! nothing of the earlier ones. Every test here makes a late step fail on
//! purpose and checks that nothing was applied.

use ficus_core::TagType;
use ficus_core::access::Viewer;

use ficus_core::tag::TagName;

use super::{MEMBER, day, each_backend, sample};
use crate::wrangling::WrangleChange;
use crate::{ChapterChoice, CoCreatorInvites, Found, Store, WorkEdit};

/// A pseud id no account has: inviting it breaks a foreign key.
const NO_SUCH_PSEUD: i64 = 987_654_321;

fn account(store: &Store, name: &str) -> (i64, i64) {
    let user = crate::testing::account(store, name);
    let pseud = store.pseuds_of(user.id).expect("pseuds")[0].0;
    (user.id, pseud)
}

#[test]
fn posting_with_a_failing_invitation_stores_no_work() {
    each_backend(|store| {
        let (ada, pseud) = account(store, "ada");
        let before = store.count_works().expect("count");
        let mut work = sample("Invited", None, 1);
        work.pseuds = vec![pseud];
        work.creators = vec![];
        work.series = vec![("Saga".into(), 1)];
        let invites = CoCreatorInvites {
            pseuds: vec![NO_SUCH_PSEUD],
            by: ada,
            ..Default::default()
        };
        assert!(store.post_work(&work, Some(&invites)).is_err());
        assert_eq!(store.count_works().expect("count"), before, "no work");
    });
}

#[test]
fn an_edit_with_a_failing_late_step_changes_nothing() {
    each_backend(|store| {
        let (ada, pseud) = account(store, "ada");
        let mut draft = sample("Before", None, 1);
        draft.pseuds = vec![pseud];
        draft.creators = vec![];
        draft.posted = false;
        draft.series = vec![("Old".into(), 1)];
        let id = store.insert_work(&draft).expect("insert").work_id();
        let old_series = store.series_of_works(&[id]).expect("places")[&id][0].series_id;

        let mut edited = draft.clone();
        edited.title = "After".into();
        edited.series = vec![("New".into(), 0)];
        let edit = WorkEdit {
            editor: Some(ada),
            leave_series: vec![old_series],
            invites: Some(CoCreatorInvites {
                pseuds: vec![NO_SUCH_PSEUD],
                by: ada,
                ..Default::default()
            }),
            publish_on: Some(day(9)),
        };
        assert!(store.update_work(id, &edited, &edit).is_err());

        let w = store.work(id, Viewer::System).expect("read").expect("work");
        assert_eq!(w.title, "Before", "metadata unchanged");
        assert!(!w.posted, "not published");
        let places: Vec<String> = w.series.iter().map(|p| p.title.clone()).collect();
        assert_eq!(places, ["Old"], "still in its old series, not in the new");

        // The same edit without the bad invitation goes through whole.
        let edit = WorkEdit {
            invites: None,
            ..edit
        };
        assert!(store.update_work(id, &edited, &edit).expect("update"));
        let w = store.work(id, Viewer::System).expect("read").expect("work");
        assert_eq!(
            (w.title.as_str(), w.posted, w.published),
            ("After", true, day(9))
        );
        let places: Vec<String> = w.series.iter().map(|p| p.title.clone()).collect();
        assert_eq!(places, ["New"]);
    });
}

#[test]
fn a_wrangling_form_is_applied_all_or_nothing() {
    each_backend(|store| {
        let mut w = sample("Tagged", None, 1);
        w.tags = vec![super::tag(TagType::Freeform, "Fluff")];
        store.insert_work(&w).expect("insert");
        let fluff = store
            .tag_of_type(TagType::Freeform, "Fluff")
            .expect("tag")
            .expect("fluff");
        store
            .wrangle(fluff.id, &WrangleChange::SetCanonical(true))
            .expect("canonical");
        let meta = TagName::parse("Tooth-Rotting Fluff").expect("name");
        store
            .wrangle(fluff.id, &WrangleChange::AddMetaNamed(meta))
            .expect("meta");
        let metas = |store: &Store| {
            store
                .tag_detail(fluff.id, ficus_core::access::Viewer::System)
                .expect("detail")
                .expect("tag")
                .metas
                .len()
        };
        assert_eq!(metas(store), 1);
        let meta_id = store
            .tag_detail(fluff.id, ficus_core::access::Viewer::System)
            .expect("d")
            .expect("t")
            .metas[0]
            .id;

        // Remove the meta tag, stop being canonical, then add a parent a
        // freeform tag cannot have: refused at the last step.
        let refused = store.wrangle_all(
            fluff.id,
            &[
                WrangleChange::RemoveMeta(meta_id),
                WrangleChange::SetCanonical(false),
                WrangleChange::AddParentNamed(
                    TagType::Media,
                    TagName::parse("A Medium").expect("name"),
                ),
            ],
        );
        assert!(refused.is_err(), "a freeform tag's parent is a fandom");
        assert_eq!(metas(store), 1, "the removal was not applied");
        let detail = store
            .tag_detail(fluff.id, ficus_core::access::Viewer::System)
            .expect("d")
            .expect("t");
        assert!(detail.canonical, "still canonical");
        assert!(
            store
                .tag_of_type(TagType::Media, "A Medium")
                .expect("tag")
                .is_none(),
            "the parent named was not created"
        );
    });
}

#[test]
fn a_work_read_answers_visible_log_in_or_not_found_in_one_call() {
    each_backend(|store| {
        let mut restricted = sample("Members only", None, 1);
        restricted.restricted = true;
        let restricted = store.insert_work(&restricted).expect("insert").work_id();
        let mut draft = sample("Draft", None, 1);
        draft.posted = false;
        draft.restricted = true;
        let draft = store.insert_work(&draft).expect("insert").work_id();
        let read = |id, viewer| {
            store
                .read_work(id, viewer, ChapterChoice::NoText)
                .expect("read")
        };
        assert!(matches!(read(restricted, Viewer::Guest), Found::LogInFirst));
        assert!(matches!(read(restricted, MEMBER), Found::Visible(_)));
        assert!(matches!(read(draft, Viewer::Guest), Found::NotFound));
        assert!(matches!(read(draft, MEMBER), Found::NotFound));
        assert!(matches!(read(i64::MAX, Viewer::Guest), Found::NotFound));
        // Hidden: a member does not see it (a guest is still sent to log
        // in, as before).
        let (admin, _) = account(store, "admin");
        assert!(
            store
                .set_hidden(restricted, true, admin, "test")
                .expect("hide")
        );
        assert!(matches!(read(restricted, MEMBER), Found::NotFound));
        assert!(matches!(read(restricted, Viewer::Guest), Found::LogInFirst));
    });
}

#[test]
fn a_batch_import_stores_each_work_alone() {
    each_backend(|store| {
        let before = store.count_works().expect("count");
        let good = sample("Good", Some("hash-good"), 1);
        let mut bad = sample("Bad", Some("hash-bad"), 1);
        // A byline pseud no account has: its insert breaks a foreign key.
        bad.pseuds = vec![NO_SUCH_PSEUD];
        bad.creators = vec![];
        let again = sample("Good Again", Some("hash-good"), 1);
        let other = sample("Other", Some("hash-other"), 1);
        let batch: Vec<crate::PreparedWork> = [&good, &bad, &again, &other]
            .into_iter()
            .map(|w| crate::PreparedWork::of(w).expect("valid"))
            .collect();
        let outcomes = store.insert_prepared(&batch).expect("the batch commits");
        let first = match outcomes[0] {
            Ok(crate::InsertOutcome::Inserted { id, .. }) => id,
            ref other => panic!("the first stored: {other:?}"),
        };
        assert!(outcomes[1].is_err(), "the bad one fails alone");
        assert!(
            matches!(outcomes[2], Ok(crate::InsertOutcome::AlreadyExists(id)) if id == first),
            "the same content earlier in the batch: {:?}",
            outcomes[2]
        );
        assert!(matches!(
            outcomes[3],
            Ok(crate::InsertOutcome::Inserted { .. })
        ));
        assert_eq!(store.count_works().expect("count"), before + 2);
        let stored = store
            .work(first, Viewer::System)
            .expect("read")
            .expect("there");
        assert_eq!(stored.title, "Good");
        assert_eq!(stored.word_count, batch[0].word_count());
    });
}

#[test]
fn two_importers_creating_the_same_new_names_both_store_their_batches() {
    // Two batches that name the same new tags and creators, in opposite
    // orders, stored side by side (on PostgreSQL, two open transactions):
    // neither deadlocks, every work is stored, each name exists once.
    each_backend(|store| {
        let names: Vec<String> = (0..12).map(|i| format!("Shared Tag {i}")).collect();
        let batch_of = |side: &str, reversed: bool| -> Vec<crate::PreparedWork> {
            (0..8)
                .map(|n| {
                    let mut w =
                        sample(&format!("{side} {n}"), Some(&format!("hash-{side}-{n}")), 1);
                    let mut tags: Vec<&String> = names.iter().collect();
                    if reversed {
                        tags.reverse();
                    }
                    w.tags = tags
                        .into_iter()
                        .map(|t| super::tag(TagType::Freeform, t))
                        .collect();
                    w.creators = if reversed {
                        vec!["Shared Writer B".into(), "Shared Writer A".into()]
                    } else {
                        vec!["Shared Writer A".into(), "Shared Writer B".into()]
                    };
                    crate::PreparedWork::of(&w).expect("valid")
                })
                .collect()
        };
        let (left, right) = (batch_of("left", false), batch_of("right", true));
        let before = store.count_works().expect("count");
        let results = std::thread::scope(|scope| {
            let a = scope.spawn(|| store.insert_prepared(&left));
            let b = scope.spawn(|| store.insert_prepared(&right));
            [a.join().expect("left"), b.join().expect("right")]
        });
        for outcomes in results {
            let outcomes = outcomes.expect("the batch commits");
            assert!(
                outcomes
                    .iter()
                    .all(|o| matches!(o, Ok(crate::InsertOutcome::Inserted { .. }))),
                "{outcomes:?}"
            );
        }
        assert_eq!(store.count_works().expect("count"), before + 16);
        for name in &names {
            assert_eq!(store.tags_named(name).expect("tags").len(), 1, "{name}");
        }
        let work = store
            .work(
                store
                    .work_id_by_content_hash("hash-right-3")
                    .expect("read")
                    .expect("stored"),
                Viewer::System,
            )
            .expect("read")
            .expect("there");
        assert_eq!(work.creators, vec!["Shared Writer B", "Shared Writer A"]);
        assert_eq!(
            work.tags
                .iter()
                .filter(|t| t.kind == TagType::Freeform)
                .count(),
            12
        );
    });
}
