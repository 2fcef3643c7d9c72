//! Matching a gift exchange: every participant gives to one recipient and
//! receives from one giver, a giver's offers meeting the recipient's
//! requests ([`super::overlap`]).
//!
//! [`match_signups`] finds a **maximum** set of assignments (no other
//! assignment leaves fewer people out) and then raises their quality:
//!
//! 1. The candidate graph: for each giver, every recipient one of whose
//!    requests one of the giver's offers meets, with the best overlap as
//!    the edge's weight. Requests are indexed by fandom, so only givers
//!    and recipients sharing a fandom are compared (every pair, when the
//!    rules ask for no shared fandom).
//! 2. A greedy start, most constrained givers first, each taking its best
//!    free candidate; then Hopcroft–Karp augmenting paths (breadth-first
//!    layers, depth-first paths along them, iteratively) up to maximum
//!    cardinality.
//! 3. Quality: passes of moves that keep every assignment — a giver moves
//!    to a better free recipient, or two givers swap recipients when that
//!    raises their total overlap — until none helps.
//!
//! Hand-written, not from a crate: the crates at hand are a dense
//! Hungarian method (O(n³) on an n×n matrix: hours, and gigabytes, at
//! 5,000 sign-ups) and small unmaintained Hopcroft–Karp crates without the
//! weights this needs.
//!
//! [`match_signups_greedy`] is the baseline a naive matcher would be:
//! sign-up order, first free candidate.

use super::{MatchRules, Signup, overlap};

const NONE: u32 = u32::MAX;
const FAR: u32 = u32::MAX;

/// Passes of quality moves at most (each is linear in the edges).
const QUALITY_PASSES: usize = 20;

/// One assignment: `giver` writes for `recipient`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub giver: i64,
    pub recipient: i64,
    /// Tags the giver's offer and the recipient's request share.
    pub overlap: u32,
}

/// Why a participant was left without an assignment (as giver) or a
/// gift (as recipient): the maintainer's match report says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// As a giver: no one requests anything their offers meet.
    NoRecipientWantsTheirOffers,
    /// As a recipient: no one offers anything their requests ask.
    NoGiverOffersTheirRequests,
    /// Candidates exist, but every one is needed elsewhere (a pinch hitter
    /// can step in).
    AllCandidatesTaken,
}

impl Unmatched {
    /// As stored.
    pub fn code(self) -> &'static str {
        match self {
            Unmatched::NoRecipientWantsTheirOffers => "no_recipient",
            Unmatched::NoGiverOffersTheirRequests => "no_giver",
            Unmatched::AllCandidatesTaken => "taken",
        }
    }

    pub fn from_code(code: &str) -> Option<Unmatched> {
        [
            Unmatched::NoRecipientWantsTheirOffers,
            Unmatched::NoGiverOffersTheirRequests,
            Unmatched::AllCandidatesTaken,
        ]
        .into_iter()
        .find(|u| u.code() == code)
    }

    /// As the match report words it.
    pub fn text(self) -> &'static str {
        match self {
            Unmatched::NoRecipientWantsTheirOffers => "no one requested anything they offered",
            Unmatched::NoGiverOffersTheirRequests => "no one offered anything they requested",
            Unmatched::AllCandidatesTaken => "every possible match was needed elsewhere",
        }
    }
}

/// A matching's outcome.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchReport {
    /// In sign-up order of the givers.
    pub assignments: Vec<Assignment>,
    /// Participants with no assignment to write, and why.
    pub unmatched_givers: Vec<(i64, Unmatched)>,
    /// Participants no one writes for, and why.
    pub unmatched_recipients: Vec<(i64, Unmatched)>,
    /// Potential (giver, recipient) pairs considered.
    pub candidate_pairs: usize,
}

impl MatchReport {
    /// The share of `signups` participants who have an assignment.
    pub fn share_matched(&self, signups: usize) -> f64 {
        if signups == 0 {
            return 1.0;
        }
        self.assignments.len() as f64 / signups as f64
    }

    /// The mean overlap of the assignments (0 when there are none).
    pub fn mean_overlap(&self) -> f64 {
        if self.assignments.is_empty() {
            return 0.0;
        }
        self.assignments
            .iter()
            .map(|a| f64::from(a.overlap))
            .sum::<f64>()
            / self.assignments.len() as f64
    }
}

/// The candidate graph: for each giver, (recipient, weight) best first,
/// and the same sorted by recipient (for lookups).
struct Graph {
    best_first: Vec<Vec<(u32, u32)>>,
    by_recipient: Vec<Vec<(u32, u32)>>,
    indegree: Vec<u32>,
    pairs: usize,
}

