//! `ficus bench export`: build the downloads of a generated 100,000-word,
//! 20-chapter work, next to Calibre's `ebook-convert` turning the same
//! work's HTML download into EPUB, in the same run.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use ficus_export::{ExportChapter, ExportWork, Format};
use ficus_gen::vocab::Vocabulary;
use rand::SeedableRng;
use rand_pcg::Pcg64;

/// Options of `ficus bench export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Words in the work.
    #[arg(long, default_value_t = 100_000)]
    pub words: usize,
    /// Chapters in the work.
    #[arg(long, default_value_t = 20)]
    pub chapters: usize,
    /// Builds timed per format (the median is reported).
    #[arg(long, default_value_t = 9)]
    pub runs: usize,
    /// Calibre conversions timed.
    #[arg(long, default_value_t = 3)]
    pub calibre_runs: usize,
}

fn work(words: usize, chapters: usize) -> ExportWork {
    let mut rng = Pcg64::seed_from_u64(5);
    let vocab = Vocabulary::new(20_000, &mut rng);
    let day = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let per = words / chapters.max(1);
    let chapters: Vec<ExportChapter> = (1..=chapters)
        .map(|n| ExportChapter {
            position: n as u32,
            title: Some(format!("Part {n}")),
            summary: None,
            notes: Some("<p>Chapter notes.</p>".into()),
            end_notes: None,
            body: vocab
                .paragraphs(&mut rng, per)
                .iter()
                .map(|p| format!("<p>{}</p>", ficus_core::html::escape(p)))
                .collect(),
            published: day,
        })
        .collect();
    ExportWork {
        id: 1,
        title: "A Long Benchmark Work".into(),
        creators: vec!["Bench".into()],
        rating: "General Audiences".into(),
        warnings: vec!["No Archive Warnings Apply".into()],
        categories: vec!["Gen".into()],
        fandoms: vec!["Benchmarks".into()],
        relationships: Vec::new(),
        characters: vec!["Ada".into()],
        freeforms: vec!["Long".into()],
        language: Some("en".into()),
        series: Vec::new(),
        published: day,
        updated: day,
        complete: true,
        words: words as i64,
        chapter_count: chapters.len() as u32,
        expected_chapters: Some(chapters.len() as u32),
        kudos: 0,
        hits: 0,
        comments: 0,
        bookmarks: 0,
        summary: Some("<p>Generated for the benchmark.</p>".into()),
        notes: None,
        end_notes: Some("<p>The end.</p>".into()),
        source_url: None,
        chapters,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Runs the benchmark.
pub fn run(args: &ExportArgs) -> anyhow::Result<()> {
    let w = work(args.words, args.chapters);
    let html = Format::Html.write(&w)?;
    println!(
        "work: {} chapters, about {} words, HTML {:.1} MB",
        args.chapters,
        args.words,
        html.len() as f64 / 1e6
    );
    let mut medians = Vec::new();
    for format in Format::ALL {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..args.runs.max(1) {
            let t = Instant::now();
            let bytes = format.write(&w)?;
            times.push(t.elapsed());
            size = bytes.len();
        }
        let m = median(times);
        medians.push((format, m));
        println!(
            "  ficus {:<5} {:>8.1} ms  ({:.1} MB)",
            format.label(),
            m.as_secs_f64() * 1e3,
            size as f64 / 1e6
        );
    }
    if let Some(kb) = super::status_kib(std::process::id(), "VmHWM:") {
        println!("  peak RSS of this process: {:.0} MB", kb as f64 / 1024.0);
    }
    let dir = tempfile::tempdir().context("temp dir")?;
    let input = dir.path().join("work.html");
    std::fs::write(&input, &html)?;
    for format in [Format::Epub, Format::Pdf] {
        let ours = medians
            .iter()
            .find(|(f, _)| *f == format)
            .map(|(_, m)| *m)
            .unwrap_or_default();
        let Some(calibre) = calibre_median(&input, format, args.calibre_runs)? else {
            println!("  calibre: ebook-convert is not installed (apt-get install calibre)");
            return Ok(());
        };
        println!(
            "  calibre ebook-convert HTML -> {:<4} {:>8.1} ms   ratio {:.1}x",
            format.label(),
            calibre.as_secs_f64() * 1e3,
            calibre.as_secs_f64() / ours.as_secs_f64().max(1e-9)
        );
    }
    Ok(())
}

/// The median time of Calibre converting `input` to `format`; `None` when
/// `ebook-convert` is not installed.
fn calibre_median(
    input: &std::path::Path,
    format: Format,
    runs: usize,
) -> anyhow::Result<Option<Duration>> {
    let dir = input.parent().context("input directory")?;
    let mut times = Vec::new();
    for i in 0..runs.max(1) {
        let out = dir.join(format!("out{i}.{}", format.extension()));
        let t = Instant::now();
        // Calibre's PDF output renders with Qt WebEngine, which needs no
        // display offscreen and no sandbox when run as root.
        let status = Command::new("ebook-convert")
            .arg(input)
            .arg(&out)
            .env("QT_QPA_PLATFORM", "offscreen")
            .env("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
            .output();
        match status {
            Ok(o) if o.status.success() => times.push(t.elapsed()),
            Ok(o) => anyhow::bail!(
                "ebook-convert to {} failed: {}",
                format.label(),
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(_) => return Ok(None),
        }
    }
    Ok(Some(median(times)))
}
