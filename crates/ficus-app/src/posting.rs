//! Posting and editing a work: the posting form (as the web form or the
//! API filled it) is checked — tags, limits, co-creators, series — and
//! stored with its invitations (and, for a draft, its posting) in one
//! store transaction.

use chrono::NaiveDate;
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
    }
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
}

/// `form` as `chapters` chapters, with its co-creators resolved; every
/// problem at once (with `errors` the caller found first).
fn check(
    store: &Store,
    me: i64,
    form: &WorkForm,
    chapters: usize,
    mut errors: Vec<FieldError>,
) -> Result<Checking<(NewWork, Vec<i64>)>, StoreError> {
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
    Ok(match (form.to_work(today(), chapters), invites) {
        (Ok(work), Ok(invites)) if errors.is_empty() => Ok((work, invites)),
        (work, invites) => {
            errors.extend(work.err().unwrap_or_default());
            errors.extend(invites.err().unwrap_or_default());
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
    Ok(
        check(store, me, form, 1, errors)?.map(|(work, invites)| Checked {
            work,
            invites,
            leave_series: Vec::new(),
        }),
    )
}

/// Posts a checked new work (a draft when `draft`) with its co-creator
/// invitations, in one transaction; returns its id.
pub fn post(store: &Store, me: i64, checked: Checked, draft: bool) -> Result<i64, StoreError> {
    let mut work = checked.work;
    work.posted = !draft;
    let invites = CoCreatorInvites {
        pseuds: checked.invites,
        by: me,
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
    let (work, invites) = match check(store, me, form, chapters.max(1), errors)? {
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
        }),
        publish_on: publish.then(today),
    };
    store.update_work(id, &work, &edit)
}
