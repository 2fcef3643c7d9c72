//! Collections on both backends: names unique by case, who may add a
//! work and who approves it (open, moderated, closed; invitations), an
//! all-or-nothing form, answers and removal, and the index's view of a
//! work's collections.

use ficus_core::account::Role as AccountRole;
use ficus_core::collections::{Approval, CollectionForm, CollectionRefusal, Role, Settings};
use ficus_core::comments::CommentPermission;

use super::comment_fixtures::*;
use super::each_backend;
use crate::collections::ItemsShown;

fn make(store: &crate::Store, owner: &Person, name: &str, settings: Settings) -> i64 {
    let draft = CollectionForm {
        name,
        title: &format!("{name} Title"),
        settings,
        ..CollectionForm::default()
    }
    .check()
    .expect("valid");
    store
        .create_collection(owner.viewer, &draft, now())
        .expect("store")
        .expect("made")
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn works_join_collections_by_their_rules() {
    each_backend(|store| {
        let ada = person(store, "ada", AccountRole::User);
        let bea = person(store, "bea", AccountRole::User);
        let mod_ = person(store, "mod", AccountRole::User);
        let open = make(store, &mod_, "Open_Fest", Settings::default());
        let moderated = make(
            store,
            &mod_,
            "Modded",
            Settings {
                moderated: true,
                ..Settings::default()
            },
        );
        make(
            store,
            &mod_,
            "Shut",
            Settings {
                closed: true,
                ..Settings::default()
            },
        );
        // Names are unique by case.
        let again = CollectionForm {
            name: "open_fest",
            title: "Again",
            ..CollectionForm::default()
        }
        .check()
        .expect("valid");
        assert_eq!(
            store
                .create_collection(bea.viewer, &again, now())
                .expect("store"),
            Err(CollectionRefusal::NameTaken)
        );

        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        // A closed collection refuses the whole form: nothing is added.
        assert_eq!(
            store
                .add_to_collections(ada.viewer, work, &names(&["Open_Fest", "Shut"]), now())
                .expect("store"),
            Err(CollectionRefusal::Closed("Shut Title".into()))
        );
        assert!(
            store
                .collections_of_works(&[work])
                .expect("read")
                .is_empty()
        );
        assert_eq!(
            store
                .add_to_collections(ada.viewer, work, &names(&["no_such"]), now())
                .expect("store"),
            Err(CollectionRefusal::NoSuchCollection("no_such".into()))
        );
        // Someone else's work: not theirs to add.
        assert_eq!(
            store
                .add_to_collections(bea.viewer, work, &names(&["Open_Fest"]), now())
                .expect("store"),
            Err(CollectionRefusal::NotCreator)
        );
        let added = store
            .add_to_collections(ada.viewer, work, &names(&["open_fest", "Modded"]), now())
            .expect("store")
            .expect("added");
        assert_eq!(added[0].collection_approval, Approval::Approved);
        assert_eq!(added[1].collection_approval, Approval::Unreviewed);
        assert_eq!(
            store
                .add_to_collections(ada.viewer, work, &names(&["Open_Fest"]), now())
                .expect("store"),
            Err(CollectionRefusal::AlreadyIn("Open_Fest Title".into()))
        );
        // In the open one only, until a maintainer approves.
        let ids = |store: &crate::Store| -> Vec<i64> {
            store.collections_of_works(&[work]).expect("read")[&work]
                .iter()
                .map(|c| c.id)
                .collect()
        };
        assert_eq!(ids(store), vec![open]);
        let queue = store
            .collection_items(moderated, ItemsShown::Unreviewed)
            .expect("read");
        assert_eq!(queue.len(), 1);
        assert_eq!(
            store
                .review_item(bea.viewer, queue[0].id, true, now())
                .expect("store"),
            Err(CollectionRefusal::NotFound),
            "neither maintainer nor creator"
        );
        store
            .review_item(mod_.viewer, queue[0].id, true, now())
            .expect("store")
            .expect("approved");
        let mut both = ids(store);
        both.sort_unstable();
        let mut want = vec![open, moderated];
        want.sort_unstable();
        assert_eq!(both, want);

        // A maintainer invites bea's work: it waits for bea.
        let hers = work_by(store, &bea, CommentPermission::Everyone, false);
        let invited = store
            .add_to_collections(mod_.viewer, hers, &names(&["Shut"]), now())
            .expect("store")
            .expect("an invitation");
        assert_eq!(invited[0].user_approval, Approval::Unreviewed);
        assert!(
            store
                .collections_of_works(&[hers])
                .expect("read")
                .is_empty()
        );
        let mine = store
            .user_collection_items(bea.viewer.user_id().expect("id"))
            .expect("read");
        assert_eq!(mine.len(), 1);
        store
            .review_item(bea.viewer, mine[0].id, true, now())
            .expect("store")
            .expect("accepted");
        assert_eq!(
            store.collections_of_works(&[hers]).expect("read")[&hers].len(),
            1
        );
        // The creator takes it out again.
        store
            .remove_item(bea.viewer, mine[0].id, now())
            .expect("store")
            .expect("removed");
        assert!(
            store
                .collections_of_works(&[hers])
                .expect("read")
                .is_empty()
        );

        // Members post without waiting; only maintainers give roles.
        assert_eq!(
            store
                .add_participant(bea.viewer, moderated, "ada", Role::Member, now())
                .expect("store"),
            Err(CollectionRefusal::NotMaintainer)
        );
        store
            .add_participant(mod_.viewer, moderated, "bea", Role::Member, now())
            .expect("store")
            .expect("member");
        let second = work_by(store, &bea, CommentPermission::Everyone, false);
        let added = store
            .add_to_collections(bea.viewer, second, &names(&["Modded"]), now())
            .expect("store")
            .expect("added");
        assert_eq!(added[0].collection_approval, Approval::Approved);
        let c = store
            .collection_by_name("MODDED")
            .expect("read")
            .expect("found by case");
        assert_eq!(c.role_of("mod"), Some(Role::Owner));
        assert_eq!(c.role_of("bea"), Some(Role::Member));
        assert_eq!(store.collections_page(1).expect("read").total, 3);
    });
}

#[test]
fn unrevealed_and_anonymous_works_until_revealed() {
    use ficus_core::access::Viewer;

    each_backend(|store| {
        let ada = person(store, "ada", AccountRole::User);
        let keeper = person(store, "keeper", AccountRole::User);
        let admin = person(store, "admin", AccountRole::Admin);
        let secret = Settings {
            unrevealed: true,
            anonymous: true,
            ..Settings::default()
        };
        let gifts = make(store, &keeper, "Gifts", secret);
        let work = work_by(store, &ada, CommentPermission::Everyone, false);
        store
            .add_to_collections(ada.viewer, work, &names(&["Gifts"]), now())
            .expect("store")
            .expect("added");
        // A mystery to everyone but its creator (and admins).
        assert!(store.work(work, Viewer::Guest).expect("read").is_none());
        assert!(store.work(work, keeper.viewer).expect("read").is_none());
        assert!(store.work(work, admin.viewer).expect("read").is_some());
        let own = store.work(work, ada.viewer).expect("read").expect("hers");
        assert_eq!(own.creators, vec!["Anonymous"], "anonymous to her too");
        assert_eq!(own.bylines, vec!["ada"], "her own forms keep her name");
        assert!(own.creator_ids.is_empty() && own.creator_logins.is_empty());
        assert!(store.work_is_unrevealed(work).expect("read"));
        assert_eq!(store.unrevealed_in(gifts).expect("read"), 1);
        let listed = |viewer: Viewer| -> Vec<i64> {
            store
                .list_works_by_user("ada", viewer, 1, 20)
                .expect("read")
                .expect("account")
                .1
                .items
                .iter()
                .map(|w| w.id)
                .collect()
        };
        assert!(listed(Viewer::Guest).is_empty());
        assert_eq!(listed(ada.viewer), vec![work], "her own page lists it");
        assert!(
            store
                .list_works(Viewer::Guest, 1, 20)
                .expect("read")
                .items
                .is_empty()
        );
        assert!(
            store.index_docs(&[work], false).expect("docs").is_empty(),
            "not in the index while unrevealed"
        );

        // Reveal the works, keep the creators anonymous.
        let reveal = CollectionForm {
            name: "Gifts",
            title: "Gifts Title",
            settings: Settings {
                unrevealed: false,
                ..secret
            },
            ..CollectionForm::default()
        }
        .check()
        .expect("valid");
        assert_eq!(
            store
                .update_collection(ada.viewer, gifts, &reveal, now())
                .expect("store"),
            Err(CollectionRefusal::NotMaintainer)
        );
        store
            .update_collection(keeper.viewer, gifts, &reveal, now())
            .expect("store")
            .expect("revealed");
        let seen = store
            .work(work, Viewer::Guest)
            .expect("read")
            .expect("revealed");
        assert_eq!(seen.creators, vec!["Anonymous"]);
        assert!(seen.creator_ids.is_empty());
        let docs = store.index_docs(&[work], false).expect("docs");
        assert_eq!(docs.len(), 1);
        assert_eq!(
            docs[0].work.creators,
            vec!["Anonymous"],
            "search cannot find her"
        );
        assert!(listed(Viewer::Guest).is_empty(), "not under her name");
        let count = || -> Result<i64, crate::StoreError> {
            use diesel::prelude::*;
            Ok(with_conn!(store, |conn| crate::schema::fanout_jobs::table
                .filter(crate::schema::fanout_jobs::work_id.eq(work))
                .filter(crate::schema::fanout_jobs::event.eq("work"))
                .filter(crate::schema::fanout_jobs::done_at.is_null())
                .count()
                .get_result::<i64>(conn))?)
        };
        let queued = count().expect("count");
        assert_eq!(queued, 1, "subscribers hear of it on reveal");

        // Reveal the creators too.
        let open = CollectionForm {
            settings: Settings::default(),
            ..CollectionForm {
                name: "Gifts",
                title: "Gifts Title",
                ..CollectionForm::default()
            }
        }
        .check()
        .expect("valid");
        store
            .update_collection(keeper.viewer, gifts, &open, now())
            .expect("store")
            .expect("revealed");
        let seen = store
            .work(work, Viewer::Guest)
            .expect("read")
            .expect("visible");
        assert_eq!(seen.creators, vec!["ada"]);
        assert_eq!(listed(Viewer::Guest), vec![work]);
    });
}

#[test]
fn a_pending_item_keeps_the_secret_and_a_series_does_not_tell() {
    use ficus_core::access::Viewer;

    each_backend(|store| {
        let ada = person(store, "ada", AccountRole::User);
        let keeper = person(store, "keeper", AccountRole::User);
        let secret = Settings {
            moderated: true,
            anonymous: true,
            ..Settings::default()
        };
        let fest = make(store, &keeper, "Quiet_Fest", secret);
        // Two works of one series; one goes to the anonymous collection.
        let mut named = super::sample("Part One", None, 1);
        named.pseuds = vec![pseud_of(&ada)];
        named.creators = vec![];
        named.series = vec![("Saga".into(), 1)];
        let named = store.insert_work(&named).expect("insert").work_id();
        let mut hidden = super::sample("Part Two", None, 1);
        hidden.pseuds = vec![pseud_of(&ada)];
        hidden.creators = vec![];
        hidden.series = vec![("Saga".into(), 2)];
        let hidden = store.insert_work(&hidden).expect("insert").work_id();
        let added = store
            .add_to_collections(ada.viewer, hidden, &names(&["Quiet_Fest"]), now())
            .expect("store")
            .expect("added");
        assert_eq!(added[0].collection_approval, Approval::Unreviewed);
        // Anonymous already, while the maintainers have not answered.
        let seen = store
            .work(hidden, Viewer::Guest)
            .expect("read")
            .expect("posted");
        assert_eq!(seen.creators, vec!["Anonymous"]);
        assert!(seen.series.is_empty(), "its series would name her");
        let series = store.series_of_works(&[named]).expect("places")[&named][0].series_id;
        let saga = store
            .series(series, Viewer::Guest)
            .expect("read")
            .expect("visible");
        assert_eq!(
            saga.works.iter().map(|(_, w)| w.id).collect::<Vec<_>>(),
            vec![named],
            "the series page leaves the anonymous part out"
        );
        let own = store
            .series(series, ada.viewer)
            .expect("read")
            .expect("hers");
        assert_eq!(own.works.len(), 2, "she sees both");
        // Refused: the work is hers again, by name.
        let queue = store
            .collection_items(fest, ItemsShown::Unreviewed)
            .expect("read");
        store
            .review_item(keeper.viewer, queue[0].id, false, now())
            .expect("store")
            .expect("rejected");
        let seen = store
            .work(hidden, Viewer::Guest)
            .expect("read")
            .expect("posted");
        assert_eq!(seen.creators, vec!["ada"]);
        assert_eq!(seen.series.len(), 1);
    });
}
