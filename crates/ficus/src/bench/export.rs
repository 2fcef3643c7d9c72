//! `ficus bench export`: build the downloads of a generated 100,000-word,
//! 20-chapter work, next to Calibre's `ebook-convert` turning the same
//! work's HTML download into EPUB, in the same run.

use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use ficus_formats::export::{ExportChapter, ExportWork, Format};
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
    let mut epub_median = Duration::ZERO;
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
        if format == Format::Epub {
            epub_median = m;
        }
        println!(
            "  ficus {:<5} {:>8.1} ms  ({:.1} MB)",
            format.label(),
            m.as_secs_f64() * 1e3,
            size as f64 / 1e6
        );
    }
    let dir = tempfile::tempdir().context("temp dir")?;
    let input = dir.path().join("work.html");
    std::fs::write(&input, &html)?;
    let mut times = Vec::new();
    for i in 0..args.calibre_runs {
        let out = dir.path().join(format!("out{i}.epub"));
        let t = Instant::now();
        let status = Command::new("ebook-convert").arg(&input).arg(&out).output();
        match status {
            Ok(o) if o.status.success() => times.push(t.elapsed()),
            Ok(o) => anyhow::bail!(
                "ebook-convert failed: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(_) => {
                println!("  calibre: ebook-convert is not installed (apt-get install calibre)");
                return Ok(());
            }
        }
    }
    let calibre = median(times);
    println!(
        "  calibre ebook-convert HTML -> EPUB {:>8.1} ms   ratio {:.0}x",
        calibre.as_secs_f64() * 1e3,
        calibre.as_secs_f64() / epub_median.as_secs_f64().max(1e-9)
    );
    Ok(())
}