impl Graph {
    fn build(signups: &[Signup], rules: &MatchRules) -> Graph {
        let n = signups.len();
        // Requests by fandom: (recipient, request) pairs.
        let mut by_fandom: std::collections::HashMap<i64, Vec<(u32, u32)>> =
            std::collections::HashMap::new();
        for (r, s) in signups.iter().enumerate() {
            for (q, req) in s.requests.iter().enumerate() {
                for &f in &req.fandoms {
                    by_fandom.entry(f).or_default().push((r as u32, q as u32));
                }
            }
        }
        let mut best = vec![0u32; n];
        let mut seen = vec![false; n];
        let mut touched: Vec<u32> = Vec::new();
        let mut best_first = Vec::with_capacity(n);
        let mut by_recipient = Vec::with_capacity(n);
        let mut indegree = vec![0u32; n];
        let mut pairs = 0;
        for (g, giver) in signups.iter().enumerate() {
            touched.clear();
            let mut consider = |r: usize, q: usize, offer: &super::Prompt| {
                if r == g {
                    return;
                }
                if let Some(w) = overlap(offer, &signups[r].requests[q], rules) {
                    if !seen[r] {
                        seen[r] = true;
                        best[r] = w;
                        touched.push(r as u32);
                    } else if w > best[r] {
                        best[r] = w;
                    }
                }
            };
            for offer in &giver.offers {
                if rules.fandoms == 0 {
                    for (r, s) in signups.iter().enumerate() {
                        for q in 0..s.requests.len() {
                            consider(r, q, offer);
                        }
                    }
                } else {
                    for f in &offer.fandoms {
                        for &(r, q) in by_fandom.get(f).map(Vec::as_slice).unwrap_or(&[]) {
                            consider(r as usize, q as usize, offer);
                        }
                    }
                }
            }
            let mut edges: Vec<(u32, u32)> =
                touched.iter().map(|&r| (r, best[r as usize])).collect();
            for &r in &touched {
                seen[r as usize] = false;
                indegree[r as usize] += 1;
            }
            pairs += edges.len();
            edges.sort_unstable_by_key(|&(r, _)| r);
            by_recipient.push(edges.clone());
            edges.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            best_first.push(edges);
        }
        Graph {
            best_first,
            by_recipient,
            indegree,
            pairs,
        }
    }

    fn weight(&self, giver: u32, recipient: u32) -> Option<u32> {
        let list = &self.by_recipient[giver as usize];
        list.binary_search_by_key(&recipient, |&(r, _)| r)
            .ok()
            .map(|i| list[i].1)
    }
}

/// The assignments `match_g` (giver → recipient) stands for, with the
/// reasons for everyone left out.
fn report(signups: &[Signup], graph: &Graph, match_g: &[u32], match_r: &[u32]) -> MatchReport {
    let mut out = MatchReport {
        candidate_pairs: graph.pairs,
        ..MatchReport::default()
    };
    for (g, &r) in match_g.iter().enumerate() {
        if r == NONE {
            let why = if graph.best_first[g].is_empty() {
                Unmatched::NoRecipientWantsTheirOffers
            } else {
                Unmatched::AllCandidatesTaken
            };
            out.unmatched_givers.push((signups[g].id, why));
        } else {
            out.assignments.push(Assignment {
                giver: signups[g].id,
                recipient: signups[r as usize].id,
                overlap: graph.weight(g as u32, r).unwrap_or(0),
            });
        }
    }
    for (r, &g) in match_r.iter().enumerate() {
        if g == NONE {
            let why = if graph.indegree[r] == 0 {
                Unmatched::NoGiverOffersTheirRequests
            } else {
                Unmatched::AllCandidatesTaken
            };
            out.unmatched_recipients.push((signups[r].id, why));
        }
    }
    out
}

