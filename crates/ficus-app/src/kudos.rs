//! Leaving kudos, for the work page's button, the API and anything else:
//! an account by its id, a guest by a keyed hash of their address (the
//! address itself is never stored).

use ficus_core::access::Viewer;
use ficus_core::kudos::KudosRefusal;
use ficus_store::kudos::Giver;
use ficus_store::{Store, StoreError};

use crate::visitors::VisitorKey;

/// Who is leaving kudos.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    Account {
        viewer: Viewer,
        user_id: i64,
    },
    /// A guest at this address.
    Guest {
        ip: &'a str,
    },
}

/// Leaves kudos on `work_id` in one store transaction; `Ok(Err(_))` is
/// a refusal the giver caused (their own work, a restricted work as a
/// guest, twice, a work they cannot see).
pub fn leave(
    store: &Store,
    key: &VisitorKey,
    work_id: i64,
    who: Who<'_>,
) -> Result<Result<(), KudosRefusal>, StoreError> {
    match who {
        Who::Account { viewer, user_id } => {
            store.leave_kudos(work_id, Giver::Account { viewer, user_id })
        }
        Who::Guest { ip } => {
            let hashed = key.guest(ip);
            store.leave_kudos(work_id, Giver::Guest { key: &hashed })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficus_store::testing::TestStore;

    #[test]
    fn once_per_account_and_per_guest_address_never_your_own() {
        for test_store in TestStore::all() {
            let store: &Store = &test_store;
            let make = |name: &str| ficus_store::testing::account(store, name);
            let (writer, reader) = (make("writer"), make("reader"));
            let pseud = store.pseuds_of(writer.id).expect("pseuds")[0].0;
            let mut work = ficus_testkit::work("Liked").build();
            work.pseuds = vec![pseud];
            let id = store.insert_work(&work).expect("insert").work_id();
            let key = VisitorKey::new(b"test key".to_vec());
            let account = |u: &ficus_store::UserRecord| Who::Account {
                viewer: Viewer::User {
                    id: u.id,
                    role: u.role,
                },
                user_id: u.id,
            };
            assert_eq!(
                leave(store, &key, id, account(&reader)).expect("ok"),
                Ok(())
            );
            assert_eq!(
                leave(store, &key, id, account(&reader)).expect("ok"),
                Err(KudosRefusal::AlreadyLeft)
            );
            assert_eq!(
                leave(store, &key, id, account(&writer)).expect("ok"),
                Err(KudosRefusal::OwnWork)
            );
            let guest = Who::Guest { ip: "203.0.113.7" };
            assert_eq!(leave(store, &key, id, guest).expect("ok"), Ok(()));
            assert_eq!(
                leave(store, &key, id, guest).expect("ok"),
                Err(KudosRefusal::AlreadyLeft)
            );
            assert_eq!(
                leave(store, &key, id, Who::Guest { ip: "203.0.113.8" }).expect("ok"),
                Ok(())
            );
            assert_eq!(
                leave(store, &key, 999_999, guest).expect("ok"),
                Err(KudosRefusal::NotFound)
            );
            let sentence = store.kudos_sentence(id).expect("sentence");
            assert_eq!(sentence.names, vec!["reader".to_string()]);
            assert_eq!((sentence.more_users, sentence.guests), (0, 2));
            let record = store
                .work(id, Viewer::System)
                .expect("work")
                .expect("exists");
            assert_eq!(record.stats.kudos, 3, "the count moved with the rows");
        }
    }

    #[test]
    fn races_never_make_two() {
        for test_store in TestStore::all() {
            let store: &Store = &test_store;
            let id = store
                .insert_work(&ficus_testkit::work("Raced").build())
                .expect("insert")
                .work_id();
            let key = VisitorKey::new(b"k".to_vec());
            let left: usize = std::thread::scope(|s| {
                let handles: Vec<_> = (0..8)
                    .map(|_| {
                        s.spawn(|| {
                            leave(store, &key, id, Who::Guest { ip: "198.51.100.1" })
                                .expect("store")
                                .is_ok()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| usize::from(h.join().expect("thread")))
                    .sum()
            });
            assert_eq!(left, 1, "eight simultaneous clicks, one kudos");
            let record = store
                .work(id, Viewer::System)
                .expect("work")
                .expect("exists");
            assert_eq!(record.stats.kudos, 1);
        }
    }
}
