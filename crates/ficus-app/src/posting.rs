//! Posting and editing a work: the posting form (as the web form or the
//! API filled it) is checked — tags, limits, co-creators, series — and
//! stored with its invitations (and, for a draft, its posting) in one
//! store transaction.

use chrono::NaiveDate;
use ficus_core::gifts::GiftTo;
use ficus_core::posting::{FieldError, TextFormat, WorkForm, series_limit, split_tags};
use ficus_core::{NewWork, TagType};
use ficus_store::{ChapterRecord, CoCreatorInvites, Store, StoreError, WorkEdit, WorkRecord};

/// Today, as the archive dates postings (the server's local day).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The posting form filled from a stored work (for editing): the fields
/// hold the stored HTML; `own_pseuds` are the editor's, those on the
/// byline ticked.
pub fn form_of(
    work: &WorkRecord,
    first: Option<&ChapterRecord>,
    own_pseuds: &[(i64, String)],
) -> WorkForm {
    let names = |kind| {
        work.tags_of(kind)
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
    };
    WorkForm {
        title: work.title.clone(),
        pseuds: own_pseuds
            .iter()
            .filter(|(_, name)| work.bylines.contains(name))
            .map(|(id, _)| *id)
            .collect(),
        co_creators: String::new(),
        rating: work.rating.name().to_string(),
        warnings: names(TagType::ArchiveWarning),
        categories: names(TagType::Category),
        fandoms: names(TagType::Fandom).join(", "),
        relationships: names(TagType::Relationship).join(", "),
        characters: names(TagType::Character).join(", "),
        freeforms: names(TagType::Freeform).join(", "),
        language: work.language.clone().unwrap_or_default(),
        summary: work.summary.clone().unwrap_or_default(),
        notes: work.notes.clone().unwrap_or_default(),
        end_notes: work.end_notes.clone().unwrap_or_default(),
        chapter_title: first.and_then(|c| c.title.clone()).unwrap_or_default(),
        text: first.map(|c| c.body.clone()).unwrap_or_default(),
        text_format: TextFormat::Html,
        restricted: work.restricted,
        complete: work.complete,
        expected_chapters: work
            .expected_chapters
            .map(|n| n.to_string())
            .unwrap_or_else(|| "?".into()),
        series: String::new(),
        comment_permission: work.comments.permission.as_str().to_string(),
        moderate_comments: work.comments.moderated,
        collections: String::new(),
        recipients: None,
        assignment: None,
    }
}

/// The gift recipients of work `id` as its edit form shows them (logins
/// for accounts, else the names).
pub fn recipients_of(store: &Store, id: i64) -> Result<String, StoreError> {
    Ok(store
        .gifts_of_work(id)?
        .into_iter()
        .map(|g| g.login.unwrap_or(g.name))
        .collect::<Vec<_>>()
        .join(", "))
}

/// A form's collections to join, its gifts (`None`: as they are) and the
/// assignment it fulfils.
type Extras = (Vec<String>, Option<Vec<GiftTo>>, Option<i64>);

/// The assignment a form names, when the poster writes it and no other
/// posted work fulfils it yet (one the work being edited fulfils is fine).
fn assignment_of(
    store: &Store,
    form: &WorkForm,
    me: i64,
    editing: Option<i64>,
) -> Result<Result<Option<ficus_store::exchanges::AssignmentRecord>, FieldError>, StoreError> {
    use ficus_core::exchange::rules::{AssignmentStatus, ExchangeRefusal};
    let Some(id) = form.assignment else {
        return Ok(Ok(None));
    };
    let refusal = |r: ExchangeRefusal| FieldError {
        field: "assignment",
        message: r.to_string(),
    };
    Ok(match store.assignment(id)? {
        Some(a) if a.sent && a.writer_id == Some(me) => {
            let own = a.work.as_ref().map(|w| w.0) == editing && editing.is_some();
            if a.status == AssignmentStatus::Complete && !own {
                Err(refusal(ExchangeRefusal::AlreadyFulfilled))
            } else {
                Ok(Some(a))
            }
        }
        _ => Err(refusal(ExchangeRefusal::NotFound)),
    })
}