/// A maximum matching of `signups` under `rules`, its quality raised (see
/// the module's documentation).
pub fn match_signups(signups: &[Signup], rules: &MatchRules) -> MatchReport {
    let graph = Graph::build(signups, rules);
    let n = signups.len();
    let mut match_g = vec![NONE; n];
    let mut match_r = vec![NONE; n];

    // Greedy start: the most constrained givers choose first.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&g| (graph.best_first[g].len(), g));
    for &g in &order {
        if let Some(&(r, _)) = graph.best_first[g]
            .iter()
            .find(|&&(r, _)| match_r[r as usize] == NONE)
        {
            match_g[g] = r;
            match_r[r as usize] = g as u32;
        }
    }

    // Hopcroft–Karp: shortest augmenting paths, in phases.
    let mut dist = vec![FAR; n];
    let mut next_edge = vec![0usize; n];
    let mut chosen = vec![NONE; n];
    let mut queue: Vec<u32> = Vec::with_capacity(n);
    let mut stack: Vec<u32> = Vec::new();
    loop {
        queue.clear();
        for g in 0..n {
            if match_g[g] == NONE && !graph.best_first[g].is_empty() {
                dist[g] = 0;
                queue.push(g as u32);
            } else {
                dist[g] = FAR;
            }
        }
        let mut found = false;
        let mut head = 0;
        while head < queue.len() {
            let g = queue[head] as usize;
            head += 1;
            for &(r, _) in &graph.best_first[g] {
                let g2 = match_r[r as usize];
                if g2 == NONE {
                    found = true;
                } else if dist[g2 as usize] == FAR {
                    dist[g2 as usize] = dist[g] + 1;
                    queue.push(g2);
                }
            }
        }
        if !found {
            break;
        }
        next_edge.iter_mut().for_each(|e| *e = 0);
        let mut grew = false;
        for root in 0..n {
            if match_g[root] != NONE || dist[root] != 0 {
                continue;
            }
            stack.clear();
            stack.push(root as u32);
            while let Some(&g) = stack.last() {
                let g = g as usize;
                let edges = &graph.best_first[g];
                if next_edge[g] == edges.len() {
                    dist[g] = FAR;
                    stack.pop();
                    continue;
                }
                let r = edges[next_edge[g]].0;
                next_edge[g] += 1;
                let g2 = match_r[r as usize];
                if g2 == NONE {
                    chosen[g] = r;
                    // Flip the path: each giver on it takes its chosen one.
                    for &h in stack.iter() {
                        let h = h as usize;
                        match_g[h] = chosen[h];
                        match_r[chosen[h] as usize] = h as u32;
                    }
                    grew = true;
                    break;
                } else if dist[g2 as usize] == dist[g].saturating_add(1) {
                    chosen[g] = r;
                    stack.push(g2);
                }
            }
        }
        if !grew {
            break;
        }
    }

    // Quality: moves that keep every assignment.
    for _ in 0..QUALITY_PASSES {
        let mut improved = false;
        for a in 0..n {
            let x = match_g[a];
            if x == NONE {
                continue;
            }
            let wx = graph.weight(a as u32, x).unwrap_or(0);
            for &(y, wy) in &graph.best_first[a] {
                if wy <= wx {
                    break;
                }
                let b = match_r[y as usize];
                if b == NONE {
                    match_r[x as usize] = NONE;
                    match_g[a] = y;
                    match_r[y as usize] = a as u32;
                    improved = true;
                    break;
                }
                let (Some(wbx), Some(wby)) = (graph.weight(b, x), graph.weight(b, y)) else {
                    continue;
                };
                if wy + wbx > wx + wby {
                    match_g[a] = y;
                    match_r[y as usize] = a as u32;
                    match_g[b as usize] = x;
                    match_r[x as usize] = b;
                    improved = true;
                    break;
                }
            }
        }
        if !improved {
            break;
        }
    }
    report(signups, &graph, &match_g, &match_r)
}

/// The naive baseline: givers in sign-up order, each taking the first free
/// candidate in sign-up order.
pub fn match_signups_greedy(signups: &[Signup], rules: &MatchRules) -> MatchReport {
    let graph = Graph::build(signups, rules);
    let n = signups.len();
    let mut match_g = vec![NONE; n];
    let mut match_r = vec![NONE; n];
    for (g, taken) in match_g.iter_mut().enumerate() {
        if let Some(&(r, _)) = graph.by_recipient[g]
            .iter()
            .find(|&&(r, _)| match_r[r as usize] == NONE)
        {
            *taken = r;
            match_r[r as usize] = g as u32;
        }
    }
    report(signups, &graph, &match_g, &match_r)
}

#[cfg(test)]
mod tests {
    use super::super::Prompt;
    use super::*;

    fn signup(id: i64, requests: &[&[i64]], offers: &[&[i64]]) -> Signup {
        let prompt = |f: &&[i64]| Prompt::new(f.to_vec(), vec![], vec![], vec![]);
        Signup {
            id,
            requests: requests.iter().map(prompt).collect(),
            offers: offers.iter().map(prompt).collect(),
        }
    }

    /// Every assignment is a real match, nobody gives or receives twice,
    /// nobody gives to themselves.
    fn check(signups: &[Signup], report: &MatchReport, rules: &MatchRules) {
        let mut gave = std::collections::HashSet::new();
        let mut got = std::collections::HashSet::new();
        for a in &report.assignments {
            assert_ne!(a.giver, a.recipient);
            assert!(gave.insert(a.giver) && got.insert(a.recipient), "{a:?}");
            let g = signups.iter().find(|s| s.id == a.giver).expect("giver");
            let r = signups
                .iter()
                .find(|s| s.id == a.recipient)
                .expect("recipient");
            let best = g
                .offers
                .iter()
                .flat_map(|o| r.requests.iter().filter_map(|q| overlap(o, q, rules)))
                .max();
            assert_eq!(best, Some(a.overlap), "{a:?}");
        }
    }

