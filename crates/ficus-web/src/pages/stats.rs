//! `/users/{login}/stats`: a creator's statistics, theirs alone — per
//! work and in total (hits, kudos, comment threads, bookmarks — private
//! ones too —, words), sortable, all
//! time or one year — and, beyond AO3, daily hits, kudos and comments
//! (for all works or one, `?work_id=`) drawn as a server-rendered SVG
//! chart (plotters) with the same numbers in a table for screen readers.
//! No JavaScript.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::{Datelike, Duration, NaiveDate};
use ficus_store::stats::{DayStat, WorkStat};

use crate::AppState;
use crate::error::WebError;
use crate::extract::SignedIn;
use crate::params::{self, QueryMap};
use crate::templates::Chrome;
use crate::view::thousands;

#[derive(Template)]
#[template(path = "stats.html")]
pub struct StatsPage {
    pub chrome: Chrome,
    pub login: String,
    /// "All Years" or a year.
    pub year: String,
    pub years: Vec<String>,
    pub sort: &'static str,
    pub works: Vec<WorkStat>,
    pub totals: (String, String, String, String, String),
    pub chart_title: String,
    /// The chart (inline SVG, made by plotters here: no user text in it
    /// but escaped labels).
    pub chart: String,
    pub days: Vec<DayStat>,
    /// The chart's work choices: (id, title, selected).
    pub chart_choices: Vec<(i64, String, bool)>,
}

const SORTS: [&str; 7] = [
    "date",
    "title",
    "words",
    "hits",
    "kudos",
    "comment_threads",
    "bookmarks",
];

/// The chart of a series (days without numbers are zeros).
fn chart(days: &[DayStat], from: NaiveDate, to: NaiveDate) -> Result<String, String> {
    use plotters::prelude::*;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 280)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let top = days
            .iter()
            .map(|d| d.hits.max(d.kudos).max(d.comments))
            .max()
            .unwrap_or(0)
            .max(1);
        // Days as numbers from `from` (plotters' date axes need another
        // feature); the labels turn them back into dates.
        let span = (to - from).num_days().max(1);
        let mut c = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(0i64..span, 0i64..(top + top / 10 + 1))
            .map_err(|e| e.to_string())?;
        let label = |n: &i64| (from + Duration::days(*n)).format("%b %d").to_string();
        c.configure_mesh()
            .x_labels(6)
            .y_labels(6)
            .x_label_formatter(&label)
            .draw()
            .map_err(|e| e.to_string())?;
        let series = |pick: fn(&DayStat) -> i64| {
            (0..=span)
                .map(|n| {
                    let d = from + Duration::days(n);
                    let v = days.iter().find(|x| x.day == d).map(pick).unwrap_or(0);
                    (n, v)
                })
                .collect::<Vec<_>>()
        };
        for (pick, color, name) in [
            (
                (|d: &DayStat| d.hits) as fn(&DayStat) -> i64,
                RGBColor(153, 0, 0),
                "Hits",
            ),
            (|d: &DayStat| d.kudos, RGBColor(0, 90, 160), "Kudos"),
            (|d: &DayStat| d.comments, RGBColor(40, 120, 40), "Comments"),
        ] {
            c.draw_series(LineSeries::new(series(pick), color.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
        }
        c.configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// `GET /users/{login}/stats[?year=Y&sort_column=C&work_id=N]`.
pub async fn show(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    if !user.login.eq_ignore_ascii_case(&login) {
        return Err(WebError::Forbidden(
            "Sorry, statistics are only for the creator's own eyes.".into(),
        ));
    }
    let q = params::query(q)?;
    let today = chrono::Utc::now().date_naive();
    let year: Option<i32> = match q.get("year").map(String::as_str) {
        None | Some("") | Some("All Years") => None,
        Some(y) => Some(
            y.parse()
                .ok()
                .filter(|y| (1970..=9999).contains(y))
                .ok_or_else(|| WebError::BadRequest(format!("{y:?} is not a year.")))?,
        ),
    };
    let sort = match q.get("sort_column").map(String::as_str) {
        None | Some("") => "hits",
        Some(s) => SORTS.iter().find(|x| **x == s).copied().ok_or_else(|| {
            WebError::BadRequest(format!("sort_column is one of {}.", SORTS.join(", ")))
        })?,
    };
    let work_choice = match q.get("work_id").filter(|v| !v.is_empty()) {
        Some(v) => Some(params::id(v, "work")?),
        None => None,
    };
    let (from, to) = match year {
        Some(y) => (
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(today),
            NaiveDate::from_ymd_opt(y, 12, 31)
                .unwrap_or(today)
                .min(today.max(NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(today))),
        ),
        None => (today - Duration::days(89), today),
    };
    let uid = user.id;
    let (mut works, days) = st
        .db(move |s| {
            Ok((
                s.creator_stats(uid, year)?,
                s.creator_daily_stats(uid, work_choice, from, to)?,
            ))
        })
        .await?;
    if let Some(w) = work_choice
        && !works.iter().any(|x| x.work_id == w)
    {
        return Err(WebError::NotFound("That is not one of your works.".into()));
    }
    match sort {
        "date" => works.sort_by_key(|w| std::cmp::Reverse(w.published)),
        "title" => works.sort_by_key(|w| w.title.to_lowercase()),
        "words" => works.sort_by_key(|w| std::cmp::Reverse(w.words)),
        "kudos" => works.sort_by_key(|w| std::cmp::Reverse(w.kudos)),
        "comment_threads" => works.sort_by_key(|w| std::cmp::Reverse(w.comment_threads)),
        "bookmarks" => works.sort_by_key(|w| std::cmp::Reverse(w.bookmarks)),
        _ => works.sort_by_key(|w| std::cmp::Reverse(w.hits)),
    }
    let sum = |f: fn(&WorkStat) -> i64| thousands(works.iter().map(f).sum());
    let totals = (
        sum(|w| w.words),
        sum(|w| w.hits),
        sum(|w| w.kudos),
        sum(|w| w.comment_threads),
        sum(|w| w.bookmarks),
    );
    let chart_title = match work_choice.and_then(|w| works.iter().find(|x| x.work_id == w)) {
        Some(w) => format!("Daily hits, kudos and comments: {}", w.title),
        None => "Daily hits, kudos and comments: all your works".to_string(),
    };
    let svg = chart(&days, from, to)
        .map_err(|e| WebError::Unavailable(format!("The chart could not be drawn: {e}")))?;
    let mut years: Vec<String> = (2008..=today.year()).rev().map(|y| y.to_string()).collect();
    years.insert(0, "All Years".into());
    let page = StatsPage {
        chrome: Chrome::of(&visitor),
        login: user.login.clone(),
        year: year.map_or_else(|| "All Years".to_string(), |y| y.to_string()),
        years,
        sort,
        works,
        totals,
        chart_title,
        chart: svg,
        days,
        chart_choices: Vec::new(),
    };
    let mut page = page;
    page.chart_choices = page
        .works
        .iter()
        .map(|w| (w.work_id, w.title.clone(), Some(w.work_id) == work_choice))
        .collect();
    Ok(Html(page.render()?).into_response())
}