/// The collections and gift recipients of a form, checked: every problem
/// as a field error.
fn extras(
    store: &Store,
    form: &WorkForm,
    me: i64,
    editing: Option<i64>,
) -> Result<Checking<Extras>, StoreError> {
    let mut errors = Vec::new();
    // An edit naming the work's gifts again keeps them (to the same pseud,
    // without asking the recipient's consent again).
    let kept = match editing {
        Some(id) => store.work_gift_targets(id)?,
        None => Vec::new(),
    };
    let assignment = match assignment_of(store, form, me, editing)? {
        Ok(a) => a,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    // The assignment's collection and recipient are the store's to add:
    // an exchange may be closed, and its recipients take their gift
    // whatever their preference (AO3's challenge bypass).
    let assignment_collection = |name: &str| {
        assignment
            .as_ref()
            .is_some_and(|a| a.collection_name.eq_ignore_ascii_case(name))
    };
    // By login only: a pseud name may be another account's too.
    let assignment_recipient = |name: &str| {
        assignment
            .as_ref()
            .is_some_and(|a| a.recipient_login.eq_ignore_ascii_case(name))
    };
    let mut collections: Vec<String> = Vec::new();
    for name in split_tags(&form.collections).filter(|n| !assignment_collection(n)) {
        match store.collection_takes_from(name, me)? {
            Ok(()) => {
                if !collections.iter().any(|c| c.eq_ignore_ascii_case(name)) {
                    collections.push(name.to_string());
                }
            }
            Err(r) => errors.push(FieldError {
                field: "collections",
                message: r.to_string(),
            }),
        }
    }
    let gifts = match &form.recipients {
        None => None,
        Some(list) => {
            let mut to: Vec<GiftTo> = Vec::new();
            for name in split_tags(list).filter(|n| !assignment_recipient(n)) {
                let already = kept
                    .iter()
                    .find(|(shown, _)| shown.eq_ignore_ascii_case(name))
                    .map(|(_, to)| to.clone());
                let resolved = match already {
                    Some(to) => Ok(to),
                    None => store.gift_recipient(name, me)?,
                };
                match resolved {
                    Ok(g) => {
                        let again = to.iter().any(|t| match (t, &g) {
                            (
                                GiftTo::Pseud { user_id: a, .. },
                                GiftTo::Pseud { user_id: b, .. },
                            ) => a == b,
                            (GiftTo::Name(a), GiftTo::Name(b)) => a == b,
                            _ => false,
                        });
                        if !again {
                            to.push(g);
                        }
                    }
                    Err(r) => errors.push(FieldError {
                        field: "recipients",
                        message: r.to_string(),
                    }),
                }
            }
            if to.len() > ficus_core::gifts::MAX_RECIPIENTS {
                errors.push(FieldError {
                    field: "recipients",
                    message: ficus_core::gifts::GiftRefusal::TooMany.to_string(),
                });
            }
            Some(to)
        }
    };
    if collections.len() > ficus_core::collections::MAX_COLLECTIONS_PER_WORK {
        errors.push(FieldError {
            field: "collections",
            message: ficus_core::collections::CollectionRefusal::TooMany.to_string(),
        });
    }
    Ok(if errors.is_empty() {
        Ok((collections, gifts, assignment.map(|a| a.id)))
    } else {
        Err(errors)
    })
}

/// Resolves the co-creator logins of a form to their default pseuds, or
/// the field errors for names that are no account (or are the writer).
pub fn co_creator_pseuds(
    store: &Store,
    form: &WorkForm,
    me: i64,
) -> Result<Result<Vec<i64>, Vec<FieldError>>, StoreError> {
    let mut pseuds = Vec::new();
    let mut errors = Vec::new();
    for login in split_tags(&form.co_creators) {
        match store.default_pseud_of(login)? {
            Some((pseud, user)) if user != me => pseuds.push(pseud),
            Some(_) => errors.push(FieldError {
                field: "co_creators",
                message: "You are already a creator of this work.".into(),
            }),
            None => errors.push(FieldError {
                field: "co_creators",
                message: format!("There is no user named {login:?}."),
            }),
        }
    }
    Ok(if errors.is_empty() {
        Ok(pseuds)
    } else {
        Err(errors)
    })
}

/// A check's answer: what passed, or every problem found.
type Checking<T> = Result<T, Vec<FieldError>>;

/// A form that passed every check: the work as it will be stored, whom to
/// invite, and (editing) which series it leaves.
#[derive(Debug, Clone)]
pub struct Checked {
    pub work: NewWork,
    pub invites: Vec<i64>,
    pub leave_series: Vec<i64>,
    /// Collections to add the work to.
    pub collections: Vec<String>,
    /// Its gifts (`None`: as they are).
    pub gifts: Option<Vec<GiftTo>>,
    /// The gift-exchange assignment it fulfils.
    pub assignment: Option<i64>,
}

/// `form` as `chapters` chapters, with its co-creators resolved; every
/// problem at once (with `errors` the caller found first).
fn check(
    store: &Store,
    me: i64,
    form: &WorkForm,
    chapters: usize,
    editing: Option<i64>,
    mut errors: Vec<FieldError>,
) -> Result<Checking<(NewWork, Vec<i64>, Extras)>, StoreError> {
    // A suspended or banned account can read, not post or edit.
    if let Some(refusal) = store
        .standing(me, chrono::Utc::now().naive_utc())?
        .refusal()
    {
        errors.push(FieldError {
            field: "account",
            message: refusal,
        });
    }
    let invites = co_creator_pseuds(store, form, me)?;
    let extras = extras(store, form, me, editing)?;
    Ok(match (form.to_work(today(), chapters), invites, extras) {
        (Ok(work), Ok(invites), Ok(extras)) if errors.is_empty() => Ok((work, invites, extras)),
        (work, invites, extras) => {
            errors.extend(work.err().unwrap_or_default());
            errors.extend(invites.err().unwrap_or_default());
            errors.extend(extras.err().unwrap_or_default());
            Err(errors)
        }
    })
}

/// Checks a new work's form, posted by the account `me`.
pub fn check_new(
    store: &Store,
    me: i64,
    form: &WorkForm,
    errors: Vec<FieldError>,
) -> Result<Result<Checked, Vec<FieldError>>, StoreError> {
    Ok(check(store, me, form, 1, None, errors)?.map(
        |(work, invites, (collections, gifts, assignment))| Checked {
            work,
            invites,
            leave_series: Vec::new(),
            collections,
            gifts,
            assignment,
        },
    ))
}

/// Posts a checked new work (a draft when `draft`) with its co-creator
/// invitations, in one transaction; returns its id.
pub fn post(store: &Store, me: i64, checked: Checked, draft: bool) -> Result<i64, StoreError> {
    let mut work = checked.work;
    work.posted = !draft;
    let invites = CoCreatorInvites {
        pseuds: checked.invites,
        by: me,
        collections: checked.collections,
        gifts: checked.gifts,
        assignment: checked.assignment,
    };
    Ok(store.post_work(&work, Some(&invites))?.work_id())
}

/// Checks an edit of `current` (which has `chapters` chapters) by the
/// account `me`: the form, its co-creators, and the series limit counted
/// with the series it stays in after leaving `leave_series` (ones it is
/// in).
pub fn check_edit(
    store: &Store,
    me: i64,
    current: &WorkRecord,
    chapters: usize,
    form: &WorkForm,
    leave_series: Vec<i64>,
    errors: Vec<FieldError>,
) -> Result<Result<Checked, Vec<FieldError>>, StoreError> {
    let (work, invites, (collections, gifts, assignment)) =
        match check(store, me, form, chapters.max(1), Some(current.id), errors)? {
            Ok(checked) => checked,
            Err(errors) => return Ok(Err(errors)),
        };
    let staying: Vec<&str> = current
        .series
        .iter()
        .filter(|place| !leave_series.contains(&place.series_id))
        .map(|place| place.title.as_str())
        .collect();
    if let Some(error) = series_limit(&staying, &work) {
        return Ok(Err(vec![error]));
    }
    Ok(Ok(Checked {
        work,
        invites,
        leave_series,
        collections,
        gifts,
        assignment,
    }))
}

/// Saves a checked edit of work `id` by `me` — metadata, the editor's
/// pseuds, series left and joined, invitations, and posting a draft when
/// `publish` — in one transaction. Co-creators and bare names on the
/// byline stay. False when the work is gone.
pub fn save_edit(
    store: &Store,
    me: i64,
    id: i64,
    checked: Checked,
    publish: bool,
) -> Result<bool, StoreError> {
    let mut work = checked.work;
    work.creators = Vec::new();
    let edit = WorkEdit {
        editor: Some(me),
        leave_series: checked.leave_series,
        invites: Some(CoCreatorInvites {
            pseuds: checked.invites,
            by: me,
            collections: checked.collections,
            gifts: checked.gifts,
            assignment: checked.assignment,
        }),
        publish_on: publish.then(today),
    };
    store.update_work(id, &work, &edit)
}
