//! Collections for the pages, the API and anything else: making and
//! changing one (the form checked by `ficus_core::collections`), adding
//! works, answering items, taking them out — each one store transaction.

use chrono::NaiveDateTime;
use ficus_core::access::Viewer;
use ficus_core::collections::{CollectionForm, CollectionRefusal, Role};
use ficus_store::collections::Added;
use ficus_store::{Store, StoreError};

/// `Ok(Err(_))` is a refusal the reader caused.
pub type Outcome<T> = Result<Result<T, CollectionRefusal>, StoreError>;

/// Makes a collection owned by `viewer`; its id.
pub fn create(
    store: &Store,
    viewer: Viewer,
    form: &CollectionForm<'_>,
    now: NaiveDateTime,
) -> Outcome<i64> {
    match form.check() {
        Ok(d) => store.create_collection(viewer, &d, now),
        Err(r) => Ok(Err(r)),
    }
}

/// Changes collection `id` (its maintainers).
pub fn update(
    store: &Store,
    viewer: Viewer,
    id: i64,
    form: &CollectionForm<'_>,
    now: NaiveDateTime,
) -> Outcome<()> {
    match form.check() {
        Ok(d) => store.update_collection(viewer, id, &d, now),
        Err(r) => Ok(Err(r)),
    }
}

/// Adds work `work_id` to the collections named in `names`
/// (comma-separated, as AO3's field), all or none.
pub fn add_work(
    store: &Store,
    viewer: Viewer,
    work_id: i64,
    names: &str,
    now: NaiveDateTime,
) -> Outcome<Vec<Added>> {
    let mut list: Vec<String> = Vec::new();
    for raw in names.split([',', '，']) {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match ficus_core::collections::check_name(raw) {
            Ok(name) => {
                if !list.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                    list.push(name);
                }
            }
            Err(_) => return Ok(Err(CollectionRefusal::NoSuchCollection(raw.to_string()))),
        }
    }
    if list.is_empty() {
        return Ok(Err(CollectionRefusal::NoSuchCollection(String::new())));
    }
    store.add_to_collections(viewer, work_id, &list, now)
}

/// Gives account `login` a role in collection `id`.
pub fn add_participant(
    store: &Store,
    viewer: Viewer,
    id: i64,
    login: &str,
    role: Role,
    now: NaiveDateTime,
) -> Outcome<()> {
    store.add_participant(viewer, id, login, role, now)
}
