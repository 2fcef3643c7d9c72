//! `ficus bench matching`: a gift exchange of generated sign-ups (5,000 by
//! default) matched by `ficus_core::exchange::match_signups`, next to the
//! baseline measured in the same run: greedy first-fit in sign-up order
//! (`match_signups_greedy`). Reports each one's time, the share of
//! participants with an assignment, the mean overlap of the assignments
//! (shared tags), the candidate pairs, and the process's peak RSS.
//!
//! Sign-ups are drawn from a fixed seed: fandoms by a skewed popularity
//! (a few large fandoms, a long tail), one or two requests of one or two
//! fandoms with up to three of each fandom's characters, and one to three
//! offers of up to three fandoms with up to three characters.

use std::time::Instant;

use ficus_core::exchange::{MatchRules, Prompt, Signup, match_signups, match_signups_greedy};
use rand::{Rng, SeedableRng};

/// Options of `ficus bench matching`.
#[derive(Debug, clap::Args)]
pub struct MatchingArgs {
    /// Sign-ups in the exchange.
    #[arg(long, default_value_t = 5_000)]
    pub signups: usize,
    /// Fandoms they draw from.
    #[arg(long, default_value_t = 400)]
    pub fandoms: usize,
    /// The generator's seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

/// Characters each fandom has.
const CHARACTERS: i64 = 20;

/// The generated sign-ups.
pub fn generate(args: &MatchingArgs) -> Vec<Signup> {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(args.seed);
    let fandoms = args.fandoms.max(1) as f64;
    let fandom = |rng: &mut rand_pcg::Pcg64| -> i64 {
        // Skewed: the square of a uniform draw favours low ids.
        let u: f64 = rng.random();
        ((u * u) * fandoms) as i64
    };
    let prompt = |rng: &mut rand_pcg::Pcg64, max_fandoms: u32| -> Prompt {
        let n = rng.random_range(1..=max_fandoms);
        let fs: Vec<i64> = (0..n).map(|_| fandom(rng)).collect();
        let chars: Vec<i64> = (0..rng.random_range(0..=3u32))
            .map(|_| {
                let f = fs[rng.random_range(0..fs.len())];
                f * 1_000 + rng.random_range(0..CHARACTERS)
            })
            .collect();
        Prompt::new(fs, chars, Vec::new(), Vec::new())
    };
    (0..args.signups)
        .map(|i| {
            let requests = (0..rng.random_range(1..=2u32))
                .map(|_| prompt(&mut rng, 2))
                .collect();
            let offers = (0..rng.random_range(1..=3u32))
                .map(|_| prompt(&mut rng, 3))
                .collect();
            Signup {
                id: i as i64,
                requests,
                offers,
            }
        })
        .collect()
}

/// Runs the benchmark and prints its report.
pub fn run(args: &MatchingArgs) {
    let signups = generate(args);
    let rules = MatchRules::default();
    let started = Instant::now();
    let greedy = match_signups_greedy(&signups, &rules);
    let greedy_time = started.elapsed();
    let started = Instant::now();
    let best = match_signups(&signups, &rules);
    let best_time = started.elapsed();
    let n = signups.len();
    println!(
        "gift exchange matching: {n} sign-ups, {} fandoms, seed {}, {} candidate pairs",
        args.fandoms, args.seed, best.candidate_pairs
    );
    println!(
        "{:<28} {:>10} {:>10} {:>13}",
        "", "time", "matched", "mean overlap"
    );
    for (name, report, time) in [
        ("greedy first-fit (baseline)", &greedy, greedy_time),
        ("maximum matching (Ficus)", &best, best_time),
    ] {
        println!(
            "{name:<28} {:>8.1}ms {:>9.2}% {:>13.2}",
            time.as_secs_f64() * 1_000.0,
            report.share_matched(n) * 100.0,
            report.mean_overlap()
        );
    }
    println!(
        "ratio (Ficus / baseline): time {:.2}x, matched {:.3}x, mean overlap {:.3}x; left out: {} givers, {} recipients (baseline: {}, {})",
        best_time.as_secs_f64() / greedy_time.as_secs_f64().max(1e-9),
        best.share_matched(n) / greedy.share_matched(n).max(1e-9),
        best.mean_overlap() / greedy.mean_overlap().max(1e-9),
        best.unmatched_givers.len(),
        best.unmatched_recipients.len(),
        greedy.unmatched_givers.len(),
        greedy.unmatched_recipients.len(),
    );
    if let Some(kib) = super::status_kib(std::process::id(), "VmHWM:") {
        println!("peak RSS: {:.1} MiB", kib as f64 / 1024.0);
    }
}