    #[test]
    fn a_maximum_matching_where_greedy_first_fit_strands_people() {
        // 1 offers fandoms 10 and 20; 2 offers only 10; 3 offers only 30.
        // First fit: 1 -> 2, 2 -> 1, and 3 (who can only write for 2) is
        // left out. The maximum is a ring: 1 -> 3, 2 -> 1, 3 -> 2.
        let signups = vec![
            signup(1, &[&[10]], &[&[10, 20]]),
            signup(2, &[&[10, 30]], &[&[10]]),
            signup(3, &[&[20]], &[&[30]]),
        ];
        let rules = MatchRules::default();
        let greedy = match_signups_greedy(&signups, &rules);
        check(&signups, &greedy, &rules);
        let best = match_signups(&signups, &rules);
        check(&signups, &best, &rules);
        assert_eq!(best.assignments.len(), 3, "{best:?}");
        assert!(greedy.assignments.len() < 3, "{greedy:?}");
        assert!(best.unmatched_givers.is_empty() && best.unmatched_recipients.is_empty());
    }

    #[test]
    fn the_best_candidates_are_chosen_and_reasons_given() {
        // Both 1 and 2 can write for 3 and 4; 1 suits 4 better, 2 suits 3.
        let c = |ids: &[i64]| Prompt::new(vec![10], ids.to_vec(), vec![], vec![]);
        let s = |id: i64, requests: Vec<Prompt>, offers: Vec<Prompt>| Signup {
            id,
            requests,
            offers,
        };
        let signups = vec![
            s(1, vec![c(&[1])], vec![c(&[4, 5])]),
            s(2, vec![c(&[2])], vec![c(&[3])]),
            s(3, vec![c(&[3]), c(&[9])], vec![c(&[1, 2])]),
            s(4, vec![c(&[4, 5])], vec![c(&[2])]),
            // Offers what nobody asks; asks what nobody offers.
            s(
                5,
                vec![Prompt::new(vec![99], vec![], vec![], vec![])],
                vec![Prompt::new(vec![98], vec![], vec![], vec![])],
            ),
        ];
        let rules = MatchRules::default();
        let report = match_signups(&signups, &rules);
        check(&signups, &report, &rules);
        let to = |g: i64| {
            report
                .assignments
                .iter()
                .find(|a| a.giver == g)
                .map(|a| a.recipient)
        };
        assert_eq!(to(1), Some(4), "{report:?}");
        assert_eq!(to(2), Some(3), "{report:?}");
        assert_eq!(
            report.unmatched_givers,
            vec![(5, Unmatched::NoRecipientWantsTheirOffers)]
        );
        assert_eq!(
            report.unmatched_recipients,
            vec![(5, Unmatched::NoGiverOffersTheirRequests)]
        );
        assert!(report.mean_overlap() > 1.0);
    }

    #[test]
    fn random_exchanges_match_as_many_as_a_brute_force_search() {
        // Small exchanges: the maximum found equals the true maximum found
        // by trying every assignment.
        let mut seed = 7u64;
        let mut next = move |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..200 {
            let n = 2 + next(6) as usize;
            let signups: Vec<Signup> = (0..n)
                .map(|i| {
                    let f = |next: &mut dyn FnMut(u64) -> u64| vec![next(4) as i64, next(4) as i64];
                    Signup {
                        id: i as i64,
                        requests: vec![Prompt::new(f(&mut next), vec![], vec![], vec![])],
                        offers: vec![Prompt::new(f(&mut next), vec![], vec![], vec![])],
                    }
                })
                .collect();
            let rules = MatchRules::default();
            let report = match_signups(&signups, &rules);
            check(&signups, &report, &rules);
            // Brute force over injective partial maps is too big; the
            // maximum is found by trying each permutation with a hole.
            let can = |g: usize, r: usize| {
                g != r
                    && signups[g].offers.iter().any(|o| {
                        signups[r]
                            .requests
                            .iter()
                            .any(|q| overlap(o, q, &rules).is_some())
                    })
            };
            fn best(
                g: usize,
                n: usize,
                used: &mut Vec<bool>,
                can: &dyn Fn(usize, usize) -> bool,
            ) -> usize {
                if g == n {
                    return 0;
                }
                let mut top = best(g + 1, n, used, can);
                for r in 0..n {
                    if !used[r] && can(g, r) {
                        used[r] = true;
                        top = top.max(1 + best(g + 1, n, used, can));
                        used[r] = false;
                    }
                }
                top
            }
            let truth = best(0, n, &mut vec![false; n], &can);
            assert_eq!(report.assignments.len(), truth, "{signups:?}");
        }
    }
}
